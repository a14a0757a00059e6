"""DynamoDB: a table's resource policy given at creation.

moto 5.2.5's CreateTable ignores its ResourcePolicy parameter (a later PutResourcePolicy is
kept), so GetResourcePolicy answers PolicyNotFoundException for a table created with one.
DynamoDB attaches the policy with the table (CreateTable, DynamoDB API Reference): here the
policy is put as the table is made.
"""
from moto.dynamodb.responses import DynamoHandler

_create_table = DynamoHandler.create_table


def create_table(self):
    result = _create_table(self)
    policy = self.body.get("ResourcePolicy")
    if policy:
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        self.dynamodb_backend.put_resource_policy(
            resource_arn=table.table_arn, policy_doc=policy, expected_revision_id=None
        )
    return result


DynamoHandler.create_table = create_table
