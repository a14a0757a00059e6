#!/usr/bin/env bash
# The project's one test command (the README's, and what .ci/run calls).
# Sets up everything it needs itself: the Python venv with cfn-lint, checkov and moto
# (scripts/pyenv.sh), then formats-checks, lints and runs every test of the workspace.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

start=$(date +%s)
# A one-off build gains nothing from incremental compilation state.
if [[ "${CI:-}" == "true" ]]; then export CARGO_INCREMENTAL=0; fi
"$REPO/scripts/pyenv.sh"
cargo fmt --all -- --check
# Only landform-aws (and what embeds it) may pull in the AWS SDK: the rest must build in seconds.
for crate in landform-core landform-constructs landform-deploy; do
    [[ -d "crates/$crate" ]] || continue
    deps=$(cargo tree --locked -p "$crate" -e normal,build --prefix none)
    if grep -E '^(aws-sdk-|aws-config|aws-smithy)' <<<"$deps" >/dev/null; then
        echo "scripts/test.sh: $crate depends on the AWS SDK; only landform-aws may" >&2
        exit 1
    fi
done
# `landform/aws` turns on every feature of the workspace except landform-cfn's 300-odd
# services (the typed L1s), which the tests do not use: the check below compiles each of them
# once instead (a minute; linting and building them all would add four).
cargo clippy --workspace --all-targets --features landform/aws --locked -- -D warnings
cargo check -p landform-cfn --all-features --locked
# The AWS provider's tests run against moto_server (an independent AWS API implementation) on
# 127.0.0.1, started here (fresh: a server left running by an earlier run holds that run's
# organization) and stopped however this script ends.
"$REPO/scripts/moto.sh" stop
"$REPO/scripts/moto.sh" start >/dev/null
trap '"$REPO/scripts/moto.sh" stop' EXIT
cargo test --workspace --features landform/aws --locked
echo "scripts/test.sh: all checks passed in $(( $(date +%s) - start )) s"
