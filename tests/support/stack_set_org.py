"""The Fleet OU of the StackSet rehearsal on moto (issue 15), through the Organizations API.

    stack_set_org.py ENDPOINT MANAGEMENT make N     # the OU under the root with N new accounts:
                                                    # prints {"ou": ..., "accounts": [...]}
    stack_set_org.py ENDPOINT MANAGEMENT join OU    # one more account, moved into OU: prints its id
    stack_set_org.py ENDPOINT MANAGEMENT roles A...  # per account, the auditor role's ARN or null
    stack_set_org.py ENDPOINT MANAGEMENT describe S  # StackSet S as DescribeStackSet and
                                                    # ListStackInstances answer
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from moto_accounts import Accounts  # noqa: E402

endpoint, management, verb = sys.argv[1:4]
accounts = Accounts(endpoint, management, "landform-stack-set-check")
orgs = boto3.client("organizations", **accounts.base)


def new_account(n, ou):
    status = orgs.create_account(AccountName=f"fleet-{n}", Email=f"aws+fleet-{n}@example.com")
    account = status["CreateAccountStatus"]["AccountId"]
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
    return account


if verb == "make":
    root = orgs.list_roots()["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(ParentId=root, Name="Fleet")["OrganizationalUnit"]["Id"]
    made = [new_account(n, ou) for n in range(int(sys.argv[4]))]
    print(json.dumps({"ou": ou, "accounts": made}))
elif verb == "join":
    print(new_account(len(orgs.list_accounts()["Accounts"]), sys.argv[4]))
elif verb == "roles":
    found = {}
    for account in sys.argv[4:]:
        iam = boto3.client("iam", **accounts.session(account))
        try:
            found[account] = iam.get_role(RoleName="landform-example-auditor")["Role"]["Arn"]
        except ClientError:
            found[account] = None
    print(json.dumps(found))
elif verb == "describe":
    cfn = boto3.client("cloudformation", **accounts.base)
    s = cfn.describe_stack_set(StackSetName=sys.argv[4])["StackSet"]
    instances = cfn.list_stack_instances(StackSetName=sys.argv[4])["Summaries"]
    print(json.dumps({
        "permission_model": s.get("PermissionModel"),
        "auto_deployment": s.get("AutoDeployment"),
        "capabilities": s.get("Capabilities"),
        "instances": sorted([i["Account"], i["Region"], i.get("OrganizationalUnitId")]
                            for i in instances),
    }))
