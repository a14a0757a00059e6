"""CloudFormation: resource types moto's CloudFormation does not create.

moto 5.2.5's CloudFormation creates the types it models (S3 buckets, DynamoDB tables, IAM
roles, KMS keys...) and skips the others with a warning: the stack is created without them,
and a `Ref` or `Fn::GetAtt` naming one (a GuardDuty detector's id in an output, for
instance) fails the whole stack with "Fn::GetAtt references undefined resource". A
custom resource (`Custom::...`) is sent to its Lambda function, which moto runs only in
Docker, so without Docker its stack never leaves CREATE_IN_PROGRESS.

AWS creates every registered type. This is not a correction but a stand-in, so that the
CloudFormation engine's ordering and wiring (stacks in dependency order, outputs read by
stacks in other accounts as parameters, accounts made in one stack and deployed into by the
next) can be rehearsed on a whole layout: such a resource becomes a placeholder that records
its properties, has a physical id, and answers every attribute with a stable value of the
right shape (`AccountId`: twelve digits; `Arn`: an ARN; anything else: the physical id and
the attribute's name). Nothing is created behind it: a test reads back only the types moto
really creates. WaitCondition and WaitConditionHandle stay as moto has them. Organizations,
RAM shares and the transit gateway's attachments and route tables are not placeholders:
cfn_organizations.py and cfn_ec2_tgw.py make them in moto's backends.
"""
import hashlib

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

_resource_class_from_type = parsing.resource_class_from_type


class Placeholder(CloudFormationModel):
    def __init__(self, name, resource_type, properties, account_id, region_name):
        self.name = name
        self.resource_type = resource_type
        self.properties = properties
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_type():
        return "?"

    @property
    def physical_resource_id(self):
        return self.name

    @classmethod
    def has_cfn_attr(cls, attr):
        return True

    def _digits(self, salt):
        digest = hashlib.sha256(f"{self.account_id}/{self.name}/{salt}".encode()).hexdigest()
        return str(int(digest, 16))[-12:].rjust(12, "1")

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "AccountId":
            return self._digits("AccountId")
        if attribute_name == "Arn" or attribute_name.endswith("Arn"):
            service = self.resource_type.split("::")[1].lower()
            kind = self.resource_type.split("::")[-1].lower()
            return f"arn:aws:{service}:{self.region_name}:{self.account_id}:{kind}/{self.name}"
        return f"{self.name}-{attribute_name}"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(
            resource_name,
            kwargs.get("ResourceType", "?"),
            cloudformation_json.get("Properties", {}),
            account_id,
            region_name,
        )

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        original_resource.properties = cloudformation_json.get("Properties", {})
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass


def resource_class_from_type(resource_type):
    if resource_type in parsing.NULL_MODELS:
        return None
    if resource_type.startswith("Custom::") or resource_type not in parsing.get_model_map():
        return Placeholder
    return _resource_class_from_type(resource_type)


parsing.resource_class_from_type = resource_class_from_type
