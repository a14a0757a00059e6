//! Identifiers AWS checks for shape before it looks anything up, on every resource of the app,
//! typed or raw, where the value is a literal: the parents and targets of Organizations
//! resources (root `r-...`, OU `ou-...-...`, 12-digit account ids), a VPC's CIDR block (IPv4,
//! /16 to /28, "VPC CIDR blocks", Amazon VPC User Guide) and a subnet's availability zone (a
//! zone of the stage's region).

use crate::issue::Issue;
use crate::tree::{NodeId, Tree};
use crate::value::Value;

/// `r-` and 4 to 32 lowercase letters or digits (Organizations' root id pattern).
pub fn is_root_id(id: &str) -> bool {
    id.strip_prefix("r-")
        .is_some_and(|rest| (4..=32).contains(&rest.len()) && lower_alnum(rest))
}

/// `ou-`, 4 to 32 lowercase letters or digits (the root's), `-`, 8 to 32 more.
pub fn is_ou_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("ou-") else {
        return false;
    };
    let Some((root, own)) = rest.split_once('-') else {
        return false;
    };
    (4..=32).contains(&root.len())
        && lower_alnum(root)
        && (8..=32).contains(&own.len())
        && lower_alnum(own)
}

/// Twelve digits.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

fn lower_alnum(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The literal strings of a value that is one string or a list (other items are skipped).
pub(crate) fn literals(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![&**s],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(&**s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn at(tree: &Tree, id: NodeId, issue: Issue) -> Issue {
    issue.at(tree.path(id))
}

/// Every malformed identifier of the app.
pub(crate) fn identifiers(tree: &Tree) -> Vec<Issue> {
    let mut issues = Vec::new();
    for id in tree.ids() {
        let Some(resource) = tree.node(id).resource() else {
            continue;
        };
        let props = resource.properties();
        match resource.type_name() {
            "AWS::Organizations::Account" | "AWS::Organizations::OrganizationalUnit" => {
                let key = if resource.type_name() == "AWS::Organizations::Account" {
                    "ParentIds"
                } else {
                    "ParentId"
                };
                for parent in literals(props.get(key)) {
                    if !is_root_id(parent) && !is_ou_id(parent) {
                        issues.push(at(tree, id, Issue::new(
                            "Organizations.ParentId",
                            key,
                            parent,
                            "a parent is the root (r- and 4 to 32 lowercase letters or digits) or an OU (ou-, the root's 4 to 32, '-', 8 to 32 more), as Organizations' ListRoots and CreateOrganizationalUnit return them",
                        )));
                    }
                }
            }
            "AWS::Organizations::Policy" => {
                for target in literals(props.get("TargetIds")) {
                    if !is_root_id(target) && !is_ou_id(target) && !is_account_id(target) {
                        issues.push(at(tree, id, Issue::new(
                            "Organizations.TargetId",
                            "TargetIds",
                            target,
                            "a policy's target is the root (r-...), an OU (ou-...-...) or a 12-digit account id",
                        )));
                    }
                }
            }
            "AWS::EC2::VPC" => {
                for block in literals(props.get("CidrBlock")) {
                    let rule = match block.parse::<ipnet::Ipv4Net>() {
                        Err(_) => Some(
                            "a VPC's CidrBlock is an IPv4 CIDR block such as 10.0.0.0/16"
                                .to_owned(),
                        ),
                        Ok(net) if !(16..=28).contains(&net.prefix_len()) => Some(format!(
                            "a VPC's IPv4 CIDR block is /16 to /28 (Amazon VPC), not /{}",
                            net.prefix_len()
                        )),
                        Ok(net) if net.network() != net.addr() => Some(format!(
                            "a CIDR block starts at its network address: {}",
                            net.trunc()
                        )),
                        Ok(_) => None,
                    };
                    if let Some(rule) = rule {
                        issues.push(at(
                            tree,
                            id,
                            Issue::new("Vpc.CidrBlock", "CidrBlock", block, rule),
                        ));
                    }
                }
            }
            "AWS::EC2::Subnet" => {
                let region = tree.environment_of(id).map(|e| e.region.clone());
                for zone in literals(props.get("AvailabilityZone")) {
                    let Some(region) = region.as_deref() else {
                        continue;
                    };
                    let ok = zone.strip_prefix(region).is_some_and(|letter| {
                        letter.len() == 1 && letter.bytes().all(|b| b.is_ascii_lowercase())
                    });
                    if !ok {
                        issues.push(at(tree, id, Issue::new(
                            "Subnet.AvailabilityZone",
                            "AvailabilityZone",
                            zone,
                            format!("a subnet's availability zone is a zone of its stack's region, {region} followed by a letter (such as {region}a)"),
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_shapes() {
        assert!(is_root_id("r-ab12") && !is_root_id("r-AB12") && !is_root_id("r-ab1"));
        assert!(is_ou_id("ou-ab12-cdefgh12") && !is_ou_id("ou-ab12-cdef") && !is_ou_id("r-ab12"));
        assert!(is_account_id("123456789012") && !is_account_id("12345678901"));
    }
}
