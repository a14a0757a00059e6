"""Reads back every CloudFormation stack of the given accounts on moto, with boto3 alone: per
account, each stack that is not deleted with its status, parameters and outputs, and how many
live stacks bear its name. Prints one JSON document {account: {stack: {...}}}.

Usage: cfn_stacks.py ENDPOINT MANAGEMENT_ACCOUNT ACCOUNT...
"""
import json
import sys

import boto3

from moto_accounts import Accounts

endpoint, management, accounts = sys.argv[1], sys.argv[2], sys.argv[3:]
session = Accounts(endpoint, management, "cfn-stacks").session

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
