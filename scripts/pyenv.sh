#!/usr/bin/env bash
# Create (or refresh) the project's Python venv with the tools pinned in
# scripts/requirements.txt: cfn-lint, checkov and moto[server].
#
# Usage: scripts/pyenv.sh
#
# The venv lives at ${LANDFORM_VENV:-<repo>/.venv}. A stamp file inside it
# records the sha256 of requirements.txt; when it matches, nothing is
# installed and one line goes to stderr. When it does not (first run, or
# requirements.txt changed, or an install was interrupted) the venv is
# rebuilt from scratch. All messages go to stderr, so callers may capture
# stdout of scripts that run this one.
#
# Concurrent runs are serialised with flock on the venv directory.
# LANDFORM_PYTHON picks the interpreter for the venv (default: python3).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LANDFORM_VENV:-$REPO/.venv}"
REQ="$REPO/scripts/requirements.txt"
STAMP_NAME=".landform-requirements.sha256"
PYTHON="${LANDFORM_PYTHON:-python3}"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"

up_to_date() {
    [[ -f "$VENV/$STAMP_NAME" ]] &&
        [[ "$(cat "$VENV/$STAMP_NAME")" == "$want" ]] &&
        [[ -x "$VENV/bin/python" ]] &&
        "$VENV/bin/python" -c '' 2>/dev/null
}

if up_to_date; then
    echo "pyenv: $VENV is up to date" >&2
    exit 0
fi

mkdir -p "$VENV"
VENV="$(cd "$VENV" && pwd)"
if command -v flock >/dev/null 2>&1; then
    # Lock the directory itself, so that `venv --clear` cannot remove the lock.
    exec 9<"$VENV"
    if ! flock -n 9; then
        echo "pyenv: waiting for another pyenv.sh to finish with $VENV ..." >&2
        flock 9
    fi
    if up_to_date; then # someone else just built it
        echo "pyenv: $VENV is up to date" >&2
        exit 0
    fi
fi

echo "pyenv: building $VENV from scripts/requirements.txt (takes a couple of minutes) ..." >&2
start=$SECONDS
rm -f "$VENV/$STAMP_NAME"
"$PYTHON" -m venv --clear "$VENV"
# pip byte-compiles serially (~40 s here); compileall on all cores is about
# twice as fast. Compiling up front matters: with PYTHONDONTWRITEBYTECODE=1 (set
# on these machines) nothing is cached later, and cfn-lint/checkov runs take
# 2-3x longer without .pyc files.
PIP_NO_INPUT=1 "$VENV/bin/python" -m pip install \
    --disable-pip-version-check -q --no-compile -r "$REQ" >&2
"$VENV/bin/python" -m compileall -q -j 0 "$VENV/lib" >/dev/null ||
    echo "pyenv: warning: some files in $VENV/lib did not byte-compile" >&2
printf '%s\n' "$want" >"$VENV/$STAMP_NAME.tmp"
mv -f "$VENV/$STAMP_NAME.tmp" "$VENV/$STAMP_NAME"
echo "pyenv: $VENV ready in $((SECONDS - start)) s" >&2
