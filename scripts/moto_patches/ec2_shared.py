"""EC2: a transit gateway shared through RAM, used from the accounts it is shared with.

moto keeps each account's EC2 objects apart and looks a transit gateway up only in the
caller's own account, so in the account a gateway is shared with:
- CreateTransitGatewayVpcAttachment fails (InvalidTransitGatewayID.NotFound);
- DescribeTransitGateways does not list the gateway;
- CreateRoute/ReplaceRoute with a TransitGatewayId store the route without its target;
and in the gateway's own account the attachment is unknown, so the owner cannot accept it,
associate it with a route table, propagate it or route to it. moto also has no
AcceptTransitGatewayVpcAttachment, makes every attachment `available` at once, and answers
TransitGatewayOwnerId with the VPC's account.

AWS ("Transit gateway sharing considerations", Amazon VPC Transit Gateways guide): a gateway
shared through RAM with an account (directly, through an OU it is in at any depth, or through
its organization) is visible there and attachable; the attachment is one object that both the
VPC's account and the gateway's account see; when the gateway's AutoAcceptSharedAttachments is
`disable` the attachment waits in `pendingAcceptance` until the gateway's owner accepts it
(AcceptTransitGatewayVpcAttachment), and only then joins the gateway's default route table when
DefaultRouteTableAssociation is `enable`. That is what this module serves.

An attachment in the gateway's own account joins the default route table only when
DefaultRouteTableAssociation is `enable` (moto joins it always), so it can be associated with
the route table the app names, the one association AWS allows.

It also corrects one answer shape: moto stores a transit gateway route's
TransitGatewayAttachments as one object instead of a list, which the SDK drops.
"""
from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError, InvalidTransitGatewayID
from moto.ec2.models import ec2_backends
from moto.ec2.models.route_tables import RouteBackend
from moto.ec2.models.transit_gateway import TransitGatewayBackend
from moto.ec2.models.transit_gateway_attachments import (
    TransitGatewayAttachment,
    TransitGatewayAttachmentBackend,
    TransitGatewayVpcAttachment,
)
from moto.ec2.models.transit_gateway_route_tables import TransitGatewayRouteTableBackend
from moto.ec2.responses import EC2Response
from moto.ram.models import ram_backends

from .organizations import principal_covers


def _region_backends(region):
    """Every account's existing EC2 backend in `region`."""
    for account_id, regions in list(ec2_backends.items()):
        backend = dict.get(regions, region)
        if backend is not None:
            yield account_id, backend


def _shared_with(gateway, account_id):
    owner = gateway.ec2_backend
    ram_accounts = dict.get(ram_backends, owner.account_id)
    ram = dict.get(ram_accounts, owner.region_name) if ram_accounts is not None else None
    if ram is None:
        return False
    return any(
        share.status == "ACTIVE"
        and gateway.arn in share.resource_arns
        and any(principal_covers(p, account_id, owner.partition) for p in share.principals)
        for share in ram.resource_shares
    )


def shared_gateways(backend):
    """Transit gateways of other accounts in this region that RAM shares with this one."""
    for account_id, other in _region_backends(backend.region_name):
        if account_id == backend.account_id:
            continue
        for gateway in other.transit_gateways.values():
            if _shared_with(gateway, backend.account_id):
                yield gateway


def visible_gateway(backend, gateway_id):
    """The gateway `gateway_id` as this account sees it: its own, or one shared with it."""
    own = backend.transit_gateways.get(gateway_id)
    if own is not None:
        return own
    return next((g for g in shared_gateways(backend) if g.id == gateway_id), None)


# ---- DescribeTransitGateways ----

_describe_gateways = TransitGatewayBackend.describe_transit_gateways


def describe_transit_gateways(self, filters, transit_gateway_ids):
    own = _describe_gateways(self, filters, transit_gateway_ids)
    saved = self.transit_gateways
    shared = {g.id: g for g in shared_gateways(self)}
    if not shared:
        return own
    try:
        # Filter the shared gateways with moto's own filter code.
        self.transit_gateways = shared
        return own + _describe_gateways(self, filters, transit_gateway_ids)
    finally:
        self.transit_gateways = saved


TransitGatewayBackend.describe_transit_gateways = describe_transit_gateways


# ---- VPC attachments to a shared gateway ----

TransitGatewayAttachment.transit_gateway_owner_id = property(
    lambda self: getattr(self, "gateway_owner_id", self.resource_owner_id)
)

_create_attachment = TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment


def create_transit_gateway_vpc_attachment(
    self, transit_gateway_id, vpc_id, subnet_ids, tags=None, options=None
):
    if transit_gateway_id in self.transit_gateways:
        attachment = _create_attachment(self, transit_gateway_id, vpc_id, subnet_ids, tags, options)
        gateway = self.transit_gateways[transit_gateway_id]
        if gateway.options.get("DefaultRouteTableAssociation") != "enable":
            # moto joins every attachment to the default route table; AWS only when
            # DefaultRouteTableAssociation is `enable`.
            table = attachment.transit_gateway_route_table
            self.unset_route_table_association(table.id, attachment.id)
            self.unset_attachment_association(attachment.id)
            attachment.transit_gateway_route_table = None
        return attachment
    gateway = visible_gateway(self, transit_gateway_id)
    if gateway is None:
        msg = f"Transit Gateway {transit_gateway_id} was deleted or does not exist."
        raise InvalidTransitGatewayID(transit_gateway_id, msg)
    owner = gateway.ec2_backend
    attachment = TransitGatewayVpcAttachment(
        self,
        transit_gateway=gateway,
        tags=tags,
        vpc_id=vpc_id,
        subnet_ids=subnet_ids,
        options=options,
    )
    attachment.gateway_owner_id = owner.account_id
    attachment.transit_gateway_route_table = None
    attachment.backends = (self, owner)
    self.transit_gateway_attachments[attachment.id] = attachment
    owner.transit_gateway_attachments[attachment.id] = attachment
    if gateway.options.get("AutoAcceptSharedAttachments") == "enable":
        _join(owner, gateway, attachment)
    else:
        attachment.state = "pendingAcceptance"
    return attachment


def _join(owner, gateway, attachment):
    attachment.state = "available"
    if gateway.options.get("DefaultRouteTableAssociation") == "enable":
        attachment.transit_gateway_route_table = gateway.default_route_table
        owner.set_route_table_association(
            transit_gateway_attachment_id=attachment.id,
            transit_gateway_route_table_id=gateway.default_route_table.id,
        )


def accept_transit_gateway_vpc_attachment(self, transit_gateway_attachment_id):
    attachment = self.transit_gateway_attachments.get(transit_gateway_attachment_id)
    gateway = self.transit_gateways.get(getattr(attachment, "transit_gateway_id", None))
    if attachment is None or gateway is None:
        # Only the gateway's owner sees an attachment it can accept.
        msg = f"Transit Gateway Attachment {transit_gateway_attachment_id} was deleted or does not exist."
        raise InvalidTransitGatewayID(transit_gateway_attachment_id, msg)
    if attachment.state == "pendingAcceptance":
        _join(self, gateway, attachment)
    return attachment


TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment = (
    create_transit_gateway_vpc_attachment
)
TransitGatewayAttachmentBackend.accept_transit_gateway_vpc_attachment = (
    accept_transit_gateway_vpc_attachment
)

_delete_attachment = TransitGatewayAttachmentBackend.delete_transit_gateway_vpc_attachment


def delete_transit_gateway_vpc_attachment(self, transit_gateway_attachment_id):
    attachment = _delete_attachment(self, transit_gateway_attachment_id)
    # Either account may delete it; it is gone for both.
    for backend in getattr(attachment, "backends", ()):
        backend.transit_gateway_attachments.pop(transit_gateway_attachment_id, None)
    return attachment


TransitGatewayAttachmentBackend.delete_transit_gateway_vpc_attachment = (
    delete_transit_gateway_vpc_attachment
)


def _accept_response(self):
    attachment = self.ec2_backend.accept_transit_gateway_vpc_attachment(
        transit_gateway_attachment_id=self._get_param("TransitGatewayAttachmentId")
    )
    return ActionResult({"TransitGatewayVpcAttachment": attachment})


EC2Response.accept_transit_gateway_vpc_attachment = _accept_response


# ---- Routes to a shared gateway ----

_create_route = RouteBackend.create_route
_replace_route = RouteBackend.replace_route


def _target_shared(self, route, transit_gateway_id):
    if transit_gateway_id is None or route.transit_gateway is not None:
        return route
    gateway = visible_gateway(self, transit_gateway_id)
    if gateway is None:
        msg = f"Transit Gateway {transit_gateway_id} was deleted or does not exist."
        raise InvalidTransitGatewayID(transit_gateway_id, msg)
    route.transit_gateway = gateway
    return route


def create_route(self, *args, **kwargs):
    route = _create_route(self, *args, **kwargs)
    return _target_shared(self, route, kwargs.get("transit_gateway_id"))


def replace_route(self, *args, **kwargs):
    route = _replace_route(self, *args, **kwargs)
    return _target_shared(self, route, kwargs.get("transit_gateway_id"))


RouteBackend.create_route = create_route
RouteBackend.replace_route = replace_route


# ---- Transit gateway routes: attachments as a list ----

_create_tgw_route = TransitGatewayRouteTableBackend.create_transit_gateway_route


def create_transit_gateway_route(self, *args, **kwargs):
    route = _create_tgw_route(self, *args, **kwargs)
    attachments = route.get("transitGatewayAttachments")
    if isinstance(attachments, dict):
        route["transitGatewayAttachments"] = [attachments]
    return route


TransitGatewayRouteTableBackend.create_transit_gateway_route = create_transit_gateway_route


# ---- Associations need an available attachment ----

_associate = TransitGatewayRouteTableBackend.associate_transit_gateway_route_table


def associate_transit_gateway_route_table(self, transit_gateway_attachment_id, transit_gateway_route_table_id):
    # AWS refuses to associate an attachment that is not available yet (one waiting for the
    # gateway owner's acceptance, for instance) with IncorrectState; moto associates it.
    attachment = self.transit_gateway_attachments.get(transit_gateway_attachment_id)
    if attachment is not None and attachment.state != "available":
        raise EC2ClientError(
            "IncorrectState",
            f"Transit Gateway Attachment {transit_gateway_attachment_id} is in invalid state "
            f"{attachment.state}.",
        )
    return _associate(self, transit_gateway_attachment_id, transit_gateway_route_table_id)


TransitGatewayRouteTableBackend.associate_transit_gateway_route_table = (
    associate_transit_gateway_route_table
)
