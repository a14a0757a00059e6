//! The grammar of the IAM policy documents resources carry, as IAM and the services check
//! it before they store a policy: which elements a statement has (`Effect`; `Action` or
//! `NotAction`, not both; `Resource` or `NotResource`; a `Principal` in trust and resource
//! policies and never in identity policies or SCPs), the shape of action names, and `Sid`s.
//! Action names, condition operators and condition keys are checked against IAM's catalogue
//! ([`catalogue`], vendored). Checked at synth over every policy of the types below, typed or
//! raw, where the document is written out (a document built at deploy time is left to the
//! service).

use std::collections::HashSet;

mod catalogue;
mod security;

pub use catalogue::ValueType;
pub use security::{security_warnings, SecurityWarning};

use crate::issue::Issue;
use crate::tree::Tree;
use crate::value::Value;

/// What kind of policy a document is: which elements its statements take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a user, group or role: no principal, a resource.
    Identity,
    /// A role's trust policy: a principal, no resource.
    Trust,
    /// On a resource (bucket, key, bus, topic): a principal and a resource.
    Resource,
    /// A service control policy: no principal.
    ServiceControl,
    /// A resource control policy: `Deny` statements for `Principal: "*"` with a resource.
    ResourceControl,
}

/// The kind of an `AWS::Organizations::Policy`'s `Content` by its `Type`; `None` for the
/// types whose content is not an IAM policy (tag, backup, AI services opt-out policies).
pub fn organizations_policy_kind(policy_type: &str) -> Option<PolicyKind> {
    match policy_type {
        "SERVICE_CONTROL_POLICY" => Some(PolicyKind::ServiceControl),
        "RESOURCE_CONTROL_POLICY" => Some(PolicyKind::ResourceControl),
        _ => None,
    }
}

/// `(type, property, kind)` of the policy documents the validator checks; `Policies` of a role,
/// user or group holds a list of `{PolicyName, PolicyDocument}`. The kind of an
/// `AWS::Organizations::Policy` is its `Type`'s ([`organizations_policy_kind`]).
pub const POLICY_PROPERTIES: &[(&str, &str, PolicyKind)] = &[
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        PolicyKind::Trust,
    ),
    ("AWS::IAM::Role", "Policies", PolicyKind::Identity),
    ("AWS::IAM::User", "Policies", PolicyKind::Identity),
    ("AWS::IAM::Group", "Policies", PolicyKind::Identity),
    (
        "AWS::IAM::ManagedPolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    ("AWS::IAM::Policy", "PolicyDocument", PolicyKind::Identity),
    (
        "AWS::S3::BucketPolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    ("AWS::KMS::Key", "KeyPolicy", PolicyKind::Resource),
    (
        "AWS::SNS::TopicPolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::SQS::QueuePolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::Organizations::Policy",
        "Content",
        PolicyKind::ServiceControl,
    ),
];

/// Whether two policy documents say the same to IAM: a document given as JSON text and as
/// JSON, one statement and a list of one, `"s3:GetObject"` and `["s3:GetObject"]`, actions,
/// resources, principals and condition values in another order, are all the same policy.
/// What adoption compares a live policy with the app's by, so a policy written by hand in
/// another shape is not planned as an update.
///
/// ```
/// use landform_core::policy::equivalent_documents;
/// use serde_json::json;
/// let live = json!("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"b:B\",\"a:A\"],\"Resource\":\"*\"}]}");
/// let app = json!({"Statement": {"Action": ["a:A", "b:B"], "Effect": "Deny", "Resource": ["*"]}, "Version": "2012-10-17"});
/// assert!(equivalent_documents(&live, &app));
/// assert!(!equivalent_documents(&live, &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "a:A", "Resource": "*"}]})));
/// ```
pub fn equivalent_documents(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    normal_document(a) == normal_document(b)
}

fn normal_document(doc: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as Json;
    let doc = match doc {
        Json::String(text) => match serde_json::from_str::<Json>(text) {
            Ok(parsed) => parsed,
            Err(_) => return doc.clone(),
        },
        other => other.clone(),
    };
    let Json::Object(mut doc) = doc else {
        return doc;
    };
    let statements = match doc.remove("Statement") {
        Some(Json::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut statements: Vec<Json> = statements.into_iter().map(normal_statement).collect();
    statements.sort_by_key(|s| s.to_string());
    doc.insert("Statement".into(), Json::Array(statements));
    Json::Object(doc)
}

/// A value as a sorted list of its items (a scalar is a list of one).
fn normal_list(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as Json;
    let mut items = match v {
        Json::Array(items) => items,
        other => vec![other],
    };
    items.sort_by_key(|i| i.to_string());
    items.dedup();
    Json::Array(items)
}

fn normal_statement(s: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as Json;
    let Json::Object(s) = s else {
        return s;
    };
    let mut out = serde_json::Map::new();
    for (k, v) in s {
        let v = match (k.as_str(), v) {
            ("Action" | "NotAction" | "Resource" | "NotResource", v) => normal_list(v),
            ("Principal" | "NotPrincipal", Json::Object(p)) => {
                Json::Object(p.into_iter().map(|(k, v)| (k, normal_list(v))).collect())
            }
            ("Condition", Json::Object(c)) => Json::Object(
                c.into_iter()
                    .map(|(op, block)| {
                        let block = match block {
                            Json::Object(b) => Json::Object(
                                b.into_iter().map(|(k, v)| (k, normal_list(v))).collect(),
                            ),
                            other => other,
                        };
                        (op, block)
                    })
                    .collect(),
            ),
            (_, v) => v,
        };
        out.insert(k, v);
    }
    Json::Object(out)
}

const ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Whether `action` is `*` or `service:Action` (letters, digits and wildcards).
fn action_shape_ok(action: &str) -> bool {
    if action == "*" {
        return true;
    }
    let Some((service, name)) = action.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?')
}

/// A condition whose operator compares another type than its key holds (IAM evaluates it, and
/// it rarely means what it says: `StringEquals` on the Bool `aws:SecureTransport`, `Bool` on a
/// string key). Access Analyzer reports it as a warning; so does the lint (LF-IAM-002).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeMismatch {
    /// Where it sits: `Statement[n].Condition.<operator>.<key>`.
    pub field: String,
    /// The operator.
    pub operator: String,
    /// The key.
    pub key: String,
    /// What the key holds.
    pub key_type: ValueType,
    /// What the operator compares.
    pub operator_type: ValueType,
}

fn compatible(operator: ValueType, key: ValueType) -> bool {
    use ValueType::*;
    operator == key || matches!((operator, key), (String, Arn) | (Number, Date))
}

/// Every condition of `document` whose operator does not compare the type its key holds (keys
/// and operators the catalogue does not know are the validator's business, not this).
pub fn condition_type_mismatches(document: &Value) -> Vec<TypeMismatch> {
    let mut out = Vec::new();
    let Value::Object(doc) = document else {
        return out;
    };
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return out,
    };
    for (n, statement) in statements.into_iter().enumerate() {
        let Value::Object(st) = statement else {
            continue;
        };
        let Some(Value::Object(operators)) = st.get("Condition") else {
            continue;
        };
        for (operator, keys) in operators.iter() {
            let (Some(operator_type), Value::Object(keys)) =
                (catalogue::operator_type(operator), keys)
            else {
                continue;
            };
            for (key, _) in keys.iter() {
                if let Some(key_type) = catalogue::key_type(key) {
                    if !compatible(operator_type, key_type) {
                        out.push(TypeMismatch {
                            field: format!("Statement[{n}].Condition.{operator}.{key}"),
                            operator: operator.to_owned(),
                            key: key.to_owned(),
                            key_type,
                            operator_type,
                        });
                    }
                }
            }
        }
    }
    out
}

use crate::identifiers::literals as literal_strings;

fn wild(s: &str) -> bool {
    s.contains(['*', '?']) || s.contains("${")
}

/// Why a literal resource ARN of a policy is malformed: `*`, or
/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` with a known partition, a known region or
/// none, a 12-digit account (or `aws`, for AWS managed policies) or none.
fn resource_arn_problem(arn: &str) -> Option<String> {
    if arn == "*" {
        return None;
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [head, partition, service, region, account, resource] = parts[..] else {
        return Some("a resource is * or an ARN, arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (six parts; region and account may be empty)".to_owned());
    };
    if head != "arn" {
        return Some("an ARN starts with arn:".to_owned());
    }
    if !wild(partition) && !crate::regions::is_partition(partition) {
        return Some(format!(
            "`{partition}` is not an AWS partition (aws, aws-cn, aws-us-gov...)"
        ));
    }
    if service.is_empty() {
        return Some("an ARN names its service (arn:aws:s3:::bucket)".to_owned());
    }
    if !region.is_empty() && !wild(region) && crate::regions::partition_of(region).is_none() {
        return Some(format!(
            "`{region}` is no region of any partition (from {})",
            crate::regions::source()
        ));
    }
    if !account.is_empty()
        && !wild(account)
        && account != "aws"
        && !crate::identifiers::is_account_id(account)
    {
        return Some(format!("an ARN's account is 12 digits, not `{account}`"));
    }
    if resource.is_empty() {
        return Some("an ARN ends with the resource (a name, a path or type/id)".to_owned());
    }
    None
}

fn aws_principal_problem(name: &str) -> Option<&'static str> {
    if name == "*" || crate::identifiers::is_account_id(name) || wild(name) {
        return None;
    }
    let parts: Vec<&str> = name.splitn(6, ':').collect();
    match parts[..] {
        ["arn", partition, "iam" | "sts", "", account, resource]
            if crate::regions::is_partition(partition)
                && crate::identifiers::is_account_id(account)
                && !resource.is_empty() =>
        {
            None
        }
        _ => Some("an AWS principal is *, a 12-digit account id, or an IAM or STS ARN: arn:PARTITION:iam::ACCOUNT:root|role/NAME|user/NAME (IAM refuses others as MalformedPolicyDocument: Invalid principal)"),
    }
}

fn service_principal_problem(name: &str) -> Option<&'static str> {
    let host = name
        .strip_suffix(".amazonaws.com")
        .or_else(|| name.strip_suffix(".amazonaws.com.cn"));
    match host {
        Some(h) if !h.is_empty() && h.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.') => None,
        _ => Some("a service principal is the service's name ending in .amazonaws.com, such as cloudtrail.amazonaws.com"),
    }
}

struct Finding {
    code: &'static str,
    field: String,
    value: String,
    rule: String,
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        other => other
            .to_plain_json()
            .map(|j| j.to_string())
            .unwrap_or_else(|| "(a value known at deploy time)".to_owned()),
    }
}

/// The grammar errors of one policy document of `kind`; `field` names where it sits.
pub fn check_document(
    document: &Value,
    kind: PolicyKind,
    field: &str,
) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    check_into(document, kind, field, &mut out);
    out.into_iter()
        .map(|f| (f.code.to_owned(), f.field, f.value, f.rule))
        .collect()
}

fn check_into(document: &Value, kind: PolicyKind, field: &str, out: &mut Vec<Finding>) {
    let Value::Object(doc) = document else {
        // An SCP's content may be its JSON text.
        if let (Value::String(text), PolicyKind::ServiceControl | PolicyKind::ResourceControl) =
            (document, kind)
        {
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
                check_into(&Value::from(json), kind, field, out);
            }
        }
        return;
    };
    let mut finding = |code: &'static str, at: String, value: String, rule: &str| {
        out.push(Finding {
            code,
            field: at,
            value,
            rule: rule.to_owned(),
        })
    };
    if let Some(version) = doc.get("Version") {
        if !matches!(version, Value::String(v) if &**v == "2012-10-17" || &**v == "2008-10-17") {
            finding(
                "Policy.Version",
                format!("{field}.Version"),
                shown(version),
                "a policy's Version is 2012-10-17 (or the older 2008-10-17, without policy variables)",
            );
        }
    }
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(other) => {
            finding(
                "Policy.StatementShape",
                format!("{field}.Statement"),
                shown(other),
                "Statement is an object or a list of objects",
            );
            return;
        }
        None => {
            finding(
                "Policy.NoStatement",
                field.to_owned(),
                String::new(),
                "a policy document has a Statement",
            );
            return;
        }
    };
    let mut sids = HashSet::new();
    for (n, statement) in statements.into_iter().enumerate() {
        let at = format!("{field}.Statement[{n}]");
        let Value::Object(st) = statement else {
            finding(
                "Policy.StatementShape",
                at,
                shown(statement),
                "each statement is an object of Sid, Effect, Principal, Action, Resource and Condition",
            );
            continue;
        };
        for (key, _) in st.iter() {
            if !ELEMENTS.contains(&key) {
                finding(
                    "Policy.UnknownElement",
                    format!("{at}.{key}"),
                    key.to_owned(),
                    "a statement's elements are Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition (IAM refuses others as MalformedPolicyDocument)",
                );
            }
        }
        match st.get("Effect") {
            Some(Value::String(e)) if &**e == "Allow" || &**e == "Deny" => {}
            Some(other) => finding(
                "Policy.Effect",
                format!("{at}.Effect"),
                shown(other),
                "Effect is Allow or Deny (case-sensitive)",
            ),
            None => finding(
                "Policy.Effect",
                format!("{at}.Effect"),
                String::new(),
                "every statement has an Effect",
            ),
        }
        let has = |k: &str| st.get(k).is_some();
        match (has("Action"), has("NotAction")) {
            (false, false) => finding(
                "Policy.MissingAction",
                format!("{at}.Action"),
                String::new(),
                "a statement has Action or NotAction",
            ),
            (true, true) => finding(
                "Policy.ActionAndNotAction",
                at.clone(),
                "Action and NotAction".into(),
                "a statement has Action or NotAction, not both",
            ),
            _ => {}
        }
        for key in ["Action", "NotAction"] {
            let actions: Vec<&Value> = match st.get(key) {
                Some(Value::Array(items)) => items.iter().collect(),
                Some(one) => vec![one],
                None => Vec::new(),
            };
            for action in actions {
                if let Value::String(a) = action {
                    if !action_shape_ok(a) {
                        finding(
                            "Policy.ActionFormat",
                            format!("{at}.{key}"),
                            a.to_string(),
                            "an action is * or service:Action (a lowercase service prefix, a colon, then letters, digits or wildcards), such as s3:GetObject",
                        );
                    } else if let Some((code, rule)) = catalogue::action_problem(a) {
                        finding(code, format!("{at}.{key}"), a.to_string(), &rule);
                    }
                }
            }
        }
        match (has("Resource"), has("NotResource")) {
            (true, true) => finding(
                "Policy.ResourceAndNotResource",
                at.clone(),
                "Resource and NotResource".into(),
                "a statement has Resource or NotResource, not both",
            ),
            (true, _) | (_, true) if kind == PolicyKind::Trust => finding(
                "Policy.ResourceInTrustPolicy",
                format!("{at}.Resource"),
                String::new(),
                "a role's trust policy names no resource: the role itself is the resource",
            ),
            (false, false)
                if matches!(
                    kind,
                    PolicyKind::Identity | PolicyKind::Resource | PolicyKind::ResourceControl
                ) =>
            {
                finding(
                    "Policy.MissingResource",
                    format!("{at}.Resource"),
                    String::new(),
                    "a statement of an identity, resource or resource control policy has Resource or NotResource",
                )
            }
            _ => {}
        }
        for key in ["Resource", "NotResource"] {
            for arn in literal_strings(st.get(key)) {
                if let Some(rule) = resource_arn_problem(arn) {
                    finding(
                        "Policy.ResourceArn",
                        format!("{at}.{key}"),
                        arn.to_owned(),
                        &rule,
                    );
                }
            }
        }
        for key in ["Principal", "NotPrincipal"] {
            let Some(Value::Object(principals)) = st.get(key) else {
                continue;
            };
            for (kind, value) in principals.iter() {
                for name in literal_strings(Some(value)) {
                    let rule = match kind {
                        "AWS" => aws_principal_problem(name),
                        "Service" => service_principal_problem(name),
                        _ => None,
                    };
                    if let Some(rule) = rule {
                        finding(
                            "Policy.Principal",
                            format!("{at}.{key}.{kind}"),
                            name.to_owned(),
                            rule,
                        );
                    }
                }
            }
        }
        let principal = has("Principal") || has("NotPrincipal");
        match kind {
            PolicyKind::Identity | PolicyKind::ServiceControl if principal => finding(
                "Policy.PrincipalNotAllowed",
                format!("{at}.Principal"),
                String::new(),
                "an identity policy or SCP applies to who holds it: it names no Principal",
            ),
            PolicyKind::Trust | PolicyKind::Resource if !principal => finding(
                "Policy.MissingPrincipal",
                format!("{at}.Principal"),
                String::new(),
                "a trust or resource policy says whom it lets in: each statement has a Principal",
            ),
            PolicyKind::ResourceControl => {
                let everyone = matches!(st.get("Principal"), Some(Value::String(p)) if &**p == "*");
                if !everyone || has("NotPrincipal") {
                    finding(
                        "Policy.RcpPrincipal",
                        format!("{at}.Principal"),
                        st.get("Principal").map(shown).unwrap_or_default(),
                        "a resource control policy statement applies to every caller: its Principal is \"*\" (exempt principals with a condition on aws:PrincipalArn), and it has no NotPrincipal",
                    );
                }
                if let Some(effect) = st.get("Effect") {
                    if !matches!(effect, Value::String(e) if &**e == "Deny") {
                        finding(
                            "Policy.RcpEffect",
                            format!("{at}.Effect"),
                            shown(effect),
                            "a resource control policy only denies: each statement's Effect is Deny (RCPFullAWSAccess, managed by AWS, is the only Allow)",
                        );
                    }
                }
            }
            _ => {}
        }
        match st.get("Condition") {
            Some(Value::Object(operators)) => {
                for (operator, keys) in operators.iter() {
                    let here = format!("{at}.Condition.{operator}");
                    if let Some(rule) = catalogue::operator_problem(operator) {
                        finding(
                            "Policy.ConditionOperator",
                            here.clone(),
                            operator.to_owned(),
                            &rule,
                        );
                    }
                    match keys {
                        Value::Object(keys) => {
                            for (key, _) in keys.iter() {
                                if let Some(rule) = catalogue::key_problem(key) {
                                    finding(
                                        "Policy.ConditionKey",
                                        format!("{here}.{key}"),
                                        key.to_owned(),
                                        &rule,
                                    );
                                }
                            }
                        }
                        other => finding(
                            "Policy.ConditionShape",
                            here,
                            shown(other),
                            "each condition operator maps condition keys to their values",
                        ),
                    }
                }
            }
            Some(other) => finding(
                "Policy.ConditionShape",
                format!("{at}.Condition"),
                shown(other),
                "Condition is an object of condition operators",
            ),
            None => {}
        }
        if let Some(Value::String(sid)) = st.get("Sid") {
            let strict = matches!(
                kind,
                PolicyKind::Identity
                    | PolicyKind::Trust
                    | PolicyKind::ServiceControl
                    | PolicyKind::ResourceControl
            );
            if strict && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                finding(
                    "Policy.SidFormat",
                    format!("{at}.Sid"),
                    sid.to_string(),
                    "IAM and Organizations take a Sid of letters and digits only",
                );
            }
            if !sids.insert(sid.to_string()) {
                finding(
                    "Policy.DuplicateSid",
                    format!("{at}.Sid"),
                    sid.to_string(),
                    "each statement of a policy has its own Sid",
                );
            }
        }
    }
}

/// Every grammar error of every checked policy of the app, at its resource's path.
pub(crate) fn policy_grammar(tree: &Tree) -> Vec<Issue> {
    let mut issues = Vec::new();
    for id in tree.ids() {
        let Some(resource) = tree.node(id).resource() else {
            continue;
        };
        let type_name = resource.type_name();
        for &(t, property, kind) in POLICY_PROPERTIES {
            if t != type_name {
                continue;
            }
            let kind = if type_name == "AWS::Organizations::Policy" {
                match resource.properties().get("Type") {
                    Some(Value::String(t)) => match organizations_policy_kind(t) {
                        Some(kind) => kind,
                        None => continue,
                    },
                    _ => continue,
                }
            } else {
                kind
            };
            let Some(value) = resource.properties().get(property) else {
                continue;
            };
            let mut found = Vec::new();
            if property == "Policies" {
                if let Value::Array(items) = value {
                    for (n, item) in items.iter().enumerate() {
                        if let Value::Object(entry) = item {
                            if let Some(doc) = entry.get("PolicyDocument") {
                                check_into(
                                    doc,
                                    kind,
                                    &format!("Policies[{n}].PolicyDocument"),
                                    &mut found,
                                );
                            }
                        }
                    }
                }
            } else {
                check_into(value, kind, property, &mut found);
            }
            let path = tree.path(id);
            issues.extend(
                found
                    .into_iter()
                    .map(|f| Issue::new(f.code, f.field, f.value, f.rule).at(path.clone())),
            );
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(doc: serde_json::Value, kind: PolicyKind) -> Vec<String> {
        check_document(&Value::from(doc), kind, "P")
            .into_iter()
            .map(|f| f.0)
            .collect()
    }

    #[test]
    fn operators_that_compare_another_type_than_the_key_are_found() {
        use serde_json::json;
        let doc = |condition: serde_json::Value| {
            Value::from(
                json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": condition}]}),
            )
        };
        let found = condition_type_mismatches(&doc(json!({
            "StringEquals": {"aws:SecureTransport": "false", "aws:SourceAccount": "111111111111"},
            "Bool": {"aws:SourceAccount": "true"},
            "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
            "StringLike": {"aws:SourceArn": "arn:aws:s3:::b"},
            "Null": {"aws:SecureTransport": "true"},
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            "DateGreaterThan": {"aws:SourceIp": "2026-01-01T00:00:00Z"}
        })));
        let found: Vec<(&str, &str)> = found
            .iter()
            .map(|m| (m.operator.as_str(), m.key.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("Bool", "aws:SourceAccount"),
                ("DateGreaterThan", "aws:SourceIp"),
                ("StringEquals", "aws:SecureTransport"),
            ]
        );
    }

    #[test]
    fn each_rule_has_a_failing_and_a_passing_document() {
        use serde_json::json;
        let ok_identity = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]});
        assert!(codes(ok_identity, PolicyKind::Identity).is_empty());
        let ok_trust = json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}});
        assert!(codes(ok_trust, PolicyKind::Trust).is_empty());
        let cases = [
            (
                json!({"Version": "2012-10-18", "Statement": []}),
                PolicyKind::Identity,
                "Policy.Version",
            ),
            (
                json!({"Version": "2012-10-17"}),
                PolicyKind::Identity,
                "Policy.NoStatement",
            ),
            (
                json!({"Statement": "Allow"}),
                PolicyKind::Identity,
                "Policy.StatementShape",
            ),
            (
                json!({"Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}),
                PolicyKind::Identity,
                "Policy.Effect",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
                PolicyKind::Identity,
                "Policy.MissingAction",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*", "Resource": "*"}]}),
                PolicyKind::Identity,
                "Policy.ActionAndNotAction",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "s3 GetObject", "Resource": "*"}]}),
                PolicyKind::Identity,
                "Policy.ActionFormat",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "NotResource": "arn:aws:s3:::x"}]}),
                PolicyKind::Identity,
                "Policy.ResourceAndNotResource",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
                PolicyKind::Identity,
                "Policy.MissingResource",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}]}),
                PolicyKind::Trust,
                "Policy.ResourceInTrustPolicy",
            ),
            (
                json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}),
                PolicyKind::ServiceControl,
                "Policy.PrincipalNotAllowed",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
                PolicyKind::Resource,
                "Policy.MissingPrincipal",
            ),
            (
                json!({"Statement": [{"Sid": "read only", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
                PolicyKind::Identity,
                "Policy.SidFormat",
            ),
            (
                json!({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}),
                PolicyKind::Identity,
                "Policy.DuplicateSid",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Actions": "s3:*", "Action": "s3:*", "Resource": "*"}]}),
                PolicyKind::Identity,
                "Policy.UnknownElement",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "*"}]}),
                PolicyKind::Identity,
                "Policy.UnknownAction",
            ),
            (
                json!({"Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "organisations:*"], "Resource": "*"}]}),
                PolicyKind::ServiceControl,
                "Policy.UnknownService",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "ec2:DescribeVpc*", "Resource": "*"}, {"Effect": "Allow", "Action": "ec2:DescribeVcp*", "Resource": "*"}]}),
                PolicyKind::Identity,
                "Policy.ActionMatchesNothing",
            ),
            (
                json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Boolean": {"aws:SecureTransport": "false"}}}]}),
                PolicyKind::Resource,
                "Policy.ConditionOperator",
            ),
            (
                json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransports": "false"}}}]}),
                PolicyKind::Resource,
                "Policy.ConditionKey",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": ["token.actions.githubusercontent.com:aud"]}}]}),
                PolicyKind::Trust,
                "Policy.ConditionShape",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3::bucket/*"}]}),
                PolicyKind::Identity,
                "Policy.ResourceArn",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-east-7:123456789012:table/locks"}]}),
                PolicyKind::Identity,
                "Policy.ResourceArn",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "arn:aws:iam::12345678901:role/deploy"}]}),
                PolicyKind::Identity,
                "Policy.ResourceArn",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "arn:amazon:iam::123456789012:role/deploy"}]}),
                PolicyKind::Identity,
                "Policy.ResourceArn",
            ),
            (
                json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1234:root"}, "Action": "sts:AssumeRole"}}),
                PolicyKind::Trust,
                "Policy.Principal",
            ),
            (
                json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "cloudtrail"}, "Action": "sts:AssumeRole"}}),
                PolicyKind::Trust,
                "Policy.Principal",
            ),
        ];
        // (Type mismatches are warnings, not grammar errors: see condition_type_mismatches.)
        // Their passing twins: the catalogue's actions, wildcards that match, known operators
        // and keys, a provider's own claims.
        for ok in [
            json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "ec2:DescribeVpc*", "iam:getrole"], "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::bucket/*", "arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/locks", "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:*:logs:*:*:log-group:/landform/*"]}]}),
            json!({"Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "organizations:*"], "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:RequestedRegion": ["eu-west-1"]}, "ForAnyValue:StringLike": {"aws:PrincipalTag/team": "platform-*"}}}]}),
        ] {
            assert_eq!(
                codes(ok.clone(), PolicyKind::Identity),
                Vec::<String>::new(),
                "{ok}"
            );
        }
        assert!(codes(json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": ["123456789012", "arn:aws:iam::123456789012:role/ci", "*"], "Service": ["cloudtrail.amazonaws.com", "logs.us-east-1.amazonaws.com"]}, "Action": "sts:AssumeRole"}}), PolicyKind::Trust).is_empty());
        assert!(codes(json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/infra:ref:refs/heads/main"}}}]}), PolicyKind::Trust).is_empty());
        for (doc, kind, code) in cases {
            let found = codes(doc.clone(), kind);
            assert_eq!(found, vec![code.to_owned()], "{doc}");
        }
        // An SCP given as its JSON text is read; a Sid with spaces is fine in a bucket policy.
        assert_eq!(
            codes(
                json!(
                    r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#
                ),
                PolicyKind::ServiceControl
            ),
            vec!["Policy.PrincipalNotAllowed".to_owned()]
        );
        assert!(codes(json!({"Statement": [{"Sid": "Deny insecure transport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}), PolicyKind::Resource).is_empty());
    }

    #[test]
    fn resource_control_policies_deny_for_every_principal() {
        use serde_json::json;
        let rcp = PolicyKind::ResourceControl;
        let ok = json!({"Version": "2012-10-17", "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]});
        assert!(codes(ok, rcp).is_empty());
        let cases = [
            (
                json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}),
                vec!["Policy.RcpEffect"],
            ),
            (
                json!({"Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*"}]}),
                vec!["Policy.RcpPrincipal"],
            ),
            (
                json!({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}),
                vec!["Policy.RcpPrincipal"],
            ),
            (
                json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*"}]}),
                vec!["Policy.MissingResource"],
            ),
        ];
        for (doc, want) in cases {
            assert_eq!(codes(doc.clone(), rcp), want, "{doc}");
        }
        assert_eq!(
            organizations_policy_kind("RESOURCE_CONTROL_POLICY"),
            Some(rcp)
        );
        assert_eq!(organizations_policy_kind("TAG_POLICY"), None);
    }
}
