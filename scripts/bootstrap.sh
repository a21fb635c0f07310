#!/usr/bin/env bash
# Create .venv and install chipwatch into it (with test tools when called with "test").
# Re-installs only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "chipwatch needs Python 3.11 or newer ($PY is $("$PY" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${extras}"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >&2
  .venv/bin/python -m pip install --quiet -e ".${extras}" >&2
  touch "$stamp"
fi
