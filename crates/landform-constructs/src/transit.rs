//! The transit hub: a Transit Gateway with no default association, propagation or
//! auto-accept, shared through RAM, one route table per attachment and explicit routes.
//! Workloads reach shared services, never each other.

use landform_cfn::{ec2, ram, Tag};
use std::collections::BTreeMap;

use landform_core::{
    kinds, text, Issue, NodeId, Pseudo, Resource, ResourceHandle, Scope, StackProps, SubPart,
    Token, Value,
};

use crate::cidr::Cidr;
use crate::network::WorkloadNetwork;
use crate::util::{arn, parse_or_report};

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
    /// Organizational units (by ARN) the gateway is shared with through RAM: one principal
    /// however many accounts the OU holds (RAM sharing with AWS Organizations is enabled).
    pub share_with_organizational_units: Vec<Token<kinds::Arn>>,
    /// Attachments whose route tables, associations and routes one routes stack holds
    /// (at least 1). The first attachments go to `<id>Routes` (their route tables in the
    /// gateway's stack), the next to `<id>Routes2`, `<id>Routes3`, ...: an attachment costs
    /// about four resources and one parameter per shared-services attachment, and a template
    /// holds at most 500 resources and 200 parameters.
    pub attachments_per_routes_stack: usize,
    /// Blocks (`10.128.0.0/9`) that VPC route tables send to the gateway with one route: a
    /// VPC that reaches an attachment inside a block gets a route for the block
    /// (`HubRouteTo<block>`) instead of one per attachment, so a shared-services VPC does
    /// not need a route per workload (a VPC route table holds 50 routes by default, 1,000 at
    /// most). The hub route tables keep one route per attachment, so isolation is unchanged.
    pub summary_routes: Vec<String>,
}

impl Default for TransitHubProps {
    fn default() -> Self {
        TransitHubProps {
            amazon_side_asn: 64512,
            description: "Landform transit hub".into(),
            share_with_accounts: Vec::new(),
            share_with_organizational_units: Vec::new(),
            attachments_per_routes_stack: 50,
            summary_routes: Vec::new(),
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
    /// Index of the routes stack holding its association.
    routes_stack: usize,
    /// Routes of this attachment's hub route table: destination and target attachment name.
    routes: Vec<(Cidr, String)>,
    /// Summary blocks its VPC already routes to the gateway.
    summarised: Vec<Cidr>,
}

/// One routes stack of the hub.
#[derive(Debug, Clone)]
struct RoutesStack {
    /// The hub's construct inside the stack: attachments' associations and routes.
    node: NodeId,
    /// Where its attachments' route tables are: the gateway's construct for the first routes
    /// stack (where they always were), the stack's own construct for later ones.
    tables: NodeId,
    /// Routes added here to route tables of attachments in earlier routes stacks, by
    /// attachment name: a route lives with the later of the two attachments, so attaching
    /// never grows a full stack.
    peers: BTreeMap<String, NodeId>,
}

/// The Transit Gateway hub (in the infrastructure account) and its routing.
///
/// The gateway, RAM share and route tables live in the stack of `scope`; associations and
/// routes live in a sibling stack `<id>Routes` of the same stage, because they need the
/// attachment ids created in workload accounts, which themselves need the gateway id. Past
/// [`attachments_per_routes_stack`](TransitHubProps::attachments_per_routes_stack)
/// attachments, later ones get their route tables, associations and routes in
/// `<id>Routes2`, `<id>Routes3`, ... of the same stage.
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
    id: String,
    node: NodeId,
    stage: Option<NodeId>,
    gateway: ResourceHandle,
    share: Option<ResourceHandle>,
    per_routes_stack: usize,
    summaries: Vec<Cidr>,
    routes_stacks: Vec<RoutesStack>,
    attached: Vec<Attached>,
    /// The attached VPCs' blocks that overlap no other, by (family, first address): the last
    /// address and the index in `attached`. An overlap check looks at the neighbours of a new
    /// block here, so attaching N VPCs costs N log N, not N squared.
    blocks: std::collections::BTreeMap<(bool, u128), (u128, usize)>,
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
            ec2::TransitGateway::default()
                .amazon_side_asn(props.amazon_side_asn)
                .auto_accept_shared_attachments("disable")
                .default_route_table_association("disable")
                .default_route_table_propagation("disable")
                .dns_support("enable")
                .vpn_ecmp_support("enable")
                .description(props.description.as_str())
                .tags([Tag::new("Name", id)]),
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
                    ram::ResourceShare::default()
                        .name(format!("{id}-transit-gateway"))
                        .allow_external_principals(false)
                        .principals(principals)
                        .resource_arns([gateway_arn]),
                ),
            );
        }
        if props.attachments_per_routes_stack == 0 {
            inner.report(Issue::new(
                "TransitHub.AttachmentsPerRoutesStack",
                "attachments_per_routes_stack",
                0,
                "a routes stack holds at least one attachment",
            ));
        }
        let summaries = props
            .summary_routes
            .iter()
            .filter_map(|raw| {
                parse_or_report(
                    &mut inner,
                    "TransitHub",
                    "summary_routes",
                    raw,
                    crate::cidr::parse,
                )
            })
            .collect();
        let node = inner.node();
        let routes_node = match stage {
            Some(stage) => routes_stack(&mut inner.at(stage), id, 1),
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
            id: id.to_owned(),
            node,
            stage,
            gateway,
            share,
            per_routes_stack: props.attachments_per_routes_stack.max(1),
            summaries,
            routes_stacks: vec![RoutesStack {
                node: routes_node,
                tables: node,
                peers: BTreeMap::new(),
            }],
            attached: Vec::new(),
            blocks: std::collections::BTreeMap::new(),
        }
    }

    /// The routes stack of the next attachment, created when it is the first one there.
    fn next_routes_stack(&mut self, scope: &mut Scope<'_>) -> usize {
        let Some(stage) = self.stage else {
            return 0;
        };
        let index = self.attached.len() / self.per_routes_stack;
        while self.routes_stacks.len() <= index {
            let node = routes_stack(&mut scope.at(stage), &self.id, self.routes_stacks.len() + 1);
            self.routes_stacks.push(RoutesStack {
                node,
                tables: node,
                peers: BTreeMap::new(),
            });
        }
        index
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
    /// attachment's path (`<stage>/<hub id>Routes/<hub id>/<name>`, or `<hub id>Routes2`...
    /// past the first routes stack) and gets no routes.
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
        let index = self.next_routes_stack(scope);
        let hub_table = scope.at(self.routes_stacks[index].tables).add_resource(
            &format!("{name}RouteTable"),
            ec2::TransitGatewayRouteTable::default()
                .transit_gateway_id(self.gateway.ref_value())
                .tags([Tag::new("Name", name)]),
        );
        // A member account can attach only once the gateway is shared with it; the
        // attachment reads only the gateway id, so say so explicitly.
        if let Some(share) = self.share {
            scope.at(network.attachment().node()).add_dependency(
                share.node(),
                format!("attachment {name} waits for the hub's RAM share"),
            );
        }
        let mut routes_scope = scope.at(self.routes_stacks[index].node);
        let mut attachment_scope = routes_scope.child(name, "TransitHubAttachment");
        let node = attachment_scope.node();
        attachment_scope.add_resource(
            "Association",
            ec2::TransitGatewayRouteTableAssociation::default()
                .transit_gateway_attachment_id(network.attachment().ref_value())
                .transit_gateway_route_table_id(hub_table.ref_value()),
        );
        let cidr = network.cidr();
        let mut overlapping = false;
        if let Some(c) = cidr {
            let (start, end) = c.range();
            let family = c.is_ipv6();
            // The stored blocks are disjoint: the one starting at or before this block's start,
            // then those starting inside it, are all that can overlap it.
            let before = self
                .blocks
                .range(..=(family, start))
                .next_back()
                .filter(|((f, _), (last, _))| *f == family && *last >= start);
            let inside = self.blocks.range((family, start)..=(family, end));
            let peers: std::collections::BTreeSet<usize> = before
                .into_iter()
                .chain(inside)
                .map(|(_, (_, i))| *i)
                .collect();
            for i in peers {
                let peer = &self.attached[i];
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
            if !overlapping {
                self.blocks
                    .insert((family, start), (end, self.attached.len()));
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
            routes_stack: index,
            routes: Vec::new(),
            summarised: Vec::new(),
        };
        if !overlapping {
            let context = RouteContext {
                gateway: self.gateway,
                summaries: &self.summaries,
            };
            let here = &mut self.routes_stacks[index];
            for peer in &mut self.attached {
                let allowed =
                    !(role == AttachmentRole::Workload && peer.role == AttachmentRole::Workload);
                let (Some(mine), Some(theirs)) = (cidr, peer.cidr) else {
                    continue;
                };
                if !allowed {
                    continue;
                }
                let node = new.node;
                context.add_route(scope, &mut new, node, peer, theirs);
                let peer_node = if peer.routes_stack == index {
                    peer.node
                } else {
                    *here.peers.entry(peer.name.clone()).or_insert_with(|| {
                        scope
                            .at(here.node)
                            .child(&peer.name, "TransitHubAttachmentRoutes")
                            .node()
                    })
                };
                context.add_route(scope, peer, peer_node, &new_view(&new), mine);
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

/// Adds routes between attachments.
struct RouteContext<'h> {
    gateway: ResourceHandle,
    summaries: &'h [Cidr],
}

impl RouteContext<'_> {
    /// Route `from`'s traffic for `destination` to `to`: in `from`'s hub route table (the
    /// route resource under `hub_node`), and in `from`'s VPC route table towards the gateway
    /// (once per summary block when `destination` lies in one).
    fn add_route<T: AsTarget>(
        &self,
        scope: &mut Scope<'_>,
        from: &mut Attached,
        hub_node: NodeId,
        to: &T,
        destination: Cidr,
    ) {
        let target = to.target();
        scope.at(hub_node).add_resource(
            &format!("To{}", target.name),
            ec2::TransitGatewayRoute::default()
                .destination_cidr_block(Value::from(&destination))
                .transit_gateway_attachment_id(target.attachment.ref_value())
                .transit_gateway_route_table_id(from.hub_table.ref_value()),
        );
        let vpc_route = match self.summaries.iter().find(|s| s.contains(&destination)) {
            Some(block) if from.summarised.contains(block) => None,
            Some(block) => {
                from.summarised.push(*block);
                Some((block.to_string().replace('/', "-"), *block))
            }
            None => Some((target.name.clone(), destination)),
        };
        if let Some((suffix, block)) = vpc_route {
            scope.at(from.network.node()).add_resource(
                &format!("HubRouteTo{suffix}"),
                Resource::from(
                    ec2::Route::default()
                        .route_table_id(from.network.route_table().ref_value())
                        .destination_cidr_block(Value::from(&block))
                        .transit_gateway_id(self.gateway.ref_token::<kinds::TransitGatewayId>()),
                )
                .depends_on(from.network.attachment().node()),
            );
        }
        from.routes.push((destination, target.name));
    }
}

/// The `number`th routes stack of hub `id` in `stage` (`<id>Routes`, `<id>Routes2`, ...) and
/// the hub's construct inside it.
fn routes_stack(stage: &mut Scope<'_>, id: &str, number: usize) -> NodeId {
    let (name, description) = if number == 1 {
        (
            format!("{id}Routes"),
            format!("Landform: route table associations and routes of transit hub {id}"),
        )
    } else {
        (
            format!("{id}Routes{number}"),
            format!(
                "Landform: route tables, associations and routes of transit hub {id} (part {number})"
            ),
        )
    };
    let stack = stage.add_stack(
        &name,
        StackProps {
            description: Some(description),
            ..Default::default()
        },
    );
    stage.at(stack).child(id, "TransitHubRoutes").node()
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
