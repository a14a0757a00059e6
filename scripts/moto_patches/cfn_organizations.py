"""CloudFormation: Organizations OUs, accounts and policies, and RAM resource shares.

moto 5.2.5's CloudFormation has no model for AWS::Organizations::OrganizationalUnit,
AWS::Organizations::Account, AWS::Organizations::Policy or AWS::RAM::ResourceShare, so
without this module they would be placeholders (cfn_placeholders.py): an account id that no
organization knows, an OU that holds nothing, a share that shares nothing. A layout whose
network account shares its transit gateway with an OU through RAM, and whose workload
accounts attach to it (House Escort), then fails in the workload account: the gateway is not
visible there.

AWS creates these through the Organizations and RAM APIs (the resource types' documentation
in the CloudFormation User Guide): an OU under its ParentId, an account created in the
organization and moved to its ParentIds (Ref: the account id; attributes AccountId, Arn,
Status, JoinedMethod, JoinedTimestamp), a policy attached to its TargetIds (Ref: the policy
id), a resource share of ResourceArns with Principals (Ref: the share's ARN). Here they are
made in moto's own Organizations and RAM backends, so the organization, the OU tree and the
shares they leave behind are the ones the rest of this server reads (a transit gateway
shared with an OU is then visible in that OU's accounts: ec2_shared.py).

Deleting: an OU is deleted only when empty (organizations.py), an account is removed from
the organization, a policy detached then deleted, a share deleted. The layouts keep OUs and
accounts with DeletionPolicy Retain, which CloudFormation honours before any of this runs.
"""
import json

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.organizations.models import organizations_backends
from moto.ram.models import ram_backends

from .organizations import organization_of


def _backend(account_id):
    backend = organization_of(account_id)
    if backend is None:
        # The same answer Organizations gives outside an organization.
        backend = organizations_backends[account_id]["aws"]
    return backend


class OrganizationalUnit(CloudFormationModel):
    def __init__(self, account_id, ou):
        self.account_id = account_id
        self.ou = ou

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWS::Organizations::OrganizationalUnit"

    @property
    def physical_resource_id(self):
        return self.ou.id

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Id", "Arn")

    def get_cfn_attribute(self, attribute_name):
        return self.ou.id if attribute_name == "Id" else self.ou.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        backend = _backend(account_id)
        backend.validate_parent_id(props["ParentId"])
        created = backend.create_organizational_unit(
            Name=props["Name"], ParentId=props["ParentId"], Tags=props.get("Tags", [])
        )
        ou = backend.get_organizational_unit_by_id(created["OrganizationalUnit"]["Id"])
        return cls(account_id, ou)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties", {})
        original_resource.ou.name = props.get("Name", original_resource.ou.name)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass

    def delete(self, account_id, region_name):
        _backend(account_id).delete_organizational_unit(OrganizationalUnitId=self.ou.id)


class Account(CloudFormationModel):
    def __init__(self, account_id, account):
        self.account_id = account_id
        self.account = account

    @staticmethod
    def cloudformation_name_type():
        return "AccountName"

    @staticmethod
    def cloudformation_type():
        return "AWS::Organizations::Account"

    @property
    def physical_resource_id(self):
        return self.account.id

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("AccountId", "Arn", "Status", "JoinedMethod", "JoinedTimestamp")

    def get_cfn_attribute(self, attribute_name):
        a = self.account
        return {
            "AccountId": a.id,
            "Arn": a.arn,
            "Status": a.status,
            "JoinedMethod": a.joined_method,
            "JoinedTimestamp": a.create_time.isoformat(),
        }[attribute_name]

    @staticmethod
    def _place(backend, account, props):
        parents = props.get("ParentIds") or []
        if parents and parents[0] != account.parent_id:
            backend.move_account(
                AccountId=account.id,
                SourceParentId=account.parent_id,
                DestinationParentId=parents[0],
            )

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        backend = _backend(account_id)
        for parent in props.get("ParentIds") or []:
            backend.validate_parent_id(parent)
        status = backend.create_account(
            AccountName=props["AccountName"],
            Email=props["Email"],
            RoleName=props.get("RoleName", "OrganizationAccountAccessRole"),
            Tags=props.get("Tags", []),
        )
        account = backend.get_account_by_id(status["CreateAccountStatus"]["AccountId"])
        cls._place(backend, account, props)
        return cls(account_id, account)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties", {})
        account = original_resource.account
        cls._place(_backend(account_id), account, props)
        account.name = props.get("AccountName", account.name)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass

    def delete(self, account_id, region_name):
        _backend(account_id).remove_account_from_organization(AccountId=self.account.id)


class Policy(CloudFormationModel):
    def __init__(self, account_id, policy_id):
        self.account_id = account_id
        self.policy_id = policy_id

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWS::Organizations::Policy"

    @property
    def physical_resource_id(self):
        return self.policy_id

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Id", "Arn", "AwsManaged")

    def get_cfn_attribute(self, attribute_name):
        summary = _backend(self.account_id).describe_policy(PolicyId=self.policy_id)
        summary = summary["Policy"]["PolicySummary"]
        return {"Id": summary["Id"], "Arn": summary["Arn"], "AwsManaged": "false"}[attribute_name]

    @staticmethod
    def _content(props):
        content = props.get("Content", "")
        return content if isinstance(content, str) else json.dumps(content)

    def _targets(self):
        backend = _backend(self.account_id)
        return [t["TargetId"] for t in backend.list_targets_for_policy(PolicyId=self.policy_id)["Targets"]]

    def _attach(self, targets):
        backend = _backend(self.account_id)
        current = self._targets()
        for target in targets:
            if target not in current:
                backend.attach_policy(PolicyId=self.policy_id, TargetId=target)
        for target in current:
            if target not in targets:
                backend.detach_policy(PolicyId=self.policy_id, TargetId=target)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        created = _backend(account_id).create_policy(
            Name=props["Name"],
            Description=props.get("Description", ""),
            Content=cls._content(props),
            Type=props["Type"],
            Tags=props.get("Tags", []),
        )
        policy = cls(account_id, created["Policy"]["PolicySummary"]["Id"])
        policy._attach(props.get("TargetIds") or [])
        return policy

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties", {})
        _backend(account_id).update_policy(
            PolicyId=original_resource.policy_id,
            Name=props["Name"],
            Description=props.get("Description", ""),
            Content=cls._content(props),
        )
        original_resource._attach(props.get("TargetIds") or [])
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass

    def delete(self, account_id, region_name):
        self._attach([])
        _backend(account_id).delete_policy(PolicyId=self.policy_id)


class ResourceShare(CloudFormationModel):
    def __init__(self, account_id, region_name, arn):
        self.account_id = account_id
        self.region_name = region_name
        self.arn = arn

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWS::RAM::ResourceShare"

    @property
    def physical_resource_id(self):
        return self.arn

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name):
        return self.arn

    def _share(self):
        ram = ram_backends[self.account_id][self.region_name]
        return next(s for s in ram.resource_shares if s.arn == self.arn)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        created = ram_backends[account_id][region_name].create_resource_share(
            name=props["Name"],
            principals=props.get("Principals") or [],
            resourceArns=props.get("ResourceArns") or [],
            allowExternalPrincipals=props.get("AllowExternalPrincipals", True),
        )
        return cls(account_id, region_name, created["resourceShare"]["resourceShareArn"])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties", {})
        share = original_resource._share()
        share.name = props.get("Name", share.name)
        share.principals = []
        share.add_principals(props.get("Principals") or [])
        share.resource_arns = []
        share.add_resources(props.get("ResourceArns") or [])
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass

    def delete(self, account_id, region_name):
        ram_backends[account_id][region_name].delete_resource_share(self.arn)


# moto lists its CloudFormation models once; list them again with these.
parsing.get_model_list.cache_clear()
parsing.get_model_map.cache_clear()
parsing.get_name_type_map.cache_clear()
