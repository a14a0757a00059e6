"""An organization made outside Landform, with boto3 only, for the adoption test (issue 14).

Usage: brownfield.py ENDPOINT MANAGEMENT_ACCOUNT ROOT_ID build|inventory

`build` creates what a team would already have before adopting Landform, as
brownfield.json describes it (tests/brownfield_moto.rs builds the same in the in-memory cloud): OUs three deep,
six accounts (five of them the ones House Escort names, by their emails, and one legacy
account it does not), four SCPs attached at the root, at OUs and three levels down, a trail
with its bucket in the management account, a GuardDuty detector in the security account, the
state bucket House Escort names (unversioned) and a data bucket in a member account. It
prints the ids it made as JSON.

`inventory` prints what the organization holds, by name (OU paths, accounts by email and
their OU path, the SCPs the organization made by name with their targets' paths, detectors
per account email, trails and buckets per account email; the management account as
"(management)"), so two states of it, or moto's and the in-memory cloud's, compare without ids.

Used by tests/brownfield_moto.rs against a moto of its own; never against real AWS.
"""
import json
import os
import sys

import boto3

endpoint, management, root, mode = sys.argv[1:5]
base = dict(endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
REGION = "us-east-1"
SPEC = json.load(open(os.path.join(os.path.dirname(__file__), "brownfield.json")))
OUS = [(o["name"], o["parent"]) for o in SPEC["ous"]]
ACCOUNTS = [(a["name"], a["ou"]) for a in SPEC["accounts"]]


def deny(actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": actions, "Resource": "*"}]})


POLICIES = [(p["name"], p["targets"], deny(p["deny"])) for p in SPEC["policies"]]

clients = {}


def client(service, account=management):
    key = (service, account)
    if key not in clients:
        creds = {}
        if account != management:
            c = boto3.client("sts", region_name=REGION, **base).assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                RoleSessionName="brownfield",
            )["Credentials"]
            creds = dict(aws_access_key_id=c["AccessKeyId"],
                         aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"])
        clients[key] = boto3.client(service, region_name=REGION, **{**base, **creds})
    return clients[key]


def email(name):
    return f"aws+{name}@{SPEC['domain']}"


def build():
    orgs = client("organizations")
    ou_ids = {}
    for name, parent in OUS:
        ou_ids[name] = orgs.create_organizational_unit(
            ParentId=ou_ids[parent] if parent else root, Name=name)["OrganizationalUnit"]["Id"]
    account_ids = {}
    for name, ou in ACCOUNTS:
        status = orgs.create_account(Email=email(name), AccountName=name)["CreateAccountStatus"]
        account_id = orgs.describe_create_account_status(
            CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"]
        orgs.move_account(AccountId=account_id, SourceParentId=root,
                          DestinationParentId=ou_ids[ou])
        account_ids[name] = account_id
    policy_ids = {}
    for name, targets, content in POLICIES:
        pid = orgs.create_policy(Name=name, Description="made by hand", Content=content,
                                 Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
        for t in targets:
            orgs.attach_policy(PolicyId=pid, TargetId=ou_ids[t] if t else root)
        policy_ids[name] = pid
    s3 = client("s3")
    trail_bucket = SPEC["trail"]["bucket"]
    s3.create_bucket(Bucket=trail_bucket)
    s3.put_bucket_policy(Bucket=trail_bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "AclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{trail_bucket}"},
            {"Sid": "Write", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{trail_bucket}/AWSLogs/*"}]}))
    client("cloudtrail").create_trail(Name=SPEC["trail"]["name"], S3BucketName=trail_bucket,
                                      IsMultiRegionTrail=True)
    state_bucket = SPEC["stateBucket"].replace("{management}", management)
    s3.create_bucket(Bucket=state_bucket)
    member = SPEC["memberBucket"]
    client("s3", account_ids[member["account"]]).create_bucket(Bucket=member["name"])
    security = account_ids[SPEC["detectorIn"]]
    detector = client("guardduty", security).create_detector(Enable=True)["DetectorId"]
    print(json.dumps({"ous": ou_ids, "accounts": account_ids, "policies": policy_ids,
                      "detector": detector, "stateBucket": state_bucket,
                      "trailBucket": trail_bucket}, indent=1))


def inventory():
    orgs = client("organizations")
    paths = {root: ""}
    ous = []
    todo = [root]
    while todo:
        parent = todo.pop(0)
        for page in orgs.get_paginator("list_organizational_units_for_parent").paginate(
                ParentId=parent):
            for ou in page["OrganizationalUnits"]:
                paths[ou["Id"]] = f"{paths[parent]}/{ou['Name']}"
                ous.append(paths[ou["Id"]])
                todo.append(ou["Id"])
    accounts, emails = {}, {}
    for page in orgs.get_paginator("list_accounts").paginate():
        for a in page["Accounts"]:
            if a["Id"] == management:
                a = {**a, "Email": "(management)"}
            parent = orgs.list_parents(ChildId=a["Id"])["Parents"][0]["Id"]
            accounts[a["Email"]] = {"ou": paths.get(parent, parent), "status": a["Status"]}
            emails[a["Id"]] = a["Email"]
    policies = {}
    for page in orgs.get_paginator("list_policies").paginate(Filter="SERVICE_CONTROL_POLICY"):
        for p in page["Policies"]:
            if p.get("AwsManaged"):
                continue  # FullAWSAccess
            targets = orgs.list_targets_for_policy(PolicyId=p["Id"])["Targets"]
            policies[p["Name"]] = sorted(
                paths.get(t["TargetId"], emails.get(t["TargetId"], t["TargetId"]))
                for t in targets)
    per_account = {}
    for account_id, mail in sorted(emails.items()):
        if accounts[mail]["status"] != "ACTIVE":
            continue
        detectors = client("guardduty", account_id).list_detectors()["DetectorIds"]
        trails = [t["Name"] for t in client("cloudtrail", account_id).describe_trails()["trailList"]
                  if t.get("HomeRegion", REGION) == REGION
                  and f":{account_id}:" in t.get("TrailARN", f":{account_id}:")]
        buckets = [b["Name"] for b in client("s3", account_id).list_buckets()["Buckets"]]
        per_account[mail] = {"detectors": len(detectors), "trails": sorted(trails),
                             "buckets": sorted(buckets)}
    print(json.dumps({"ous": sorted(ous), "accounts": accounts, "policies": policies,
                      "perAccount": per_account}, indent=1, sort_keys=True))


{"build": build, "inventory": inventory}[mode]()
