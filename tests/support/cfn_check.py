"""Reads back what the cfn_stacks example deployed through CloudFormation on moto, with boto3
alone: each stack's status and outputs, and each resource of the types moto's CloudFormation
really creates (the KMS key, the S3 bucket with its encryption and tags, the DynamoDB table
and its billing mode, the IAM role and its policy) in its own account. Prints one JSON document.
(moto's CloudFormation ignores a bucket's VersioningConfiguration, so versioning is not read.)

Usage: cfn_check.py ENDPOINT MANAGEMENT_ACCOUNT WORKLOAD_ACCOUNT
"""
import json
import sys

import boto3

from moto_accounts import Accounts
from botocore.exceptions import ClientError

endpoint, management, workload = sys.argv[1:4]
session = Accounts(endpoint, management, "cfn-check").session


def stack(account, name):
    cfn = boto3.client("cloudformation", **session(account))
    try:
        s = cfn.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError:
        return None
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]}
    alive = [x for x in cfn.list_stacks()["StackSummaries"]
             if x["StackName"] == name and x["StackStatus"] != "DELETE_COMPLETE"]
    return {"status": s["StackStatus"],
            "outputs": {o["OutputKey"]: o["OutputValue"] for o in s.get("Outputs", [])},
            "parameters": {p["ParameterKey"]: p["ParameterValue"] for p in s.get("Parameters", [])},
            "resources": resources, "copies": len(alive)}


out = {"data": stack(management, "Shared-Data"), "reader": stack(workload, "Apps-Reader")}
data = out["data"]
if data:
    mgmt = session(management)
    s3 = boto3.client("s3", **mgmt)
    bucket = data["resources"].get("Reports")
    if bucket:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        out["bucket"] = {"name": bucket,
                         "sse": rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
                         "tags": {t["Key"]: t["Value"]
                                  for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}}
    table = data["resources"].get("Jobs")
    if table:
        t = boto3.client("dynamodb", **mgmt).describe_table(TableName=table)["Table"]
        out["table"] = {"name": table,
                        "billing": t["BillingModeSummary"]["BillingMode"]}
    key = data["resources"].get("Key")
    if key:
        k = boto3.client("kms", **mgmt).describe_key(KeyId=key)["KeyMetadata"]
        out["key"] = {"id": key, "state": k["KeyState"]}
reader = out["reader"]
if reader:
    iam = boto3.client("iam", **session(workload))
    role = reader["resources"].get("ReportReader")
    if role:
        policy = iam.get_role_policy(RoleName=role, PolicyName="read-reports")["PolicyDocument"]
        out["role"] = {"name": role, "policy": policy}
print(json.dumps(out))
