//! Network rules: transit gateway defaults, overlapping VPC CIDRs, and workload-to-workload
//! reachability computed from the transit gateway route tables in the templates.
//!
//! Reachability model: an attachment sends through the route table it is associated with (the
//! gateway's default table when it has no explicit association and default association is
//! on). A table routes to every attachment propagated into it (all of the gateway's
//! attachments for the default table when default propagation is on) and to the targets of its
//! static routes; a blackhole route covering a VPC's CIDR removes that VPC (longest-prefix
//! ordering is not modelled; a dual-stack VPC is cut off only when blackholes cover all its
//! blocks, IPv4 and IPv6). Two workloads are connected when each routes to the other.
//! An attachment is a workload when its VPC (or, if the VPC is not in the app, the attachment)
//! is in another account than the gateway; template metadata `landform:network-role` set to
//! `shared` or `workload` on the attachment overrides that.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use landform_core::cidr::Cidr;

use super::{Finding, Rule};
use crate::model::{is_true, AssemblyIndex, Resolved, ResourceKey, ResourceView};

/// Template metadata key classifying a transit gateway attachment.
pub const NETWORK_ROLE_METADATA_KEY: &str = "landform:network-role";

fn is_enabled(resource: &ResourceView<'_>, property: &str) -> bool {
    resource.property(property).and_then(Json::as_str) != Some("disable")
}

pub(crate) fn check(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    for tgw in index.of_type("AWS::EC2::TransitGateway") {
        if is_enabled(tgw, "DefaultRouteTableAssociation") {
            findings.push(Finding::new(
                Rule::TransitGatewayDefaultAssociation,
                tgw,
                "DefaultRouteTableAssociation is enable (the default)",
            ));
        }
        if is_enabled(tgw, "DefaultRouteTablePropagation") {
            findings.push(Finding::new(
                Rule::TransitGatewayDefaultPropagation,
                tgw,
                "DefaultRouteTablePropagation is enable (the default)",
            ));
        }
    }
    check_cidr_overlap(index, findings);
    check_reachability(index, findings);
    check_quotas(index, findings);
}

/// Count, per resolved target of `property`, the resources of `type_name`.
fn count_by<'a>(
    index: &'a AssemblyIndex<'a>,
    type_name: &str,
    property: &str,
) -> BTreeMap<String, (Resolved, usize)> {
    let mut counts: BTreeMap<String, (Resolved, usize)> = BTreeMap::new();
    for r in index.of_type(type_name) {
        let Some(target) = r.property(property) else {
            continue;
        };
        let resolved = index.resolve(r.stack, target);
        counts
            .entry(resolved.key())
            .or_insert_with(|| (resolved, 0))
            .1 += 1;
    }
    counts
}

/// Transit Gateway's adjustable quotas ([`landform_core::quotas`]), per gateway or route table.
fn check_quotas(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    use landform_core::quotas::{thousands, TGW_ATTACHMENTS, TGW_ROUTES, TGW_ROUTE_TABLES};
    let checks = [
        (
            "AWS::EC2::TransitGatewayRouteTable",
            "TransitGatewayId",
            TGW_ROUTE_TABLES,
            "route tables",
        ),
        (
            "AWS::EC2::TransitGatewayAttachment",
            "TransitGatewayId",
            TGW_ATTACHMENTS,
            "attachments",
        ),
        (
            "AWS::EC2::TransitGatewayRoute",
            "TransitGatewayRouteTableId",
            TGW_ROUTES,
            "routes",
        ),
    ];
    for (type_name, property, quota, what) in checks {
        for (resolved, count) in count_by(index, type_name, property).into_values() {
            if !quota.beyond_default(count) {
                continue;
            }
            let Resolved::Resource(key) = &resolved else {
                continue;
            };
            let Some(at) = index.get(key) else {
                continue;
            };
            findings.push(Finding::new(
                Rule::TransitGatewayQuota,
                at,
                format!(
                    "{} {what}, over the default quota: {quota}",
                    thousands(count)
                ),
            ));
        }
    }
}

/// Every CIDR block of each VPC of the app: its `CidrBlock`, and the IPv4 or IPv6 blocks of
/// the `AWS::EC2::VPCCidrBlock` resources associated with it (dual stack), as written.
fn vpc_blocks<'a>(index: &'a AssemblyIndex<'a>) -> BTreeMap<String, Vec<(Cidr, String)>> {
    let mut blocks: BTreeMap<String, Vec<(Cidr, String)>> = BTreeMap::new();
    let text = |v: Option<&Json>| v.and_then(Json::as_str).map(str::to_owned);
    for vpc in index.of_type("AWS::EC2::VPC") {
        if let Some(t) = text(vpc.property("CidrBlock")) {
            if let Some(c) = Cidr::parse_lenient(&t) {
                blocks
                    .entry(Resolved::Resource(vpc.key()).key())
                    .or_default()
                    .push((c, t));
            }
        }
    }
    for extra in index.of_type("AWS::EC2::VPCCidrBlock") {
        let Some(vpc) = extra.property("VpcId") else {
            continue;
        };
        let key = index.resolve(extra.stack, vpc).key();
        for property in ["CidrBlock", "Ipv6CidrBlock"] {
            if let Some(t) = text(extra.property(property)) {
                if let Some(c) = Cidr::parse_lenient(&t) {
                    blocks.entry(key.clone()).or_default().push((c, t));
                }
            }
        }
    }
    blocks
}

/// Overlapping VPC blocks, found by sorting the blocks by first address and sweeping (a
/// thousand VPCs are not compared pair by pair): each block is reported against the block
/// reaching furthest among those before it, when that one reaches into it.
fn check_cidr_overlap(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    let views: BTreeMap<String, &ResourceView<'_>> = index
        .of_type("AWS::EC2::VPC")
        .map(|v| (Resolved::Resource(v.key()).key(), v))
        .collect();
    let mut all: Vec<((bool, u128, u128), &str, &str)> = Vec::new();
    let blocks = vpc_blocks(index);
    for (vpc, list) in &blocks {
        for (cidr, text) in list {
            let (start, end) = cidr.range();
            all.push(((cidr.is_ipv6(), start, end), vpc.as_str(), text.as_str()));
        }
    }
    all.sort();
    let mut reach: Option<((bool, u128), &str, &str)> = None;
    for ((family, start, end), vpc, text) in all {
        if let Some(((f, last), other, other_text)) = reach {
            if f == family && last >= start && other != vpc {
                if let (Some(b), Some(a)) = (views.get(vpc), views.get(other)) {
                    findings.push(Finding::new(
                        Rule::VpcCidrOverlap,
                        b,
                        format!("{text} overlaps {} ({other_text})", a.path),
                    ));
                }
            }
        }
        let further = match reach {
            Some(((f, last), ..)) => f != family || end > last,
            None => true,
        };
        if further {
            reach = Some(((family, end), vpc, text));
        }
    }
}

struct Attachment<'v, 'a> {
    view: &'v ResourceView<'a>,
    gateway: String,
    /// The VPC's blocks (IPv4 and IPv6).
    cidrs: Vec<Cidr>,
    workload: bool,
}

const ATTACHMENT_TYPES: [&str; 2] = [
    "AWS::EC2::TransitGatewayAttachment",
    "AWS::EC2::TransitGatewayVpcAttachment",
];

fn check_reachability(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    let gateways: BTreeMap<String, &ResourceView<'_>> = index
        .of_type("AWS::EC2::TransitGateway")
        .map(|g| (Resolved::Resource(g.key()).key(), g))
        .collect();
    let resolve = |r: &ResourceView<'_>, property: &str| {
        r.property(property)
            .map(|v| index.resolve(r.stack, v).key())
            .unwrap_or_default()
    };
    let blocks = vpc_blocks(index);
    let mut attachments: BTreeMap<String, Attachment<'_, '_>> = BTreeMap::new();
    for view in index
        .resources()
        .iter()
        .filter(|r| ATTACHMENT_TYPES.contains(&r.type_name))
    {
        let gateway = resolve(view, "TransitGatewayId");
        let vpc_key = view.property("VpcId").map(|v| index.resolve(view.stack, v));
        let cidrs: Vec<Cidr> = vpc_key
            .as_ref()
            .and_then(|k| blocks.get(&k.key()))
            .map(|l| l.iter().map(|(c, _)| *c).collect())
            .unwrap_or_default();
        let vpc = match vpc_key {
            Some(Resolved::Resource(key)) => index.get(&key),
            _ => None,
        };
        let owner = vpc.map_or(view.stack, |v| v.stack);
        let role = view
            .body
            .get("Metadata")
            .and_then(|m| m.get(NETWORK_ROLE_METADATA_KEY))
            .and_then(Json::as_str);
        let workload = match role {
            Some("shared") => false,
            Some("workload") => true,
            _ => gateways.get(&gateway).is_some_and(|g| {
                AssemblyIndex::account_of(g.stack) != AssemblyIndex::account_of(owner)
            }),
        };
        attachments.insert(
            Resolved::Resource(view.key()).key(),
            Attachment {
                view,
                gateway,
                cidrs,
                workload,
            },
        );
    }
    // Route table of each attachment.
    let mut table_of: BTreeMap<String, String> = BTreeMap::new();
    for assoc in index.of_type("AWS::EC2::TransitGatewayRouteTableAssociation") {
        table_of.insert(
            resolve(assoc, "TransitGatewayAttachmentId"),
            resolve(assoc, "TransitGatewayRouteTableId"),
        );
    }
    let default_table = |gateway: &str| format!("default:{gateway}");
    for (key, a) in &attachments {
        if !table_of.contains_key(key) {
            if let Some(g) = gateways.get(&a.gateway) {
                if is_enabled(g, "DefaultRouteTableAssociation") {
                    table_of.insert(key.clone(), default_table(&a.gateway));
                }
            }
        }
    }
    // Attachments each table routes to.
    let mut routes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for prop in index.of_type("AWS::EC2::TransitGatewayRouteTablePropagation") {
        routes
            .entry(resolve(prop, "TransitGatewayRouteTableId"))
            .or_default()
            .insert(resolve(prop, "TransitGatewayAttachmentId"));
    }
    for (key, a) in &attachments {
        if let Some(g) = gateways.get(&a.gateway) {
            if is_enabled(g, "DefaultRouteTablePropagation") {
                routes
                    .entry(default_table(&a.gateway))
                    .or_default()
                    .insert(key.clone());
            }
        }
    }
    let mut blackholes: BTreeMap<String, Vec<Cidr>> = BTreeMap::new();
    for route in index.of_type("AWS::EC2::TransitGatewayRoute") {
        let table = resolve(route, "TransitGatewayRouteTableId");
        let destination = route
            .property("DestinationCidrBlock")
            .and_then(Json::as_str)
            .and_then(Cidr::parse_lenient);
        if is_true(route.property("Blackhole")) {
            blackholes.entry(table).or_default().extend(destination);
            continue;
        }
        let target = resolve(route, "TransitGatewayAttachmentId");
        // A route reaches the attachment when it covers one of the VPC's blocks (or either
        // side is not known here).
        let covers = match (destination, attachments.get(&target).map(|a| &a.cidrs)) {
            (Some(d), Some(cidrs)) if !cidrs.is_empty() => cidrs.iter().any(|c| d.overlaps(c)),
            _ => true,
        };
        if covers {
            routes.entry(table).or_default().insert(target);
        }
    }
    let reaches = |from: &str, to: &str| -> bool {
        let Some(table) = table_of.get(from) else {
            return false;
        };
        // Cut off only when blackholes cover every block of the VPC (a dual-stack VPC with
        // its IPv4 block blackholed is still reached over IPv6).
        let blocked = match (blackholes.get(table), attachments.get(to).map(|a| &a.cidrs)) {
            (Some(holes), Some(cidrs)) if !cidrs.is_empty() => {
                cidrs.iter().all(|c| holes.iter().any(|h| h.contains(c)))
            }
            _ => false,
        };
        !blocked && routes.get(table).is_some_and(|r| r.contains(to))
    };
    // Each workload against the attachments its table routes to (not every other workload):
    // the work is the number of routes, not the square of the workloads.
    for (ka, a) in attachments.iter().filter(|(_, a)| a.workload) {
        let Some(targets) = table_of.get(ka).and_then(|t| routes.get(t)) else {
            continue;
        };
        for kb in targets {
            let Some(b) = attachments.get(kb) else {
                continue;
            };
            if kb <= ka || !b.workload || a.gateway != b.gateway {
                continue;
            }
            if reaches(ka, kb) && reaches(kb, ka) {
                findings.push(Finding::new(
                    Rule::TransitGatewayWorkloadsConnected,
                    a.view,
                    format!(
                        "{} and {} route to each other through route tables {} and {}",
                        a.view.path,
                        b.view.path,
                        table_name(index, &table_of[ka]),
                        table_name(index, &table_of[kb]),
                    ),
                ));
            }
        }
    }
}

/// A route table's construct path, or `default route table` for a gateway's default one.
fn table_name(index: &AssemblyIndex<'_>, key: &str) -> String {
    if key.starts_with("default:") {
        return "the default route table".to_owned();
    }
    key.strip_prefix("resource:")
        .and_then(|k| k.split_once('/'))
        .and_then(|(stack, id)| {
            index.get(&ResourceKey {
                stack: stack.to_owned(),
                logical_id: id.to_owned(),
            })
        })
        .map_or_else(|| key.to_owned(), |r| r.path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lint_reads_cidrs_with_the_core_parser() {
        let a = Cidr::parse_lenient("10.0.0.0/16").unwrap();
        let b = Cidr::parse_lenient("10.0.128.0/17").unwrap();
        assert!(a.overlaps(&b) && a.contains(&b));
        assert!(Cidr::parse_lenient("10.0.0/16").is_none());
        assert!(Cidr::parse_lenient("2600:1f18::/56").unwrap().is_ipv6());
    }
}
