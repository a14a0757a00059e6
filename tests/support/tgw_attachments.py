"""Reads back, with boto3 alone, the transit gateway attachments a hub account sees on moto:
each attachment's id, the account that owns its VPC, its state and the route tables it is
associated with. Prints one JSON list.

Usage: tgw_attachments.py ENDPOINT MANAGEMENT_ACCOUNT HUB_ACCOUNT
"""
import json
import sys

import boto3

from moto_accounts import Accounts

endpoint, management, hub = sys.argv[1:4]
ec2 = boto3.client("ec2", **Accounts(endpoint, management, "tgw-attachments").session(hub))
associated = {}
for table in ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"]:
    if table["State"] == "deleted":
        continue
    table_id = table["TransitGatewayRouteTableId"]
    answer = ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table_id)
    for association in answer["Associations"]:
        if association["State"] == "associated":
            associated.setdefault(association["TransitGatewayAttachmentId"], []).append(table_id)
print(json.dumps([
    {
        "id": a["TransitGatewayAttachmentId"],
        "vpcOwner": a["ResourceOwnerId"],
        "gatewayOwner": a["TransitGatewayOwnerId"],
        "state": a["State"],
        "routeTables": associated.get(a["TransitGatewayAttachmentId"], []),
    }
    for a in ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
    if a["State"] != "deleted"
]))
