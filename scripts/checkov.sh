#!/usr/bin/env bash
# Scan every CloudFormation template DIR/*.template.json with checkov, offline.
#
# Usage: scripts/checkov.sh DIR [EXTRA CHECKOV ARGS...]
#
# Any failed check gives a non-zero exit. Checks that do not apply to a
# resource are suppressed in the template, on the resource:
#   "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_18", "comment": "why"}]}}
#
# Offline: no Prisma Cloud / Bridgecrew API key is passed, --skip-download and
# BC_SKIP_MAPPING stop the guideline/policy-metadata download, and
# CKV_SKIP_PACKAGE_UPDATE_CHECK stops the "newer checkov on PyPI" check.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LANDFORM_VENV:-$REPO/.venv}"

if [[ $# -lt 1 ]]; then
    echo "usage: $0 DIR [EXTRA CHECKOV ARGS...]   (scans DIR/*.template.json)" >&2
    exit 2
fi
dir="$1"
shift
extra=("$@")
if [[ ! -d "$dir" ]]; then
    echo "checkov.sh: $dir is not a directory" >&2
    exit 2
fi

# Each template is passed with -f: `-d DIR` would also scan any other
# .json/.yaml file in DIR that looks like a template.
args=()
n=0
while IFS= read -r -d '' f; do
    args+=(-f "$f")
    n=$((n + 1))
done < <(find "$dir" -maxdepth 1 -type f -name '*.template.json' -print0 | LC_ALL=C sort -z)
if [[ $n -eq 0 ]]; then
    echo "checkov.sh: no *.template.json files in $dir" >&2
    exit 1
fi

"$REPO/scripts/pyenv.sh"

# Stay offline and local-only.
unset BC_API_KEY PRISMA_API_URL BC_API_URL CKV_API_KEY || true
export BC_SKIP_MAPPING=TRUE
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true

echo "checkov: $n template(s) in $dir" >&2
rc=0
"$VENV/bin/checkov" --framework cloudformation --quiet --compact \
    --skip-download --output cli "${extra[@]}" "${args[@]}" || rc=$?
if [[ $rc -ne 0 ]]; then
    echo "checkov: FAILED (exit $rc): failed checks above" >&2
    exit "$rc"
fi
echo "checkov: OK, no failed checks" >&2
