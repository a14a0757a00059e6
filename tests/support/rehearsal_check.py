"""Reads back, with boto3 in every account, what a rehearsal deploy recorded in its state, and
prints one JSON object: how many resources of each checked type matched, and what did not.

Usage: rehearsal_check.py ENDPOINT STATE_JSON MANAGEMENT_ACCOUNT [deployed|destroyed]

`destroyed` (after a destroy, with the state as it was before): the `Retain` resources must
still check clean and every other checked resource must be gone.

Used by tests/rehearsal_moto.rs against a moto of its own; never against real AWS.
"""
import json
import sys
from collections import Counter

import boto3

endpoint, state_path, management = sys.argv[1:4]
mode = sys.argv[4] if len(sys.argv) > 4 else "deployed"
state = json.load(open(state_path))
base = dict(endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
clients = {}


def client(service, account, region):
    key = (service, account, region)
    if key not in clients:
        creds = {}
        if account != management:
            c = boto3.client("sts", region_name=region, **base).assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                RoleSessionName="rehearsal-check",
            )["Credentials"]
            creds = dict(
                aws_access_key_id=c["AccessKeyId"],
                aws_secret_access_key=c["SecretAccessKey"],
                aws_session_token=c["SessionToken"],
            )
        clients[key] = boto3.client(service, region_name=region, **{**base, **creds})
    return clients[key]


checked, problems = Counter(), []


def expect(ok, what):
    if not ok:
        problems.append(what)
    return ok


def check(stack, lid, r, account, region):
    t, pid, p = r["type"], r["physicalId"], r["properties"]
    c = lambda s: client(s, account, region)  # noqa: E731
    name = f"{stack}/{lid}"
    if t == "AWS::Organizations::Account":
        orgs = client("organizations", management, region)
        parent = orgs.list_parents(ChildId=pid)["Parents"][0]["Id"]
        expect(parent == p["ParentIds"][0], f"{name}: in {parent}, not {p['ParentIds'][0]}")
    elif t == "AWS::Organizations::Policy":
        orgs = client("organizations", management, region)
        targets = sorted(x["TargetId"] for x in orgs.list_targets_for_policy(PolicyId=pid)["Targets"])
        expect(targets == sorted(p.get("TargetIds", [])), f"{name}: targets {targets}")
    elif t == "AWS::CloudTrail::Trail":
        trail = c("cloudtrail").get_trail(Name=pid)["Trail"]
        expect(trail["S3BucketName"] == p["S3BucketName"], f"{name}: bucket {trail['S3BucketName']}")
        expect(trail["IsMultiRegionTrail"] == p.get("IsMultiRegionTrail", False), f"{name}: multi-region")
        expect(c("cloudtrail").get_trail_status(Name=pid)["IsLogging"], f"{name}: not logging")
    elif t == "AWS::GuardDuty::Detector":
        expect(c("guardduty").get_detector(DetectorId=pid)["Status"] == "ENABLED", f"{name}: disabled")
    elif t == "AWS::S3::Bucket":
        s3 = c("s3")
        rules = s3.get_bucket_encryption(Bucket=pid)["ServerSideEncryptionConfiguration"]["Rules"]
        expect(bool(rules), f"{name}: no default encryption")
        pab = s3.get_public_access_block(Bucket=pid)["PublicAccessBlockConfiguration"]
        expect(all(pab.values()), f"{name}: public access block {pab}")
    elif t == "AWS::S3::BucketPolicy":
        policy = c("s3").get_bucket_policy(Bucket=pid)["Policy"]
        expect("aws:SecureTransport" in policy, f"{name}: not TLS-only")
    elif t == "AWS::DynamoDB::Table":
        table = c("dynamodb").describe_table(TableName=pid)["Table"]
        expect(table["TableStatus"] == "ACTIVE", f"{name}: {table['TableStatus']}")
    elif t == "AWS::IAM::Role":
        role = c("iam").get_role(RoleName=pid)["Role"]
        held = role["AssumeRolePolicyDocument"]
        expect(held == p["AssumeRolePolicyDocument"], f"{name}: trust {json.dumps(held)}")
        if "MaxSessionDuration" in p:
            expect(role["MaxSessionDuration"] == p["MaxSessionDuration"], f"{name}: session length")
    elif t == "AWS::IAM::OIDCProvider":
        arn = f"arn:aws:iam::{account}:oidc-provider/{p['Url'].removeprefix('https://')}"
        held = c("iam").get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        expect(sorted(held["ClientIDList"]) == sorted(p["ClientIdList"]), f"{name}: audiences")
    elif t == "AWS::EC2::TransitGateway":
        g = c("ec2").describe_transit_gateways(TransitGatewayIds=[pid])["TransitGateways"][0]
        expect(g["OwnerId"] == account and g["State"] == "available", f"{name}: {g['State']}")
        expect(g["Options"]["AutoAcceptSharedAttachments"] == "disable", f"{name}: auto-accepts")
    elif t == "AWS::EC2::TransitGatewayAttachment":
        a = c("ec2").describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[pid])
        a = a["TransitGatewayVpcAttachments"][0]
        expect(a["State"] == "available", f"{name}: {a['State']}")
        # The gateway's owner (the hub's account; a workload's VPC is in another) sees the same
        # attachment.
        g = c("ec2").describe_transit_gateways(TransitGatewayIds=[a["TransitGatewayId"]])
        owner = g["TransitGateways"][0]["OwnerId"]
        seen = client("ec2", owner, region).describe_transit_gateway_attachments(
            TransitGatewayAttachmentIds=[pid])["TransitGatewayAttachments"]
        expect([x["State"] for x in seen] == ["available"], f"{name}: owner {owner} sees {seen}")
        expect(seen and seen[0]["ResourceOwnerId"] == account, f"{name}: resource owner")
    elif t == "AWS::RAM::ResourceShare":
        ram = c("ram")
        assoc = ram.get_resource_share_associations(
            associationType="PRINCIPAL", resourceShareArns=[pid])["resourceShareAssociations"]
        held = sorted(x["associatedEntity"] for x in assoc if x["status"] == "ASSOCIATED")
        # moto answers every share of the account whatever resourceShareArns says (a share
        # deleted by an earlier destroy among them): pick this one by its ARN.
        shares = ram.get_resource_shares(resourceOwner="SELF", resourceShareArns=[pid])[
            "resourceShares"]
        expect([x["status"] for x in shares if x["resourceShareArn"] == pid] == ["ACTIVE"],
               f"{name}: not active")
        expect(held == sorted(p.get("Principals", [])), f"{name}: principals {held}")
    else:
        return
    checked[t] += 1


def clean(stack, lid, r, s):
    """Whether the resource reads back as recorded (None: a type this script does not check)."""
    before = (len(problems), sum(checked.values()))
    try:
        check(stack, lid, r, s["account"], s["region"])
    except Exception as e:  # an API error is a finding, reported with the rest
        problems.append(f"{stack}/{lid} ({r['type']}): {type(e).__name__}: {e}")
    if (len(problems), sum(checked.values())) == before:
        return None
    return len(problems) == before[0]


gone = Counter()
for stack, s in state["stacks"].items():
    for lid, r in s["resources"].items():
        if mode == "deployed" or r.get("deletionPolicy") == "Retain":
            clean(stack, lid, r, s)
            continue
        # Destroyed: it must no longer read back; what its check reports is expected.
        seen, counted = len(problems), checked[r["type"]]
        result = clean(stack, lid, r, s)
        del problems[seen:]
        checked[r["type"]] = counted
        if result:
            problems.append(f"{stack}/{lid} ({r['type']}) survived destroy")
        elif result is False:
            gone[r["type"]] += 1

print(json.dumps({"checked": +checked, "gone": gone, "problems": problems}))
