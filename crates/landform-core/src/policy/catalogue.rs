//! The IAM catalogue policies are checked against: every service prefix, its actions and its
//! condition keys, the global condition keys and the condition operators, vendored in
//! `data/iam-catalogue.tsv` from the policy data parliament ships (its version is in the file's
//! first line; `scripts/vendor_iam_catalogue.py` rewrites it). Parsed once, on first use.
//! IAM compares action names and condition keys without regard to case, and so does this.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/iam-catalogue.tsv");

/// The type of a condition key's values, and what an operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// Text.
    String,
    /// An ARN (string operators apply too).
    Arn,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A date.
    Date,
    /// An IP address or range.
    Ip,
    /// Base64 bytes.
    Binary,
}

impl ValueType {
    fn parse(text: &str) -> ValueType {
        let lower = text.to_ascii_lowercase();
        match lower.strip_prefix("arrayof").unwrap_or(&lower) {
            "arn" => ValueType::Arn,
            "bool" => ValueType::Bool,
            "date" => ValueType::Date,
            "ip" | "ipaddress" => ValueType::Ip,
            "number" | "numeric" | "long" | "integer" => ValueType::Number,
            "binary" => ValueType::Binary,
            _ => ValueType::String,
        }
    }
}

/// A condition key's value type, and whether a request may carry several values of it
/// (`ArrayOfString`: `aws:TagKeys`).
#[derive(Debug, Clone, Copy)]
struct KeyType {
    value: ValueType,
    multivalued: bool,
}

/// What a service's line holds.
#[derive(Debug, Default)]
struct Service {
    /// Action names, lowercase.
    actions: HashSet<String>,
    /// Condition keys, lowercase, with their types: exact ones, and the fixed part of
    /// templated ones (`aws:RequestTag/${TagKey}` is `aws:requesttag/` followed by anything).
    keys: HashMap<String, KeyType>,
    templated: Vec<(String, KeyType)>,
}

#[derive(Debug, Default)]
struct Catalogue {
    services: HashMap<String, Service>,
    /// Condition operators (without `IfExists` and the set prefixes), lowercase, with what
    /// they compare.
    operators: HashMap<String, ValueType>,
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut catalogue = Catalogue::default();
        for line in DATA.lines().filter(|l| !l.starts_with("# ")) {
            let mut fields = line.split('\t');
            let (Some(prefix), Some(actions), Some(keys)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let keys = keys
                .split(',')
                .filter(|k| !k.is_empty())
                .filter_map(|k| k.split_once('='))
                .map(|(name, kind)| {
                    let key = KeyType {
                        value: ValueType::parse(kind),
                        multivalued: kind.to_ascii_lowercase().starts_with("arrayof"),
                    };
                    (name.to_ascii_lowercase(), key)
                });
            if prefix == "#operators" {
                catalogue
                    .operators
                    .extend(keys.map(|(name, key)| (name, key.value)));
                // Null tests whether the key is present, whatever its type.
                catalogue
                    .operators
                    .insert("null".to_owned(), ValueType::Bool);
                continue;
            }
            let service = catalogue.services.entry(prefix.to_owned()).or_default();
            service.actions.extend(
                actions
                    .split(',')
                    .filter(|a| !a.is_empty())
                    .map(str::to_ascii_lowercase),
            );
            for (key, kind) in keys {
                match key.find(['$', '*']) {
                    Some(at) => service.templated.push((key[..at].to_owned(), kind)),
                    None => {
                        service.keys.insert(key, kind);
                    }
                }
            }
        }
        catalogue
    })
}

/// `*` matches any run of characters, `?` any one.
pub(crate) fn glob(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.split_first(), name.split_first()) {
        (None, None) => true,
        (Some((b'*', rest)), _) => {
            glob(rest, name) || (!name.is_empty() && glob(pattern, &name[1..]))
        }
        (Some((b'?', rest)), Some((_, tail))) => glob(rest, tail),
        (Some((p, rest)), Some((n, tail))) => p == n && glob(rest, tail),
        _ => false,
    }
}

/// Why `action` (of the shape `service:Name`, wildcards allowed) is not an IAM action:
/// `(code, rule)`, or `None` when it is one (or matches one).
pub(crate) fn action_problem(action: &str) -> Option<(&'static str, String)> {
    let (prefix, name) = action.split_once(':')?;
    let Some(service) = catalogue().services.get(prefix) else {
        return Some((
            "Policy.UnknownService",
            format!("`{prefix}` is not the prefix of any AWS service in IAM's action catalogue (Access Analyzer: INVALID_SERVICE)"),
        ));
    };
    let name = name.to_ascii_lowercase();
    if name.contains(['*', '?']) {
        if !service
            .actions
            .iter()
            .any(|a| glob(name.as_bytes(), a.as_bytes()))
        {
            return Some((
                "Policy.ActionMatchesNothing",
                format!(
                    "`{action}` matches none of the {} actions of `{prefix}`",
                    service.actions.len()
                ),
            ));
        }
    } else if !service.actions.contains(&name) {
        return Some((
            "Policy.UnknownAction",
            format!("`{prefix}` has no action `{}` in IAM's action catalogue (Access Analyzer: INVALID_ACTION)", &action[prefix.len() + 1..]),
        ));
    }
    None
}

/// The operator's base (lowercase, without the set prefix and `IfExists`) and whether it
/// ends in `IfExists`.
fn operator_base(operator: &str) -> (String, bool) {
    let base = operator
        .strip_prefix("ForAllValues:")
        .or_else(|| operator.strip_prefix("ForAnyValue:"))
        .unwrap_or(operator);
    match base.strip_suffix("IfExists") {
        Some(b) => (b.to_ascii_lowercase(), true),
        None => (base.to_ascii_lowercase(), false),
    }
}

/// What `operator` compares (`Null` tests presence: `None`), or `None` for an unknown one.
pub(crate) fn operator_type(operator: &str) -> Option<ValueType> {
    let (base, _) = operator_base(operator);
    if base == "null" {
        return None;
    }
    catalogue().operators.get(&base).copied()
}

/// The type of a key's values, when the catalogue knows the key.
pub(crate) fn key_type(key: &str) -> Option<ValueType> {
    known_key(key).map(|k| k.value)
}

/// Whether a request may carry several values of `key` (`Some(false)`: one at most), when the
/// catalogue knows the key.
pub(crate) fn key_is_multivalued(key: &str) -> Option<bool> {
    known_key(key).map(|k| k.multivalued)
}

fn known_key(key: &str) -> Option<KeyType> {
    let (prefix, _) = key.split_once(':')?;
    let service = catalogue().services.get(&prefix.to_ascii_lowercase())?;
    let lower = key.to_ascii_lowercase();
    service.keys.get(&lower).copied().or_else(|| {
        service
            .templated
            .iter()
            .find(|(t, _)| lower.len() > t.len() && lower.starts_with(t.as_str()))
            .map(|(_, kind)| *kind)
    })
}

/// Why `operator` is not a condition operator, or `None`. `ForAllValues:`/`ForAnyValue:` and
/// an `IfExists` suffix (not on `Null`) wrap the operators of the catalogue.
pub(crate) fn operator_problem(operator: &str) -> Option<String> {
    let base = operator
        .strip_prefix("ForAllValues:")
        .or_else(|| operator.strip_prefix("ForAnyValue:"))
        .unwrap_or(operator);
    let (base, if_exists) = match base.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (base, false),
    };
    let lower = base.to_ascii_lowercase();
    if catalogue().operators.contains_key(&lower)
        && !(if_exists && lower == "null")
        && base == base.trim()
    {
        return None;
    }
    Some(format!("`{operator}` is not a condition operator: StringEquals, StringLike, ArnLike, Bool, NumericLessThan, DateGreaterThan, IpAddress, Null... optionally ending in IfExists, or prefixed ForAllValues:/ForAnyValue: (Access Analyzer: INVALID_OPERATOR)"))
}

/// Why `key` is not a condition key IAM knows, or `None`. Keys of a web identity or SAML
/// provider (`token.actions.githubusercontent.com:sub`, `saml:aud`) are the provider's.
pub(crate) fn key_problem(key: &str) -> Option<String> {
    let (Some((prefix, _)), Some((provider, _))) = (key.split_once(':'), key.rsplit_once(':'))
    else {
        return Some(format!("`{key}` is not a condition key: a key is prefix:name, such as aws:SourceAccount or s3:prefix"));
    };
    // A web identity provider's claims are keyed by its issuer (host and path).
    if provider.contains(['.', '/']) || prefix == "saml" {
        return None;
    }
    let lower = key.to_ascii_lowercase();
    let Some(service) = catalogue().services.get(&prefix.to_ascii_lowercase()) else {
        return Some(format!("`{prefix}` is neither `aws` nor an AWS service prefix, so `{key}` is a key no request carries"));
    };
    if service.keys.contains_key(&lower)
        || service
            .templated
            .iter()
            .any(|(t, _)| lower.len() > t.len() && lower.starts_with(t.as_str()))
    {
        return None;
    }
    let whose = if prefix == "aws" {
        "the global condition keys".to_owned()
    } else {
        format!("the condition keys of `{prefix}`")
    };
    Some(format!("`{key}` is not among {whose}: a condition on a key no request carries never matches (Access Analyzer: INVALID_CONDITION_KEY / UNKNOWN_CONDITION_KEY)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_checked_against_the_catalogue() {
        assert_eq!(action_problem("s3:GetObject"), None);
        assert_eq!(action_problem("S3:getobject".to_lowercase().as_str()), None);
        assert_eq!(action_problem("s3:Get*"), None);
        assert_eq!(action_problem("iam:?etRole"), None);
        assert_eq!(
            action_problem("s3:GetObjekt").map(|p| p.0),
            Some("Policy.UnknownAction")
        );
        assert_eq!(
            action_problem("s4:GetObject").map(|p| p.0),
            Some("Policy.UnknownService")
        );
        assert_eq!(
            action_problem("s3:Fly*").map(|p| p.0),
            Some("Policy.ActionMatchesNothing")
        );
    }

    #[test]
    fn operators_and_keys_are_checked_against_the_catalogue() {
        for ok in [
            "StringEquals",
            "ForAnyValue:StringLike",
            "ArnLikeIfExists",
            "Null",
            "Bool",
        ] {
            assert_eq!(operator_problem(ok), None, "{ok}");
        }
        for bad in [
            "StringEqual",
            "NullIfExists",
            "ForEveryValue:StringLike",
            "stringequals ",
        ] {
            assert!(operator_problem(bad).is_some(), "{bad}");
        }
        for ok in [
            "aws:SourceAccount",
            "AWS:sourceaccount",
            "aws:PrincipalTag/team",
            "aws:RequestTag/Env",
            "s3:x-amz-server-side-encryption",
            "token.actions.githubusercontent.com:sub",
            "kms:ViaService",
        ] {
            assert_eq!(key_problem(ok), None, "{ok}");
        }
        for bad in [
            "aws:SourceAcount",
            "aws:PrincipalTag/",
            "s3:NoSuchKey",
            "foo:bar",
            "SourceAccount",
        ] {
            assert!(key_problem(bad).is_some(), "{bad}");
        }
    }
}
