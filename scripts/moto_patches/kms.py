"""KMS: a key made by CloudFormation with its policy written as a JSON object.

moto 5.2.5's AWS::KMS::Key keeps the template's KeyPolicy as it comes; written as an object
(as templates usually write it) it is then stored as a dict, and DescribeKey and
GetKeyPolicy fail with a 500 (json.loads of a dict). CloudFormation takes KeyPolicy as an
object or a string and KMS stores the policy document as text (AWS::KMS::Key, CloudFormation
User Guide): here an object is serialised before the key is made.
"""
import json

from moto.kms.models import Key

_create_from_cloudformation_json = Key.create_from_cloudformation_json.__func__


@classmethod
def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    if isinstance(properties.get("KeyPolicy"), (dict, list)):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    return _create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )


Key.create_from_cloudformation_json = create_from_cloudformation_json
