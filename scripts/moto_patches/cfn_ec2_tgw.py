"""CloudFormation: transit gateway attachments, route tables, associations and routes.

moto 5.2.5's CloudFormation models AWS::EC2::TransitGateway but not the types that hang off
it: AWS::EC2::TransitGatewayAttachment, TransitGatewayRouteTable,
TransitGatewayRouteTableAssociation and TransitGatewayRoute would be placeholders
(cfn_placeholders.py), so a stack wiring a workload VPC to a hub would succeed without any of
it existing. Here they are made through moto's own EC2 backend (with this project's
corrections for a gateway shared through RAM, ec2_shared.py), as the types' documentation in
the CloudFormation User Guide describes them: Ref of an attachment, a route table or an
association is its id (an association's is `<route table id>|<attachment id>`), a route's is
`<route table id>_<destination>`.

One difference stays, because moto's CloudFormation creates resources synchronously: an
attachment to a gateway another account shares, whose AutoAcceptSharedAttachments is
`disable`, is left in `pendingAcceptance` and its stack completes; AWS's resource handler
waits for the attachment to leave its pending states. Either way, only the gateway's owner
can accept it (AcceptTransitGatewayVpcAttachment), and an association of an attachment that
is not `available` is refused with IncorrectState (ec2_shared.py), as AWS refuses it.
"""
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends


def _tags(props):
    return {t["Key"]: t["Value"] for t in props.get("Tags") or []}


class _Model:
    """What the four models share (moto lists only direct subclasses of CloudFormationModel)."""

    def __init__(self, physical_id, account_id, region_name):
        self.physical_id = physical_id
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_name_type():
        return ""

    @property
    def physical_resource_id(self):
        return self.physical_id

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Id"

    def get_cfn_attribute(self, attribute_name):
        return self.physical_id

    def backend(self):
        return ec2_backends[self.account_id][self.region_name]

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        # Every property these types' updates could change is create-only here: replace.
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass


class TransitGatewayAttachment(_Model, CloudFormationModel):
    @staticmethod
    def cloudformation_type():
        return "AWS::EC2::TransitGatewayAttachment"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        attachment = ec2_backends[account_id][region_name].create_transit_gateway_vpc_attachment(
            transit_gateway_id=props["TransitGatewayId"],
            vpc_id=props["VpcId"],
            subnet_ids=props.get("SubnetIds") or [],
            tags=_tags(props),
            options=props.get("Options") or {},
        )
        return cls(attachment.id, account_id, region_name)

    def delete(self, account_id, region_name):
        self.backend().delete_transit_gateway_vpc_attachment(self.physical_id)


class TransitGatewayRouteTable(_Model, CloudFormationModel):
    @staticmethod
    def cloudformation_type():
        return "AWS::EC2::TransitGatewayRouteTable"

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "TransitGatewayRouteTableId"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        table = ec2_backends[account_id][region_name].create_transit_gateway_route_table(
            transit_gateway_id=props["TransitGatewayId"], tags=_tags(props)
        )
        return cls(table.id, account_id, region_name)

    def delete(self, account_id, region_name):
        self.backend().delete_transit_gateway_route_table(self.physical_id)


class TransitGatewayRouteTableAssociation(_Model, CloudFormationModel):
    @staticmethod
    def cloudformation_type():
        return "AWS::EC2::TransitGatewayRouteTableAssociation"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        table, attachment = props["TransitGatewayRouteTableId"], props["TransitGatewayAttachmentId"]
        ec2_backends[account_id][region_name].associate_transit_gateway_route_table(
            transit_gateway_attachment_id=attachment, transit_gateway_route_table_id=table
        )
        return cls(f"{table}|{attachment}", account_id, region_name)

    def delete(self, account_id, region_name):
        table, attachment = self.physical_id.split("|")
        self.backend().disassociate_transit_gateway_route_table(attachment, table)


class TransitGatewayRoute(_Model, CloudFormationModel):
    @staticmethod
    def cloudformation_type():
        return "AWS::EC2::TransitGatewayRoute"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        table, cidr = props["TransitGatewayRouteTableId"], props["DestinationCidrBlock"]
        ec2_backends[account_id][region_name].create_transit_gateway_route(
            transit_gateway_route_table_id=table,
            destination_cidr_block=cidr,
            transit_gateway_attachment_id=props.get("TransitGatewayAttachmentId"),
            blackhole=bool(props.get("Blackhole", False)),
        )
        return cls(f"{table}_{cidr}", account_id, region_name)

    def delete(self, account_id, region_name):
        table, cidr = self.physical_id.split("_", 1)
        self.backend().delete_transit_gateway_route(table, cidr)


# ---- Deleting what a VPC stack holds ----
#
# moto's CloudFormation deletes a stack's VPC and subnets but not its route tables, routes,
# subnet associations, flow logs or transit gateways (their models have no delete), so
# deleting a stack with a private route table fails on the VPC with DependencyViolation. AWS deletes each of them
# (DeleteStack, in reverse dependency order); so does this server.

from moto.ec2.models.flow_logs import FlowLogs  # noqa: E402
from moto.ec2.models.route_tables import Route, RouteTable  # noqa: E402
from moto.ec2.models.subnets import SubnetRouteTableAssociation  # noqa: E402
from moto.ec2.models.transit_gateway import TransitGateway  # noqa: E402


def _delete_route_table(self, account_id, region_name):
    backend = ec2_backends[account_id][region_name]
    if self.id in backend.route_tables:
        backend.delete_route_table(self.id)


def _delete_route(self, account_id, region_name):
    backend = ec2_backends[account_id][region_name]
    # A route goes with its table (DeleteRouteTable takes the routes with it).
    if self.destination_cidr_block and self.route_table.id in backend.route_tables:
        backend.delete_route(self.route_table.id, self.destination_cidr_block)


def _delete_subnet_association(self, account_id, region_name):
    backend = ec2_backends[account_id][region_name]
    table = backend.route_tables.get(self.route_table_id)
    if table is None:
        return
    for association_id, subnet_id in list(table._associations.items()):
        if subnet_id == self.subnet_id:
            backend.disassociate_route_table(association_id)


def _delete_flow_log(self, account_id, region_name):
    backend = ec2_backends[account_id][region_name]
    if self.id in backend.flow_logs:
        backend.delete_flow_logs([self.id])


def _delete_transit_gateway(self, account_id, region_name):
    backend = ec2_backends[account_id][region_name]
    if self.id in backend.transit_gateways:
        backend.delete_transit_gateway(self.id)


TransitGateway.delete = _delete_transit_gateway
RouteTable.delete = _delete_route_table
Route.delete = _delete_route
SubnetRouteTableAssociation.delete = _delete_subnet_association
FlowLogs.delete = _delete_flow_log


# moto lists its CloudFormation models once; list them again with these.
parsing.get_model_list.cache_clear()
parsing.get_model_map.cache_clear()
parsing.get_name_type_map.cache_clear()
