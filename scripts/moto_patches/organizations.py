"""Organizations and RAM: one organization, seen from every account in it.

moto keeps an organization in its management account's backend; a member account's backend
is empty apart from DescribeOrganization and ListRoots, which moto forwards. RAM's
CreateResourceShare and AssociateResourceShare check an OU or organization principal
against the backend of the account that makes the share, and only among the OUs directly
under the root, so a share made in a member account (a network account sharing its transit
gateway with the workload OUs) fails with "OrganizationalUnit ... could not be found".

AWS resolves such principals against the organization the sharing account belongs to, at any
depth of the OU tree ("Sharing with an organization or OU", AWS RAM User Guide): here RAM looks
principals up in the organization's management backend, at any depth.

moto's DeleteOrganizationalUnit removes an OU that still holds accounts or OUs, leaving them
with no parent (ListParents then answers nothing). AWS refuses it with
OrganizationalUnitNotEmptyException ("DeleteOrganizationalUnit", AWS Organizations API
Reference): so does this server.
"""
import re

from moto.organizations.exceptions import OrganizationsClientError
from moto.organizations.models import OrganizationsBackend, organizations_backends
from moto.ram.exceptions import InvalidParameterException, UnknownResourceException
from moto.ram.models import ResourceShare

ORG_ARN = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:organization/(o-\w+)$")
OU_ARN = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:ou/(o-\w+)/(ou-[\w-]+)$")
PLAIN = re.compile(
    r"^(\d{12}|arn:aws(-cn|-us-gov)?:iam::\d{12}:(root|role/.+|user/.+)|[a-z0-9-]+\.amazonaws\.com)$"
)


def organization_of(account_id, partition="aws"):
    """The management backend of the organization `account_id` belongs to, or None."""
    master = organizations_backends.master_accounts.get(account_id, (account_id, partition))
    accounts = dict.get(organizations_backends, master[0])
    backend = dict.get(accounts, master[1]) if accounts is not None else None
    if backend is None or backend.org is None:
        return None
    return backend


def ou_ancestors(backend, account_id):
    """The ids of every OU (and the root) above `account_id`, nearest first."""
    parents = {ou.id: ou.parent_id for ou in backend.ou}
    account = next((a for a in backend.accounts if a.id == account_id), None)
    found, node = [], account.parent_id if account else None
    while node is not None and node not in found:
        found.append(node)
        node = parents.get(node)
    return found


def principal_covers(principal, account_id, partition="aws"):
    """Whether a RAM principal (an account id, an OU ARN, the organization ARN) includes
    `account_id`, as RAM decides who a share reaches."""
    if principal == account_id:
        return True
    backend = organization_of(account_id, partition)
    if backend is None:
        return False
    if ORG_ARN.match(principal):
        return principal == backend.org.arn
    match = OU_ARN.match(principal)
    return bool(match) and match.group(2) in ou_ancestors(backend, account_id)


def add_principals(self, principals):
    backend = organization_of(self.account_id, self.partition)
    for principal in principals:
        if match := ORG_ARN.match(principal):
            if backend is None or principal != backend.org.arn:
                raise UnknownResourceException(
                    f"Organization {match.group(1)} could not be found."
                )
        elif match := OU_ARN.match(principal):
            known = backend is not None and any(
                ou.arn == principal for ou in backend.ou if ou.type == "ORGANIZATIONAL_UNIT"
            )
            if not known:
                raise UnknownResourceException(
                    f"OrganizationalUnit {match.group(2)} in unknown organization could not be found."
                )
        elif not PLAIN.match(principal):
            raise InvalidParameterException(
                f"Principal ID {principal} is malformed. Verify the ID and try again."
            )
    self.principals.extend(principals)


ResourceShare.add_principals = add_principals


_delete_organizational_unit = OrganizationsBackend.delete_organizational_unit


def delete_organizational_unit(self, **kwargs):
    ou_id = kwargs["OrganizationalUnitId"]
    if any(a.parent_id == ou_id for a in self.accounts) or any(
        ou.parent_id == ou_id for ou in self.ou
    ):
        raise OrganizationsClientError(
            "OrganizationalUnitNotEmptyException",
            "The specified OU is not empty. Move all accounts to another root or OU. "
            "Remove all child OUs, and try again.",
        )
    return _delete_organizational_unit(self, **kwargs)


OrganizationsBackend.delete_organizational_unit = delete_organizational_unit
