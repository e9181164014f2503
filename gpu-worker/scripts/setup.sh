#!/usr/bin/env bash
# Create gpu-worker/.venv with uv and install the worker + dev tools from the lockfile.
# Idempotent: skips everything when the venv matches pyproject.toml + uv.lock (stamp of their hash).
set -euo pipefail
cd "$(dirname "$0")/.."

find_uv() {
  if command -v uv >/dev/null 2>&1; then command -v uv; return; fi
  local user_uv
  user_uv="$(python3 -m site --user-base)/bin/uv"
  if [ -x "$user_uv" ]; then echo "$user_uv"; return; fi
  echo "installing uv with pip (user site)" >&2
  python3 -m pip install --quiet --user --disable-pip-version-check "uv==0.13.9" >&2
  echo "$user_uv"
}

stamp_file=.venv/.setup-stamp
want="$(cat pyproject.toml uv.lock | sha256sum | cut -d' ' -f1)"
if [ -x .venv/bin/python ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$want" ]; then
  exit 0
fi

UV="$(find_uv)"
# --frozen: install exactly the lockfile (never re-resolve in CI). The uv cache stays in its
# default place (~/.cache/uv), so a re-run after deleting .venv takes seconds, not a download.
"$UV" sync --frozen --extra dev --python 3.11
echo "$want" > "$stamp_file"
