#!/usr/bin/env bash
# A local AWS to rehearse a deploy on: moto_server (scripts/moto.sh, with the project's
# corrections) holding an organization, and the environment a deployer needs to use it.
#
# Usage:
#   eval "$(scripts/rehearse.sh start)"   # start moto, create the organization, export the variables
#   scripts/rehearse.sh env               # print the export lines again (moto still running)
#   scripts/rehearse.sh stop              # stop the server (its whole AWS is gone)
#
# `start` prints shell export lines on stdout (everything else goes to stderr):
#   AWS_ENDPOINT_URL            the local server: every call goes there, never to AWS
#   AWS_ACCESS_KEY_ID/...       dummy credentials (AWS_PROFILE and AWS_SESSION_TOKEN unset)
#   AWS_REGION                  us-east-1
#   LANDFORM_MANAGEMENT_ACCOUNT the organization's management account (moto's 123456789012)
#   LANDFORM_ROOT_ID            its root, with service control policies enabled
#   LANDFORM_STATE_DIR          the deployer's state and lock, kept beside the server's own
#                               state, so they never mix with the in-memory cloud's (.landform)
#                               or a real organization's, and go when the server goes
# The server's state lives in <repo>/target/rehearsal (LANDFORM_MOTO_STATE to move it), apart
# from the test suite's server. Running `start` again reuses a running server and organization;
# `stop` removes the deployer state with it.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LANDFORM_VENV:-$REPO/.venv}"
export LANDFORM_MOTO_STATE="${LANDFORM_MOTO_STATE:-$REPO/target/rehearsal}"

usage() {
    echo "usage: $0 start|env|stop" >&2
    exit 2
}

# Creates the organization if there is none; prints the root id.
organization() {
    "$VENV/bin/python" - "$1" <<'PY'
import sys, boto3
from botocore.exceptions import ClientError
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1",
          aws_access_key_id="testing", aws_secret_access_key="testing")
orgs = boto3.client("organizations", **kw)
try:
    orgs.create_organization(FeatureSet="ALL")
except ClientError as e:
    if e.response["Error"]["Code"] != "AlreadyInOrganizationException":
        raise
root = orgs.list_roots()["Roots"][0]
if not any(p["Type"] == "SERVICE_CONTROL_POLICY" and p["Status"] == "ENABLED"
           for p in root.get("PolicyTypes", [])):
    orgs.enable_policy_type(RootId=root["Id"], PolicyType="SERVICE_CONTROL_POLICY")
account = boto3.client("sts", **kw).get_caller_identity()["Account"]
print(account, root["Id"])
PY
}

print_env() {
    local url="$1" account root
    read -r account root < <(organization "$url")
    cat <<ENV
export AWS_ENDPOINT_URL=$url
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
export LANDFORM_MANAGEMENT_ACCOUNT=$account
export LANDFORM_ROOT_ID=$root
export LANDFORM_STATE_DIR=$LANDFORM_MOTO_STATE/landform
ENV
    echo "rehearse: organization $root (management account $account) on $url" >&2
}

[[ $# -eq 1 ]] || usage
case "$1" in
start) print_env "$("$REPO/scripts/moto.sh" start)" ;;
env) print_env "$("$REPO/scripts/moto.sh" url)" ;;
stop)
    "$REPO/scripts/moto.sh" stop
    rm -rf "$LANDFORM_MOTO_STATE/landform"
    ;;
*) usage ;;
esac
