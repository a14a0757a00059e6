//! The transit hub: a Transit Gateway with no default association, propagation or
//! auto-accept, shared through RAM, one route table per attachment and explicit routes.
//! Workloads reach shared services, never each other.

use landform_core::{
    kinds, text, Issue, NodeId, Pseudo, Resource, ResourceHandle, Scope, StackProps, SubPart,
    Token, Value,
};

use crate::cidr::Cidr;
use crate::network::WorkloadNetwork;
use crate::util::arn;

/// Options of a [`TransitHub`].
///
/// ```
/// use landform_constructs::TransitHubProps;
/// assert_eq!(TransitHubProps::default().amazon_side_asn, 64512);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitHubProps {
    /// Private ASN of the Amazon side (64512-65534 or 4200000000-4294967294).
    pub amazon_side_asn: u32,
    /// Description of the gateway.
    pub description: String,
    /// Accounts the gateway is shared with through RAM.
    pub share_with_accounts: Vec<Token<kinds::AccountId>>,
    /// Organizational units (by ARN) the gateway is shared with through RAM.
    pub share_with_organizational_units: Vec<Token<kinds::Arn>>,
}

impl Default for TransitHubProps {
    fn default() -> Self {
        TransitHubProps {
            amazon_side_asn: 64512,
            description: "Landform transit hub".into(),
            share_with_accounts: Vec::new(),
            share_with_organizational_units: Vec::new(),
        }
    }
}

/// What an attachment is to the hub: a workload reaches shared services only; shared
/// services reach everything attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentRole {
    /// A workload VPC.
    Workload,
    /// A shared-services VPC (registry, DNS, ...).
    SharedServices,
}

#[derive(Debug, Clone)]
struct Attached {
    name: String,
    cidr: Option<Cidr>,
    role: AttachmentRole,
    node: NodeId,
    attachment: ResourceHandle,
    hub_table: ResourceHandle,
    network: WorkloadNetwork,
    /// Routes of this attachment's hub route table: destination and target attachment name.
    routes: Vec<(Cidr, String)>,
}

/// The Transit Gateway hub (in the infrastructure account) and its routing.
///
/// The gateway, RAM share and route tables live in the stack of `scope`; associations and
/// routes live in a sibling stack `<id>Routes` of the same stage, because they need the
/// attachment ids created in workload accounts, which themselves need the gateway id.
///
/// ```
/// use landform_constructs::*;
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let infra = app.add_stage("Infrastructure", Environment::new("444444444444", "us-east-1"));
/// let stack = app.add_stack(infra, "Network");
/// let mut hub = TransitHub::new(&mut app.scope(stack), "Hub", TransitHubProps::default());
/// let logs = landform_core::Token::literal("arn:aws:s3:::central-logs");
/// let shared = WorkloadNetwork::new(&mut app.scope(stack), "Shared",
///     WorkloadNetworkProps::new("10.0.0.0/16", hub.transit_gateway_id(), logs.clone()));
/// hub.attach(&mut app.root(), "Shared", &shared, AttachmentRole::SharedServices);
/// let prod = app.add_stage("Prod", Environment::new("555555555555", "us-east-1"));
/// let prod_stack = app.add_stack(prod, "Network");
/// let a = WorkloadNetwork::new(&mut app.scope(prod_stack), "Vpc", WorkloadNetworkProps::new("10.1.0.0/16", hub.transit_gateway_id(), logs.clone()));
/// hub.attach(&mut app.root(), "Prod", &a, AttachmentRole::Workload);
/// let b = WorkloadNetwork::new(&mut app.scope(prod_stack), "Vpc2", WorkloadNetworkProps::new("10.2.0.0/16", hub.transit_gateway_id(), logs));
/// hub.attach(&mut app.root(), "Staging", &b, AttachmentRole::Workload);
/// assert!(hub.can_reach("Prod", "Shared"));
/// assert!(!hub.can_reach("Prod", "Staging"));
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct TransitHub {
    node: NodeId,
    routes_node: NodeId,
    gateway: ResourceHandle,
    share: Option<ResourceHandle>,
    attached: Vec<Attached>,
}

fn valid_private_asn(asn: u32) -> bool {
    (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn)
}

impl TransitHub {
    /// Create the hub under `scope` (a stack of the infrastructure account).
    pub fn new(scope: &mut Scope<'_>, id: &str, props: TransitHubProps) -> Self {
        let stage = scope.tree().stage_of(scope.node());
        let mut inner = scope.child(id, "TransitHub");
        if !valid_private_asn(props.amazon_side_asn) {
            inner.report(Issue::new(
                "TransitHub.AmazonSideAsn",
                "amazon_side_asn",
                props.amazon_side_asn,
                "the Amazon side ASN is private: 64512-65534 or 4200000000-4294967294",
            ));
        }
        let gateway = inner.add_resource(
            "Gateway",
            Resource::new("AWS::EC2::TransitGateway")
                .property("AmazonSideAsn", props.amazon_side_asn)
                .property("AutoAcceptSharedAttachments", "disable")
                .property("DefaultRouteTableAssociation", "disable")
                .property("DefaultRouteTablePropagation", "disable")
                .property("DnsSupport", "enable")
                .property("VpnEcmpSupport", "enable")
                .property("Description", props.description.as_str())
                .property(
                    "Tags",
                    Value::array([Value::object([
                        ("Key", Value::from("Name")),
                        ("Value", Value::from(id)),
                    ])]),
                ),
        );
        let mut share = None;
        let principals: Vec<Value> = props
            .share_with_accounts
            .iter()
            .map(Value::from)
            .chain(
                props
                    .share_with_organizational_units
                    .iter()
                    .map(Value::from),
            )
            .collect();
        if !principals.is_empty() {
            let gateway_arn = arn([
                text("ec2:"),
                SubPart::Value(Pseudo::Region.into()),
                text(":"),
                SubPart::Value(Pseudo::AccountId.into()),
                text(":transit-gateway/"),
                SubPart::Value(gateway.ref_value()),
            ]);
            share = Some(
                inner.add_resource(
                    "Share",
                    Resource::new("AWS::RAM::ResourceShare")
                        .property("Name", format!("{id}-transit-gateway"))
                        .property("AllowExternalPrincipals", false)
                        .property("Principals", Value::Array(principals))
                        .property("ResourceArns", Value::array([gateway_arn])),
                ),
            );
        }
        let node = inner.node();
        let routes_node = match stage {
            Some(stage) => {
                let stack = inner.at(stage).add_stack(
                    &format!("{id}Routes"),
                    StackProps {
                        description: Some(format!(
                            "Landform: route table associations and routes of transit hub {id}"
                        )),
                    },
                );
                inner.at(stack).child(id, "TransitHubRoutes").node()
            }
            None => {
                inner.report(Issue::new(
                    "TransitHub.OutsideStage",
                    "scope",
                    id,
                    "a transit hub is created in a stack of a stage (the infrastructure account)",
                ));
                node
            }
        };
        TransitHub {
            node,
            routes_node,
            gateway,
            share,
            attached: Vec::new(),
        }
    }

    /// The gateway id, to pass to [`WorkloadNetworkProps`](crate::WorkloadNetworkProps).
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let infra = app.add_stage("Infrastructure", Environment::new("444444444444", "us-east-1"));
    /// # let stack = app.add_stack(infra, "Network");
    /// let hub = TransitHub::new(&mut app.scope(stack), "Hub", TransitHubProps::default());
    /// assert!(hub.transit_gateway_id().as_literal().is_none());
    /// ```
    pub fn transit_gateway_id(&self) -> Token<kinds::TransitGatewayId> {
        self.gateway.ref_token()
    }

    /// Attach a network: its own hub route table, its association, and explicit routes to
    /// and from every attachment it may reach (workloads reach shared services only). A CIDR
    /// overlapping an attached network is reported as `TransitHub.CidrOverlap` at the
    /// attachment's path (`<stage>/<hub id>Routes/<hub id>/<name>`) and gets no routes.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment, Token};
    /// # let mut app = App::new();
    /// # let infra = app.add_stage("Infrastructure", Environment::new("444444444444", "us-east-1"));
    /// # let stack = app.add_stack(infra, "Network");
    /// let mut hub = TransitHub::new(&mut app.scope(stack), "Hub", TransitHubProps::default());
    /// let logs = Token::literal("arn:aws:s3:::logs");
    /// let a = WorkloadNetwork::new(&mut app.scope(stack), "A", WorkloadNetworkProps::new("10.0.0.0/16", hub.transit_gateway_id(), logs.clone()));
    /// let b = WorkloadNetwork::new(&mut app.scope(stack), "B", WorkloadNetworkProps::new("10.0.128.0/17", hub.transit_gateway_id(), logs));
    /// hub.attach(&mut app.root(), "A", &a, AttachmentRole::SharedServices);
    /// hub.attach(&mut app.root(), "B", &b, AttachmentRole::Workload);
    /// let issues = app.validate();
    /// assert!(issues.has("TransitHub.CidrOverlap"));
    /// ```
    pub fn attach(
        &mut self,
        scope: &mut Scope<'_>,
        name: &str,
        network: &WorkloadNetwork,
        role: AttachmentRole,
    ) {
        let hub_table = scope.at(self.node).add_resource(
            &format!("{name}RouteTable"),
            Resource::new("AWS::EC2::TransitGatewayRouteTable")
                .property("TransitGatewayId", self.gateway.ref_value())
                .property(
                    "Tags",
                    Value::array([Value::object([
                        ("Key", Value::from("Name")),
                        ("Value", Value::from(name)),
                    ])]),
                ),
        );
        // A member account can attach only once the gateway is shared with it; the
        // attachment reads only the gateway id, so say so explicitly.
        if let Some(share) = self.share {
            scope.at(network.attachment().node()).add_dependency(
                share.node(),
                format!("attachment {name} waits for the hub's RAM share"),
            );
        }
        let mut routes_scope = scope.at(self.routes_node);
        let mut attachment_scope = routes_scope.child(name, "TransitHubAttachment");
        let node = attachment_scope.node();
        attachment_scope.add_resource(
            "Association",
            Resource::new("AWS::EC2::TransitGatewayRouteTableAssociation")
                .property(
                    "TransitGatewayAttachmentId",
                    network.attachment().ref_value(),
                )
                .property("TransitGatewayRouteTableId", hub_table.ref_value()),
        );
        let cidr = network.cidr();
        let mut overlapping = false;
        if let Some(c) = cidr {
            for peer in &self.attached {
                if let Some(p) = peer.cidr.filter(|p| p.overlaps(&c)) {
                    overlapping = true;
                    attachment_scope.report(Issue::new(
                        "TransitHub.CidrOverlap",
                        "cidr",
                        format!("{c} overlaps {} ({p})", peer.name),
                        "VPC CIDR blocks attached to one transit gateway do not overlap, or routing is ambiguous: give this VPC another block",
                    ));
                }
            }
        }
        let mut new = Attached {
            name: name.to_owned(),
            cidr,
            role,
            node,
            attachment: network.attachment(),
            hub_table,
            network: network.clone(),
            routes: Vec::new(),
        };
        if !overlapping {
            let gateway = self.gateway;
            for peer in &mut self.attached {
                let allowed =
                    !(role == AttachmentRole::Workload && peer.role == AttachmentRole::Workload);
                let (Some(mine), Some(theirs)) = (cidr, peer.cidr) else {
                    continue;
                };
                if !allowed {
                    continue;
                }
                add_route(scope, &mut new, peer, theirs, gateway);
                add_route(scope, peer, &new_view(&new), mine, gateway);
            }
        }
        self.attached.push(new);
    }

    /// True when traffic from attachment `from` reaches `to` and replies come back, as the
    /// explicit routes in both hub route tables say.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let infra = app.add_stage("Infrastructure", Environment::new("444444444444", "us-east-1"));
    /// # let stack = app.add_stack(infra, "Network");
    /// let hub = TransitHub::new(&mut app.scope(stack), "Hub", TransitHubProps::default());
    /// assert!(!hub.can_reach("Prod", "Shared")); // nothing attached yet
    /// ```
    pub fn can_reach(&self, from: &str, to: &str) -> bool {
        let (Some(a), Some(b)) = (self.find(from), self.find(to)) else {
            return false;
        };
        let routes = |x: &Attached, y: &Attached| {
            y.cidr.is_some_and(|dest| {
                x.routes
                    .iter()
                    .any(|(cidr, target)| target == &y.name && cidr.contains(&dest))
            })
        };
        from != to && routes(a, b) && routes(b, a)
    }

    /// Names of the attachments, in the order they were attached.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let infra = app.add_stage("Infrastructure", Environment::new("444444444444", "us-east-1"));
    /// # let stack = app.add_stack(infra, "Network");
    /// let hub = TransitHub::new(&mut app.scope(stack), "Hub", TransitHubProps::default());
    /// assert!(hub.attachments().is_empty());
    /// ```
    pub fn attachments(&self) -> Vec<&str> {
        self.attached.iter().map(|a| a.name.as_str()).collect()
    }

    fn find(&self, name: &str) -> Option<&Attached> {
        self.attached.iter().find(|a| a.name == name)
    }

    /// The construct's node (in the gateway's stack).
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let infra = app.add_stage("Infrastructure", Environment::new("444444444444", "us-east-1"));
    /// # let stack = app.add_stack(infra, "Network");
    /// let hub = TransitHub::new(&mut app.scope(stack), "Hub", TransitHubProps::default());
    /// assert_eq!(app.tree().path(hub.node()).to_string(), "App/Infrastructure/Network/Hub");
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}

/// What a route needs to know about its target.
struct RouteTarget {
    name: String,
    attachment: ResourceHandle,
}

fn new_view(a: &Attached) -> RouteTarget {
    RouteTarget {
        name: a.name.clone(),
        attachment: a.attachment,
    }
}

/// Route `from`'s traffic for `destination` to `to`: in `from`'s hub route table, and in
/// `from`'s VPC route table towards the gateway.
fn add_route<T: AsTarget>(
    scope: &mut Scope<'_>,
    from: &mut Attached,
    to: &T,
    destination: Cidr,
    gateway: ResourceHandle,
) {
    let target = to.target();
    scope.at(from.node).add_resource(
        &format!("To{}", target.name),
        Resource::new("AWS::EC2::TransitGatewayRoute")
            .property("DestinationCidrBlock", &destination)
            .property("TransitGatewayAttachmentId", target.attachment.ref_value())
            .property("TransitGatewayRouteTableId", from.hub_table.ref_value()),
    );
    scope.at(from.network.node()).add_resource(
        &format!("HubRouteTo{}", target.name),
        Resource::new("AWS::EC2::Route")
            .property("RouteTableId", from.network.route_table().ref_value())
            .property("DestinationCidrBlock", &destination)
            .property(
                "TransitGatewayId",
                Value::from(gateway.ref_token::<kinds::TransitGatewayId>()),
            )
            .depends_on(from.network.attachment().node()),
    );
    from.routes.push((destination, target.name));
}

trait AsTarget {
    fn target(&self) -> RouteTarget;
}
impl AsTarget for Attached {
    fn target(&self) -> RouteTarget {
        new_view(self)
    }
}
impl AsTarget for RouteTarget {
    fn target(&self) -> RouteTarget {
        RouteTarget {
            name: self.name.clone(),
            attachment: self.attachment,
        }
    }
}
