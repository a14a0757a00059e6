//! Network rules: transit gateway defaults, overlapping VPC CIDRs, and workload-to-workload
//! reachability computed from the transit gateway route tables in the templates.
//!
//! Reachability model: an attachment sends through the route table it is associated with (the
//! gateway's default table when it has no explicit association and default association is
//! on). A table routes to every attachment propagated into it (all of the gateway's
//! attachments for the default table when default propagation is on) and to the targets of its
//! static routes; a blackhole route covering a VPC's CIDR removes that VPC (longest-prefix
//! ordering is not modelled). Two workloads are connected when each routes to the other.
//! An attachment is a workload when its VPC (or, if the VPC is not in the app, the attachment)
//! is in another account than the gateway; template metadata `landform:network-role` set to
//! `shared` or `workload` on the attachment overrides that.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::{Finding, Rule};
use crate::model::{is_true, AssemblyIndex, Resolved, ResourceKey, ResourceView};

/// Template metadata key classifying a transit gateway attachment.
pub const NETWORK_ROLE_METADATA_KEY: &str = "landform:network-role";

/// An IPv4 CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    base: u32,
    prefix: u8,
}

impl Cidr {
    /// Parse `10.0.0.0/16`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = text.split_once('/')?;
        let prefix: u8 = prefix.parse().ok()?;
        if prefix > 32 {
            return None;
        }
        let octets: Vec<u8> = address
            .split('.')
            .map(|o| o.parse::<u8>().ok())
            .collect::<Option<_>>()?;
        let [a, b, c, d] = octets.as_slice() else {
            return None;
        };
        let base = u32::from_be_bytes([*a, *b, *c, *d]);
        Some(Cidr {
            base: base & mask(prefix),
            prefix,
        })
    }

    /// True when the two blocks share an address.
    pub fn overlaps(self, other: Cidr) -> bool {
        let m = mask(self.prefix.min(other.prefix));
        self.base & m == other.base & m
    }

    /// True when `other` lies inside this block.
    pub fn contains(self, other: Cidr) -> bool {
        self.prefix <= other.prefix && self.base == other.base & mask(self.prefix)
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

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

/// Transit Gateway's default quotas (adjustable; Amazon VPC Transit Gateway quotas page).
pub const TGW_ROUTE_TABLES_PER_GATEWAY: usize = 20;
/// Attachments per transit gateway.
pub const TGW_ATTACHMENTS_PER_GATEWAY: usize = 5_000;
/// Routes (static and propagated) per transit gateway route table.
pub const TGW_ROUTES_PER_ROUTE_TABLE: usize = 10_000;

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

fn check_quotas(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    let checks: [(&str, &str, usize, &str, &str); 3] = [
        (
            "AWS::EC2::TransitGatewayRouteTable",
            "TransitGatewayId",
            TGW_ROUTE_TABLES_PER_GATEWAY,
            "route tables",
            "Transit gateway route tables per transit gateway",
        ),
        (
            "AWS::EC2::TransitGatewayAttachment",
            "TransitGatewayId",
            TGW_ATTACHMENTS_PER_GATEWAY,
            "attachments",
            "Attachments per transit gateway",
        ),
        (
            "AWS::EC2::TransitGatewayRoute",
            "TransitGatewayRouteTableId",
            TGW_ROUTES_PER_ROUTE_TABLE,
            "routes",
            "Total combined routes per transit gateway route table",
        ),
    ];
    for (type_name, property, quota, what, quota_name) in checks {
        for (resolved, count) in count_by(index, type_name, property).into_values() {
            if count <= quota {
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
                format!("{count} {what}, over the default quota of {quota} (\"{quota_name}\", adjustable)"),
            ));
        }
    }
}

fn vpc_cidr(vpc: &ResourceView<'_>) -> Option<Cidr> {
    vpc.property("CidrBlock")
        .and_then(Json::as_str)
        .and_then(Cidr::parse)
}

fn check_cidr_overlap(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    let vpcs: Vec<(&ResourceView<'_>, Cidr)> = index
        .of_type("AWS::EC2::VPC")
        .filter_map(|v| Some((v, vpc_cidr(v)?)))
        .collect();
    for (i, (a, ca)) in vpcs.iter().enumerate() {
        for (b, cb) in &vpcs[i + 1..] {
            if ca.overlaps(*cb) {
                let text = |v: &ResourceView<'_>| {
                    v.property("CidrBlock")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                findings.push(Finding::new(
                    Rule::VpcCidrOverlap,
                    b,
                    format!("{} overlaps {} ({})", text(b), a.path, text(a)),
                ));
            }
        }
    }
}

struct Attachment<'v, 'a> {
    view: &'v ResourceView<'a>,
    gateway: String,
    cidr: Option<Cidr>,
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
    let mut attachments: BTreeMap<String, Attachment<'_, '_>> = BTreeMap::new();
    for view in index
        .resources()
        .iter()
        .filter(|r| ATTACHMENT_TYPES.contains(&r.type_name))
    {
        let gateway = resolve(view, "TransitGatewayId");
        let vpc = match view.property("VpcId").map(|v| index.resolve(view.stack, v)) {
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
                cidr: vpc.and_then(vpc_cidr),
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
            .and_then(Cidr::parse);
        if is_true(route.property("Blackhole")) {
            blackholes.entry(table).or_default().extend(destination);
            continue;
        }
        let target = resolve(route, "TransitGatewayAttachmentId");
        let covers = match (destination, attachments.get(&target).and_then(|a| a.cidr)) {
            (Some(d), Some(c)) => d.overlaps(c),
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
        let blocked = match (
            blackholes.get(table),
            attachments.get(to).and_then(|a| a.cidr),
        ) {
            (Some(holes), Some(c)) => holes.iter().any(|h| h.contains(c)),
            _ => false,
        };
        !blocked && routes.get(table).is_some_and(|r| r.contains(to))
    };
    let workloads: Vec<(&String, &Attachment<'_, '_>)> =
        attachments.iter().filter(|(_, a)| a.workload).collect();
    for (i, (ka, a)) in workloads.iter().enumerate() {
        for (kb, b) in &workloads[i + 1..] {
            if a.gateway == b.gateway && reaches(ka, kb) && reaches(kb, ka) {
                findings.push(Finding::new(
                    Rule::TransitGatewayWorkloadsConnected,
                    a.view,
                    format!(
                        "{} and {} route to each other through route tables {} and {}",
                        a.view.path,
                        b.view.path,
                        table_name(index, &table_of[*ka]),
                        table_name(index, &table_of[*kb]),
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
    fn cidr_overlap_and_containment() {
        let a = Cidr::parse("10.0.0.0/16").unwrap();
        let b = Cidr::parse("10.0.128.0/17").unwrap();
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(a.overlaps(b) && b.overlaps(a));
        assert!(!a.overlaps(c));
        assert!(a.contains(b) && !b.contains(a));
        assert!(Cidr::parse("10.0.0/16").is_none());
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(c));
    }
}
