//! Lint fixtures, network rules and suppressions; and a check that every rule has fixtures.

mod common;

use common::{assert_fires, assert_quiet, lint, res, single};
use landform_cli::lint::{self, suppress, Rule, Severity};
use landform_core::{App, Environment, Resource, ResourceHandle, Scope, Value};
use serde_json::json;

// ---------- Network ----------

fn tgw(association: &str, propagation: &str) -> App {
    single(|s| {
        s.add_resource(
            "Tgw",
            res("AWS::EC2::TransitGateway", json!({"DefaultRouteTableAssociation": association, "DefaultRouteTablePropagation": propagation})),
        );
    })
}

#[test]
fn tgw_default_association() {
    assert_fires(
        &tgw("enable", "disable"),
        Rule::TransitGatewayDefaultAssociation,
        "App/Mgmt/Main/Tgw",
    );
    assert_quiet(
        &tgw("disable", "enable"),
        Rule::TransitGatewayDefaultAssociation,
    );
}

#[test]
fn tgw_default_propagation() {
    assert_fires(
        &tgw("disable", "enable"),
        Rule::TransitGatewayDefaultPropagation,
        "App/Mgmt/Main/Tgw",
    );
    assert_quiet(
        &tgw("enable", "disable"),
        Rule::TransitGatewayDefaultPropagation,
    );
    // Absent means enable (AWS's default).
    let bare = single(|s| {
        s.add_resource("Tgw", Resource::new("AWS::EC2::TransitGateway"));
    });
    assert_fires(
        &bare,
        Rule::TransitGatewayDefaultPropagation,
        "App/Mgmt/Main/Tgw",
    );
}

#[test]
fn vpc_cidr_overlap() {
    let vpcs = |a: &str, b: &str| {
        let mut app = App::new();
        for (stage, account, cidr) in [("One", "222222222222", a), ("Two", "333333333333", b)] {
            let st = app.add_stage(stage, Environment::new(account, "us-east-1"));
            let stack = app.add_stack(st, "Network");
            app.scope(stack)
                .add_resource("Vpc", res("AWS::EC2::VPC", json!({"CidrBlock": cidr})));
        }
        app
    };
    assert_fires(
        &vpcs("10.0.0.0/16", "10.0.128.0/17"),
        Rule::VpcCidrOverlap,
        "App/Two/Network/Vpc",
    );
    assert_quiet(&vpcs("10.0.0.0/16", "10.1.0.0/16"), Rule::VpcCidrOverlap);
}

/// A hub in account 1 with two workload VPCs in accounts 2 and 3. `isolated` gives each
/// workload its own route table with routes to a shared-services VPC only; otherwise both
/// workloads are associated with one table both propagate into.
fn hub(isolated: bool, defaults_on: bool) -> App {
    let mut app = App::new();
    let hub_stage = app.add_stage("Infra", Environment::new("111111111111", "us-east-1"));
    let hub = app.add_stack(hub_stage, "Hub");
    let setting = if defaults_on { "enable" } else { "disable" };
    let mut s = app.scope(hub);
    let tgw = s.add_resource(
        "Tgw",
        res("AWS::EC2::TransitGateway", json!({"DefaultRouteTableAssociation": setting, "DefaultRouteTablePropagation": setting})),
    );
    let shared_vpc = s.add_resource(
        "SharedVpc",
        res("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"})),
    );
    let shared_attachment = s.add_resource(
        "SharedAttachment",
        Resource::new("AWS::EC2::TransitGatewayAttachment")
            .property("TransitGatewayId", tgw.ref_value())
            .property("VpcId", shared_vpc.ref_value())
            .property("SubnetIds", json!(["subnet-0a1b2c3d4e5f60001"])),
    );
    let mut attachments = Vec::new();
    for (name, account, cidr) in [
        ("Prod", "222222222222", "10.1.0.0/16"),
        ("Staging", "333333333333", "10.2.0.0/16"),
    ] {
        let stage = app.add_stage(name, Environment::new(account, "us-east-1"));
        let net = app.add_stack(stage, "Network");
        let mut s = app.scope(net);
        let vpc = s.add_resource("Vpc", res("AWS::EC2::VPC", json!({"CidrBlock": cidr})));
        attachments.push((
            name,
            s.add_resource(
                "Attachment",
                Resource::new("AWS::EC2::TransitGatewayAttachment")
                    .property("TransitGatewayId", tgw.ref_value())
                    .property("VpcId", vpc.ref_value())
                    .property("SubnetIds", json!(["subnet-0a1b2c3d4e5f60002"])),
            ),
        ));
    }
    if defaults_on {
        return app;
    }
    let routing = app.add_stack(hub_stage, "Routing");
    let mut s = app.scope(routing);
    let table = |s: &mut Scope<'_>, id: &str| {
        s.add_resource(
            id,
            Resource::new("AWS::EC2::TransitGatewayRouteTable")
                .property("TransitGatewayId", tgw.ref_value()),
        )
    };
    let link = |s: &mut Scope<'_>,
                kind: &'static str,
                id: &str,
                rt: ResourceHandle,
                at: ResourceHandle| {
        s.add_resource(
            id,
            Resource::new(kind)
                .property("TransitGatewayRouteTableId", rt.ref_value())
                .property("TransitGatewayAttachmentId", at.ref_value()),
        );
    };
    let shared_rt = table(&mut s, "SharedTable");
    link(
        &mut s,
        "AWS::EC2::TransitGatewayRouteTableAssociation",
        "SharedAssoc",
        shared_rt,
        shared_attachment,
    );
    if isolated {
        for (name, at) in &attachments {
            let rt = table(&mut s, &format!("{name}Table"));
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTableAssociation",
                &format!("{name}Assoc"),
                rt,
                *at,
            );
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTablePropagation",
                &format!("{name}SharedProp"),
                rt,
                shared_attachment,
            );
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTablePropagation",
                &format!("{name}ToShared"),
                shared_rt,
                *at,
            );
        }
    } else {
        let flat = table(&mut s, "FlatTable");
        for (name, at) in &attachments {
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTableAssociation",
                &format!("{name}Assoc"),
                flat,
                *at,
            );
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTablePropagation",
                &format!("{name}Prop"),
                flat,
                *at,
            );
        }
    }
    app
}

#[test]
fn workloads_connected_through_hub() {
    assert_fires(
        &hub(false, false),
        Rule::TransitGatewayWorkloadsConnected,
        "App/Prod/Network/Attachment",
    );
    assert_quiet(&hub(true, false), Rule::TransitGatewayWorkloadsConnected);
}

#[test]
fn workloads_connected_through_default_route_table() {
    assert_fires(
        &hub(false, true),
        Rule::TransitGatewayWorkloadsConnected,
        "App/Prod/Network/Attachment",
    );
}

#[test]
fn blackhole_route_cuts_a_workload_off() {
    let mut app = hub(false, false);
    let routing = app
        .tree()
        .stacks()
        .into_iter()
        .find(|&s| app.tree().path(s).to_string() == "App/Infra/Routing")
        .unwrap();
    let flat = app
        .tree()
        .node(routing)
        .children()
        .iter()
        .copied()
        .find(|&c| app.tree().node(c).id() == "FlatTable")
        .unwrap();
    app.scope(routing).add_resource(
        "BlockStaging",
        Resource::new("AWS::EC2::TransitGatewayRoute")
            .property(
                "TransitGatewayRouteTableId",
                Value::Ref(landform_core::Reference {
                    target: flat,
                    attribute: landform_core::Attribute::Ref,
                }),
            )
            .property("DestinationCidrBlock", "10.2.0.0/16")
            .property("Blackhole", true),
    );
    assert_quiet(&app, Rule::TransitGatewayWorkloadsConnected);
}

/// The node at `path`.
fn node_at(app: &App, path: &str) -> landform_core::NodeId {
    app.tree()
        .ids()
        .find(|&n| app.tree().path(n).to_string() == path)
        .unwrap_or_else(|| panic!("no node {path}"))
}

fn reference(node: landform_core::NodeId) -> Value {
    Value::Ref(landform_core::Reference {
        target: node,
        attribute: landform_core::Attribute::Ref,
    })
}

/// A dual-stack workload whose IPv4 block is blackholed is still reached over IPv6: the cut
/// needs every block of the VPC.
#[test]
fn a_blackhole_on_ipv4_alone_does_not_cut_off_a_dual_stack_workload() {
    let mut app = hub(false, false);
    let vpc = node_at(&app, "App/Staging/Network/Vpc");
    let network = node_at(&app, "App/Staging/Network");
    app.scope(network).add_resource(
        "Ipv6",
        Resource::new("AWS::EC2::VPCCidrBlock")
            .property("VpcId", reference(vpc))
            .property("Ipv6CidrBlock", "2600:1f18:abcd:1200::/56"),
    );
    let routing = node_at(&app, "App/Infra/Routing");
    let flat = node_at(&app, "App/Infra/Routing/FlatTable");
    app.scope(routing).add_resource(
        "BlockStagingV4",
        Resource::new("AWS::EC2::TransitGatewayRoute")
            .property("TransitGatewayRouteTableId", reference(flat))
            .property("DestinationCidrBlock", "10.2.0.0/16")
            .property("Blackhole", true),
    );
    assert_fires(
        &app,
        Rule::TransitGatewayWorkloadsConnected,
        "App/Prod/Network/Attachment",
    );
    app.scope(routing).add_resource(
        "BlockStagingV6",
        Resource::new("AWS::EC2::TransitGatewayRoute")
            .property("TransitGatewayRouteTableId", reference(flat))
            .property("DestinationCidrBlock", "2600:1f18:abcd::/48")
            .property("Blackhole", true),
    );
    assert_quiet(&app, Rule::TransitGatewayWorkloadsConnected);
}

/// VPCs' IPv6 blocks (associated through AWS::EC2::VPCCidrBlock) are checked for overlap too.
#[test]
fn vpc_ipv6_blocks_overlap() {
    let vpcs = |a: &str, b: &str| {
        let mut app = App::new();
        for (stage, account, v6, v4) in [
            ("One", "222222222222", a, "10.0.0.0/16"),
            ("Two", "333333333333", b, "10.1.0.0/16"),
        ] {
            let st = app.add_stage(stage, Environment::new(account, "us-east-1"));
            let stack = app.add_stack(st, "Network");
            let mut s = app.scope(stack);
            let vpc = s.add_resource("Vpc", res("AWS::EC2::VPC", json!({"CidrBlock": v4})));
            s.add_resource(
                "Ipv6",
                Resource::new("AWS::EC2::VPCCidrBlock")
                    .property("VpcId", vpc.ref_value())
                    .property("Ipv6CidrBlock", v6),
            );
        }
        app
    };
    assert_fires(
        &vpcs("2600:1f18:abcd::/48", "2600:1f18:abcd:1200::/56"),
        Rule::VpcCidrOverlap,
        "App/Two/Network/Vpc",
    );
    assert_quiet(
        &vpcs("2600:1f18:abcd::/56", "2600:1f18:abcd:100::/56"),
        Rule::VpcCidrOverlap,
    );
}

// ---------- Suppressions ----------

#[test]
fn suppression_moves_a_finding_to_the_suppressed_list() {
    let app = single(|s| {
        let mut construct = s.child("Keys", "KeyRing");
        construct.add_resource("Key", Resource::new("AWS::KMS::Key"));
        suppress(
            &mut construct,
            Rule::KmsKeyRotation,
            "imported key material cannot rotate",
        );
    });
    let report = lint(&app);
    assert!(report
        .findings
        .iter()
        .all(|f| f.rule != Rule::KmsKeyRotation));
    let s = &report.suppressed[0];
    assert_eq!(s.finding.rule, Rule::KmsKeyRotation);
    assert_eq!(s.finding.path.to_string(), "App/Mgmt/Main/Keys/Key");
    assert_eq!(s.suppressed_at.to_string(), "App/Mgmt/Main/Keys");
    assert_eq!(s.reason, "imported key material cannot rotate");
    assert!(!report.has_errors());
}

#[test]
fn suppression_of_another_rule_or_elsewhere_does_not_apply() {
    let app = single(|s| {
        s.add_resource("Key", Resource::new("AWS::KMS::Key"));
        let mut other = s.child("Other", "Thing");
        suppress(&mut other, Rule::KmsKeyRotation, "elsewhere");
    });
    assert_fires(&app, Rule::KmsKeyRotation, "App/Mgmt/Main/Key");
}

#[test]
fn suppression_without_reason_is_an_error() {
    let app = single(|s| {
        s.add_resource(
            "Key",
            Resource::new("AWS::KMS::Key").property("EnableKeyRotation", true),
        );
        s.set_metadata(
            lint::SUPPRESSIONS_METADATA_KEY,
            json!([{"rule": "LF-KMS-001", "reason": " "}, {"rule": "LF-NOPE-001", "reason": "x"}]),
        );
    });
    let report = lint(&app);
    let invalid: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::InvalidSuppression)
        .collect();
    assert_eq!(invalid.len(), 2, "{invalid:?}");
    assert!(invalid
        .iter()
        .all(|f| f.path.to_string() == "App/Mgmt/Main" && f.severity == Severity::Error));
    assert!(report.has_errors());
    // A valid one is quiet.
    let ok = single(|s| {
        s.add_resource(
            "Key",
            Resource::new("AWS::KMS::Key").property("EnableKeyRotation", true),
        );
        s.set_metadata(
            lint::SUPPRESSIONS_METADATA_KEY,
            json!([{"rule": "LF-KMS-001", "reason": "fine"}]),
        );
    });
    assert_quiet(&ok, Rule::InvalidSuppression);
}

#[test]
fn suppression_in_template_metadata_applies() {
    let app = single(|s| {
        s.add_resource(
            "Key",
            Resource::new("AWS::KMS::Key").metadata(
                lint::SUPPRESSIONS_METADATA_KEY,
                json!([{"rule": "LF-KMS-001", "reason": "set by a construct from another crate"}]),
            ),
        );
    });
    let report = lint(&app);
    assert_eq!(report.suppressed.len(), 1);
    assert_eq!(
        report.suppressed[0].reason,
        "set by a construct from another crate"
    );
}

#[test]
fn every_rule_has_a_fixture_here() {
    // Keeps this file honest when a rule is added: name it in a test above.
    let source = concat!(
        include_str!("lint_rules.rs"),
        include_str!("lint_network.rs")
    );
    for rule in Rule::ALL {
        let name = format!("Rule::{rule:?}");
        assert!(source.matches(&name).count() >= 2, "{name} has no fixture");
    }
}

/// Transit gateway quotas (adjustable): 21 route tables on one gateway is one past the
/// default of 20, a warning at the gateway; 20 is quiet.
#[test]
fn transit_gateway_route_tables_past_the_default_quota() {
    let hub = |tables: usize| {
        single(|s| {
            let tgw = s.add_resource(
                "Gateway",
                res(
                    "AWS::EC2::TransitGateway",
                    json!({"DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable"}),
                ),
            );
            for n in 0..tables {
                s.add_resource(
                    &format!("Table{n}"),
                    Resource::new("AWS::EC2::TransitGatewayRouteTable")
                        .property("TransitGatewayId", tgw.ref_value()),
                );
            }
        })
    };
    let report = lint(&hub(21));
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::TransitGatewayQuota)
        .expect("fires");
    assert_eq!(finding.path.to_string(), "App/Mgmt/Main/Gateway");
    assert_eq!(finding.severity, Severity::Warning);
    assert!(
        finding.detail.contains("21 route tables"),
        "{}",
        finding.detail
    );
    assert_quiet(&hub(20), Rule::TransitGatewayQuota);
}
