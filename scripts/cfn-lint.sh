#!/usr/bin/env bash
# Lint every CloudFormation template DIR/*.template.json with cfn-lint.
#
# Usage: scripts/cfn-lint.sh DIR [EXTRA CFN-LINT ARGS...]
#
# Region: us-east-1. Errors (E) and warnings (W) fail (non-zero exit);
# informational findings (I) are printed if enabled but do not fail.
# Per-template suppressions go in the template's Metadata:
#   "Metadata": {"cfn-lint": {"config": {"ignore_checks": ["W3005"]}}}
# and per-resource ones in the resource's Metadata the same way.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LANDFORM_VENV:-$REPO/.venv}"

if [[ $# -lt 1 ]]; then
    echo "usage: $0 DIR [EXTRA CFN-LINT ARGS...]   (lints DIR/*.template.json)" >&2
    exit 2
fi
dir="$1"
shift
extra=("$@")
if [[ ! -d "$dir" ]]; then
    echo "cfn-lint.sh: $dir is not a directory" >&2
    exit 2
fi

files=()
while IFS= read -r -d '' f; do
    files+=("$f")
done < <(find "$dir" -maxdepth 1 -type f -name '*.template.json' -print0 | LC_ALL=C sort -z)
if [[ ${#files[@]} -eq 0 ]]; then
    echo "cfn-lint.sh: no *.template.json files in $dir" >&2
    exit 1
fi

"$REPO/scripts/pyenv.sh"

echo "cfn-lint: ${#files[@]} template(s) in $dir" >&2
rc=0
"$VENV/bin/cfn-lint" --regions us-east-1 --non-zero-exit-code warning \
    --format parseable "${extra[@]}" -- "${files[@]}" || rc=$?
if [[ $rc -ne 0 ]]; then
    echo "cfn-lint: FAILED (exit $rc): errors or warnings above" >&2
    exit "$rc"
fi
echo "cfn-lint: OK, no errors or warnings" >&2
