"""CloudFormation StackSets: what a service-managed StackSet says about itself.

moto 5.2.5 accepts Capabilities and AutoDeployment in CreateStackSet and UpdateStackSet but
keeps neither, so DescribeStackSet answers without them; and the stack instances it makes for
the accounts of an OU do not say which OU (ListStackInstances' OrganizationalUnitId). AWS
returns all three (DescribeStackSet: StackSet.Capabilities, StackSet.AutoDeployment;
ListStackInstances: StackInstanceSummary.OrganizationalUnitId), which is how a deployer tells
a StackSet that is up to date, and the OUs it already lands in, from one to change. Here the
StackSet keeps them.
"""
from moto.cloudformation.models import StackInstance, StackInstances
from moto.cloudformation.responses import CloudFormationResponse

_create_stack_set = CloudFormationResponse.create_stack_set
_update_stack_set = CloudFormationResponse.update_stack_set
_create_instances = StackInstances.create_instances
_to_dict = StackInstance.to_dict


def _keep(response, name):
    stackset = response.cloudformation_backend.describe_stack_set(name)
    capabilities = response._get_param("Capabilities", [])
    if capabilities or not hasattr(stackset, "capabilities"):
        stackset.capabilities = capabilities
    auto = response._get_param("AutoDeployment")
    if auto is not None:
        stackset.auto_deployment = {
            "Enabled": str(auto.get("Enabled", "false")).lower() == "true",
            "RetainStacksOnAccountRemoval": str(
                auto.get("RetainStacksOnAccountRemoval", "false")).lower() == "true",
        }


def create_stack_set(self):
    result = _create_stack_set(self)
    _keep(self, self._get_param("StackSetName"))
    return result


def update_stack_set(self):
    result = _update_stack_set(self)
    _keep(self, self._get_param("StackSetName"))
    return result


def create_instances(self, accounts, regions, parameters, deployment_targets, permission_model):
    made = _create_instances(self, accounts, regions, parameters, deployment_targets,
                             permission_model)
    requested = (deployment_targets or {}).get("OrganizationalUnitIds", [])
    parents = {ou.id: ou.parent_id for ou in self.org_backend.ou}
    owner = {a.id: a.parent_id for a in self.org_backend.accounts}
    for instance in self.stack_instances:
        if getattr(instance, "organizational_unit_id", None) is not None:
            continue
        parent = owner.get(instance.account_id)
        if parent in requested:
            instance.organizational_unit_id = parent
        elif parents.get(parent) in requested:
            instance.organizational_unit_id = parents[parent]
    return made


def to_dict(self):
    result = _to_dict(self)
    if getattr(self, "organizational_unit_id", None) is not None:
        result["OrganizationalUnitId"] = self.organizational_unit_id
    return result


CloudFormationResponse.create_stack_set = create_stack_set
CloudFormationResponse.update_stack_set = update_stack_set
StackInstances.create_instances = create_instances
StackInstance.to_dict = to_dict
