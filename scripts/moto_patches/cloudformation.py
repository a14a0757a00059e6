"""CloudFormation: a stack made or changed by executing a change set.

moto 5.2.5's ExecuteChangeSet creates or updates the change set's resources, but the stack
keeps the outputs computed when it was first made (none for a CREATE change set: the stack is
empty then), its template text unparsed and the parameters of its first change set, and it
never has a LastUpdatedTime. AWS gives the stack the template, parameters and outputs of the
change set it executes, and sets LastUpdatedTime when an update runs (ExecuteChangeSet and
DescribeStacks, CloudFormation API Reference): here the stack takes them once the change set
is applied, so its outputs can feed the stacks that read them and a waiter can tell a new
UPDATE_COMPLETE from the previous one. Likewise its exported outputs become the region's
exports, and a stack made by a change set reads them (moto wires exports only into
CreateStack), so another stack of the account can `Fn::ImportValue` them.

moto 5.2.5's DescribeStackResource(s) walks the stack's lazy resource map, which creates every
resource not created yet: asked while a change set executes (by a deployer that watches a
resource appear), it makes a second VPC, subnet or flow log beside the execution's, and the
execution then fails on the conflict. AWS only reads: a resource the operation has not reached
yet "does not exist for stack". Here they read the resources already made.

moto 5.2.5 has no DescribeOrganizationsAccess, which a deployer asks before rolling out a
service-managed StackSet (AWS answers whether CloudFormation's trusted access with
Organizations is ENABLED or DISABLED). moto's service-managed StackSets reach the accounts of
the organization's OUs without any such switch: here the answer is ENABLED when the caller's
organization exists (the state moto's StackSets behave as), DISABLED otherwise.
"""
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.organizations.models import organizations_backends

_execute_change_set = CloudFormationBackend.execute_change_set


def _find(backend, change_set_name, stack_name):
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == change_set_name and stack_name in (
            None,
            change_set.stack_name,
            change_set.stack_id,
        ):
            return change_set
    return None


def execute_change_set(self, change_set_name, stack_name=None):
    change_set = _find(self, change_set_name, stack_name)
    if change_set is not None and change_set.stack_id in self.stacks:
        # A stack made by CreateChangeSet reads the region's exports (Fn::ImportValue) like
        # one made by CreateStack.
        stack = self.stacks[change_set.stack_id]
        stack.cross_stack_resources = self.exports
        if getattr(stack, "resource_map", None) is not None:
            stack.resource_map.cross_stack_resources = self.exports
    result = _execute_change_set(self, change_set_name, stack_name)
    if change_set is not None:
        stack = self.stacks[change_set.stack_id]
        stack.template = change_set.template
        stack._parse_template()
        if change_set.parameters is not None:
            stack.parameters = change_set.parameters
        before = {e.name for e in stack.exports}
        stack.output_map = stack._create_output_map()
        # The stack's exports are its outputs' now: an output that lost its Export drops it.
        for name in before:
            self.exports.pop(name, None)
        for export in stack.exports:
            self.exports[export.name] = export
        if change_set.change_set_type == "UPDATE":
            stack.last_updated_time = utcnow()
    return result


CloudFormationBackend.execute_change_set = execute_change_set


def describe_organizations_access(self):
    backend = organizations_backends[self.current_account][self.partition]
    return ActionResult({"Status": "ENABLED" if backend.org is not None else "DISABLED"})


CloudFormationResponse.describe_organizations_access = describe_organizations_access


def _made(stack):
    """The stack's resources created so far, without creating any."""
    resource_map = stack.resource_map
    made = resource_map._parsed_resources
    return [made[name] for name in resource_map._resource_json_map if made.get(name) is not None]


def describe_stack_resource(self, stack_name, logical_resource_id):
    stack = self.get_stack(stack_name)
    for resource in _made(stack):
        if getattr(resource, "logical_resource_id", None) == logical_resource_id:
            return stack, resource
    message = f"Resource {logical_resource_id} does not exist for stack {stack_name}"
    raise ValidationError(stack_name, message)


def describe_stack_resources(self, stack_name, logical_resource_id):
    stack = self.get_stack(stack_name)
    made = _made(stack)
    if logical_resource_id is not None:
        return stack, [r for r in made if getattr(r, "logical_resource_id", None) == logical_resource_id]
    return stack, made


CloudFormationBackend.describe_stack_resource = describe_stack_resource
CloudFormationBackend.describe_stack_resources = describe_stack_resources
