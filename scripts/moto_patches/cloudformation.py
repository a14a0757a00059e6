"""CloudFormation: a stack made or changed by executing a change set.

moto 5.2.5's ExecuteChangeSet creates or updates the change set's resources, but the stack
keeps the outputs computed when it was first made (none for a CREATE change set: the stack is
empty then), its template text unparsed and the parameters of its first change set, and it
never has a LastUpdatedTime. AWS gives the stack the template, parameters and outputs of the
change set it executes, and sets LastUpdatedTime when an update runs (ExecuteChangeSet and
DescribeStacks, CloudFormation API Reference): here the stack takes them once the change set
is applied, so its outputs can feed the stacks that read them and a waiter can tell a new
UPDATE_COMPLETE from the previous one.
"""
from moto.cloudformation.models import CloudFormationBackend
from moto.core.utils import utcnow

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
    result = _execute_change_set(self, change_set_name, stack_name)
    change_set = _find(self, change_set_name, stack_name)
    if change_set is not None:
        stack = self.stacks[change_set.stack_id]
        stack.template = change_set.template
        stack._parse_template()
        if change_set.parameters is not None:
            stack.parameters = change_set.parameters
        stack.output_map = stack._create_output_map()
        if change_set.change_set_type == "UPDATE":
            stack.last_updated_time = utcnow()
    return result


CloudFormationBackend.execute_change_set = execute_change_set
