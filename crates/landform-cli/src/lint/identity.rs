//! Identity rules: OIDC web-identity trust policies and administrator statements.

use serde_json::Value as Json;

use landform_core::policy::{
    organizations_policy_kind, security_warnings, PolicyKind, POLICY_PROPERTIES,
};

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

/// The rule reporting an Access Analyzer-style security warning code.
fn security_rule(code: &str) -> Rule {
    if code.starts_with("PASS_ROLE") {
        Rule::IamPassRoleEveryRole
    } else if code.starts_with("CREATE_SLR") {
        Rule::IamCreateSlrEveryService
    } else if code == "ALLOW_WITH_NOT_PRINCIPAL" {
        Rule::IamAllowNotPrincipal
    } else if code == "FORALLVALUES_WITH_SINGLE_VALUED_KEY" {
        Rule::IamForAllValuesSingleValued
    } else {
        Rule::IamAnyPrincipal
    }
}

/// The policy documents of a resource, with the property they sit in and their kind: the ones
/// landform-core's validator checks ([`landform_core::policy::POLICY_PROPERTIES`]).
fn documents(resource: &ResourceView<'_>) -> Vec<(String, Json, PolicyKind)> {
    let mut out = Vec::new();
    for &(type_name, property, kind) in POLICY_PROPERTIES {
        if resource.type_name != type_name {
            continue;
        }
        let kind = if type_name == "AWS::Organizations::Policy" {
            match resource
                .property("Type")
                .and_then(Json::as_str)
                .and_then(organizations_policy_kind)
            {
                Some(kind) => kind,
                None => continue,
            }
        } else {
            kind
        };
        if property == "Policies" {
            for (n, entry) in as_list(resource.property(property)).into_iter().enumerate() {
                if let Some(doc) = entry.get("PolicyDocument") {
                    out.push((format!("Policies[{n}].PolicyDocument"), doc.clone(), kind));
                }
            }
        } else {
            match resource.property(property) {
                Some(Json::String(text)) => {
                    if let Ok(doc) = serde_json::from_str(text) {
                        out.push((property.to_owned(), doc, kind));
                    }
                }
                Some(doc) => out.push((property.to_owned(), doc.clone(), kind)),
                None => {}
            }
        }
    }
    out
}

/// LF-IAM-002 (condition types) and the security warnings (LF-IAM-003 to 007) of every policy
/// document of `resource`.
fn policy_findings(resource: &ResourceView<'_>, findings: &mut Vec<Finding>) {
    for (property, document, kind) in documents(resource) {
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
        for w in security_warnings(&value, kind) {
            findings.push(Finding::new(
                security_rule(w.code),
                resource,
                format!("{property}.{}: {} [{}]", w.field, w.detail, w.code),
            ));
        }
    }
}

pub(crate) fn check(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    for resource in index.resources() {
        policy_findings(resource, findings);
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
