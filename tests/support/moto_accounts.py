"""boto3 client arguments for one account of an organization on moto: the management
account's dummy credentials, or a session assumed into OrganizationAccountAccessRole."""
import boto3


class Accounts:
    def __init__(self, endpoint, management, session_name):
        self.management = management
        self.session_name = session_name
        self.base = dict(endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing")

    def session(self, account):
        if account == self.management:
            return self.base
        creds = boto3.client("sts", **self.base).assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            RoleSessionName=self.session_name)["Credentials"]
        return dict(self.base,
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"])
