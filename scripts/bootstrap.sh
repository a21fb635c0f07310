#!/usr/bin/env bash
# Create .venv and install chipwatch into it from the hashed lock files (requirements/*.lock):
# the runtime set, or with "test" the test tools too. Exactly the locked versions, each file
# checked against its sha256; the project itself is then installed without dependencies, built
# by the locked setuptools. Re-installs only when a lock or pyproject.toml changed. Quiet: pip's
# output goes to .venv/install.log and is shown only when something fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "chipwatch needs Python 3.11 or newer ($PY is $("$PY" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv 2>/dev/null || {
    echo "cannot create .venv: $PY -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1
  }
fi
lock=requirements/runtime.lock
[ "${1:-}" = "test" ] && lock=requirements/test.lock
stamp=".venv/.installed-$(cat "$lock" pyproject.toml | sha256sum | cut -c1-16)-$(basename "$lock" .lock)"
if [ ! -f "$stamp" ]; then
  echo "installing the locked dependencies ($lock) into .venv ..." >&2
  log=.venv/install.log
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --no-input --require-hashes -r "$lock" \
         && .venv/bin/python -m pip install --disable-pip-version-check --no-input --no-deps \
              --no-build-isolation -e . ; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "install failed; the whole log is in $log" >&2
    exit 1
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi
