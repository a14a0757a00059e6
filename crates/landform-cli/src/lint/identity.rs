//! Identity rules: OIDC web-identity trust policies and administrator statements.

use serde_json::Value as Json;

use super::{Finding, Rule};
use crate::model::{as_list, AssemblyIndex, ResourceView};

/// The statements of a policy document, which may be an object or its JSON text.
pub(crate) fn statements(document: Option<&Json>) -> Vec<Json> {
    let document = match document {
        Some(Json::String(text)) => serde_json::from_str(text).unwrap_or(Json::Null),
        Some(other) => other.clone(),
        None => Json::Null,
    };
    as_list(document.get("Statement"))
        .into_iter()
        .cloned()
        .collect()
}

/// The strings of a statement field that may be one string or a list.
pub(crate) fn strings<'j>(statement: &'j Json, field: &str) -> Vec<&'j str> {
    as_list(statement.get(field))
        .into_iter()
        .filter_map(Json::as_str)
        .collect()
}

fn is_allow(statement: &Json) -> bool {
    statement.get("Effect").and_then(Json::as_str) == Some("Allow")
}

/// `(type, property)` of the policy documents LF-IAM-002 reads; `Policies` holds
/// `{PolicyName, PolicyDocument}` entries.
const DOCUMENTS: &[(&str, &str)] = &[
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
    ("AWS::IAM::Role", "Policies"),
    ("AWS::IAM::User", "Policies"),
    ("AWS::IAM::Group", "Policies"),
    ("AWS::IAM::Policy", "PolicyDocument"),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::Organizations::Policy", "Content"),
];

fn condition_types(resource: &ResourceView<'_>, findings: &mut Vec<Finding>) {
    for (type_name, property) in DOCUMENTS {
        if resource.type_name != *type_name {
            continue;
        }
        let documents: Vec<Json> = if *property == "Policies" {
            as_list(resource.property(property))
                .into_iter()
                .filter_map(|p| p.get("PolicyDocument").cloned())
                .collect()
        } else {
            match resource.property(property) {
                Some(Json::String(text)) => serde_json::from_str(text).into_iter().collect(),
                Some(doc) => vec![doc.clone()],
                None => Vec::new(),
            }
        };
        for document in documents {
            let value = landform_core::Value::from(document);
            for m in landform_core::policy::condition_type_mismatches(&value) {
                findings.push(Finding::new(
                    Rule::IamConditionType,
                    resource,
                    format!(
                        "{property}.{}: {} compares {:?} values, {} holds {:?}",
                        m.field, m.operator, m.operator_type, m.key, m.key_type
                    ),
                ));
            }
        }
    }
}

pub(crate) fn check(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    for resource in index.resources() {
        condition_types(resource, findings);
    }
    for role in index.of_type("AWS::IAM::Role") {
        for statement in statements(role.property("AssumeRolePolicyDocument")) {
            check_web_identity_trust(role, &statement, findings);
        }
    }
    for resource in index.resources() {
        let documents: Vec<&Json> = match resource.type_name {
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                resource.property("PolicyDocument").into_iter().collect()
            }
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                as_list(resource.property("Policies"))
                    .into_iter()
                    .filter_map(|p| p.get("PolicyDocument"))
                    .collect()
            }
            _ => Vec::new(),
        };
        for document in documents {
            for statement in statements(Some(document)) {
                let actions = strings(&statement, "Action");
                let resources = strings(&statement, "Resource");
                if is_allow(&statement)
                    && actions.iter().any(|a| *a == "*" || *a == "*:*")
                    && resources.contains(&"*")
                {
                    let sid = statement.get("Sid").and_then(Json::as_str).unwrap_or("-");
                    findings.push(Finding::new(
                        Rule::IamAdminStatement,
                        resource,
                        format!("statement {sid} allows Action * on Resource *"),
                    ));
                }
            }
        }
    }
}

fn check_web_identity_trust(
    role: &ResourceView<'_>,
    statement: &Json,
    findings: &mut Vec<Finding>,
) {
    let web_identity = strings(statement, "Action")
        .iter()
        .any(|a| a.eq_ignore_ascii_case("sts:AssumeRoleWithWebIdentity"));
    if !is_allow(statement) || !web_identity {
        return;
    }
    let sid = statement
        .get("Sid")
        .and_then(Json::as_str)
        .unwrap_or("-")
        .to_owned();
    let mut has_sub = false;
    let mut has_aud = false;
    if let Some(conditions) = statement.get("Condition").and_then(Json::as_object) {
        for (operator, keys) in conditions {
            let Some(keys) = keys.as_object() else {
                continue;
            };
            for (key, values) in keys {
                let claim = key.rsplit(':').next().unwrap_or_default();
                if claim.eq_ignore_ascii_case("aud") {
                    has_aud = true;
                }
                if !claim.eq_ignore_ascii_case("sub") {
                    continue;
                }
                has_sub = true;
                if operator.starts_with("ForAllValues:") {
                    findings.push(Finding::new(
                        Rule::OidcForAllValuesSubject,
                        role,
                        format!("statement {sid}: {operator} on {key}"),
                    ));
                }
                if operator.contains("Like") {
                    for value in as_list(Some(values)).into_iter().filter_map(Json::as_str) {
                        if value.contains('*') || value.contains('?') {
                            findings.push(Finding::new(
                                Rule::OidcWildcardSubject,
                                role,
                                format!("statement {sid}: {operator} {key} = {value:?}"),
                            ));
                        }
                    }
                }
            }
        }
    }
    if !has_sub {
        findings.push(Finding::new(
            Rule::OidcTrustWithoutSubject,
            role,
            format!("statement {sid} trusts web identities with no condition on a :sub claim"),
        ));
    }
    if !has_aud {
        findings.push(Finding::new(
            Rule::OidcTrustWithoutAudience,
            role,
            format!("statement {sid} trusts web identities with no condition on an :aud claim"),
        ));
    }
}
