"""Reads back every CloudFormation stack of the given accounts on moto, with boto3 alone: per
account, each stack that is not deleted with its status, parameters and outputs, and how many
live stacks bear its name. Prints one JSON document {account: {stack: {...}}}.

Usage: cfn_stacks.py ENDPOINT MANAGEMENT_ACCOUNT ACCOUNT...
"""
import json
import sys

import boto3

endpoint, management, accounts = sys.argv[1], sys.argv[2], sys.argv[3:]
base = dict(endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing")


def session(account):
    if account == management:
        return base
    creds = boto3.client("sts", **base).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="cfn-stacks")["Credentials"]
    return dict(endpoint_url=endpoint, region_name="us-east-1",
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"])


out = {}
for account in dict.fromkeys([management] + accounts):
    cfn = boto3.client("cloudformation", **session(account))
    live = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
    stacks = {}
    for summary in live:
        s = cfn.describe_stacks(StackName=summary["StackId"])["Stacks"][0]
        stacks[s["StackName"]] = {
            "status": s["StackStatus"],
            "outputs": {o["OutputKey"]: o["OutputValue"] for o in s.get("Outputs", [])},
            "parameters": {p["ParameterKey"]: p["ParameterValue"] for p in s.get("Parameters", [])},
            "copies": sum(1 for x in live if x["StackName"] == s["StackName"]),
        }
    out[account] = stacks
print(json.dumps(out))
