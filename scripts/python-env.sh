#!/usr/bin/env bash
# Creates .venv/ with the pinned reference stack (scripts/requirements.txt): real transformers + torch, used to
# regenerate the test fixtures and to run the PyTorch side of the benchmarks. Prints the python to use.
# Idempotent. Not needed to build, test or run distilj.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${DISTILJ_VENV:-$root/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/scripts/requirements.txt" >&2; then
  echo "python-env: pip could not install scripts/requirements.txt into $venv" >&2
  exit 1
fi
echo "$venv/bin/python"
