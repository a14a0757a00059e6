//! Security warnings: statements IAM accepts and that grant more than their author likely
//! meant, modelled on IAM Access Analyzer's `SECURITY_WARNING` findings (policy validation).
//! The lint reports them as errors, each silenced only by a suppression with a reason.

use super::catalogue;
use super::PolicyKind;
use crate::identifiers::literals;
use crate::value::Value;
use crate::Map;

/// One security warning of a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityWarning {
    /// Access Analyzer's finding code (`PASS_ROLE_WITH_STAR_IN_RESOURCE`), or Landform's own in
    /// the same style where Access Analyzer reports it elsewhere
    /// (`ALLOW_ANY_PRINCIPAL_WITHOUT_CONDITION`, an external access finding there).
    pub code: &'static str,
    /// Where it sits: `Statement[n]` or `Statement[n].Condition.<operator>.<key>`.
    pub field: String,
    /// What the statement does, in a sentence.
    pub detail: String,
}

/// The statements of a document (an object, or an SCP's JSON text), with their index.
fn statements(document: &Value) -> Vec<(usize, &Map)> {
    let Value::Object(doc) = document else {
        return Vec::new();
    };
    let items: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    items
        .into_iter()
        .enumerate()
        .filter_map(|(n, s)| match s {
            Value::Object(st) => Some((n, st)),
            _ => None,
        })
        .collect()
}

/// How a statement reaches one action: named, matched by a wildcard, or through `NotAction`.
#[derive(Debug, PartialEq, Eq)]
enum Reach {
    Named,
    Wildcard,
    NotAction,
}

fn reaches(st: &Map, action: &str) -> Option<Reach> {
    let lower = action.to_ascii_lowercase();
    let matches =
        |pattern: &str| catalogue::glob(pattern.to_ascii_lowercase().as_bytes(), lower.as_bytes());
    if let Some(not) = st.get("NotAction") {
        return (!literals(Some(not)).into_iter().any(matches)).then_some(Reach::NotAction);
    }
    let actions = literals(st.get("Action"));
    if actions.iter().any(|a| a.eq_ignore_ascii_case(action)) {
        Some(Reach::Named)
    } else if actions.into_iter().any(matches) {
        Some(Reach::Wildcard)
    } else {
        None
    }
}

/// `Some(true)` for `NotResource`, `Some(false)` for a `*` resource, `None` for named ones.
fn broad_resource(st: &Map) -> Option<bool> {
    if st.get("NotResource").is_some() {
        Some(true)
    } else if literals(st.get("Resource")).contains(&"*") {
        Some(false)
    } else {
        None
    }
}

/// The Access Analyzer code for an allowed `action` (`iam:PassRole`) on every resource:
/// `{stem}_WITH_STAR_IN_RESOURCE`, `..._WITH_NOT_ACTION_AND_NOT_RESOURCE`...
fn broad_action_code(reach: &Reach, not_resource: bool, codes: &[&'static str; 5]) -> &'static str {
    match (reach, not_resource) {
        (Reach::Named, false) => codes[0],
        (Reach::Wildcard, false) => codes[1],
        (Reach::Named | Reach::Wildcard, true) => codes[2],
        (Reach::NotAction, false) => codes[3],
        (Reach::NotAction, true) => codes[4],
    }
}

const PASS_ROLE: [&str; 5] = [
    "PASS_ROLE_WITH_STAR_IN_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
    "PASS_ROLE_WITH_NOT_RESOURCE",
    "PASS_ROLE_WITH_NOT_ACTION_AND_STAR_IN_RESOURCE",
    "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
];

const CREATE_SLR: [&str; 5] = [
    "CREATE_SLR_WITH_STAR_IN_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
    "CREATE_SLR_WITH_NOT_RESOURCE",
    "CREATE_SLR_WITH_NOT_ACTION_AND_STAR_IN_RESOURCE",
    "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
];

/// Whether the statement has a condition on `key` (any operator).
fn has_condition_on(st: &Map, key: &str) -> bool {
    let Some(Value::Object(operators)) = st.get("Condition") else {
        return false;
    };
    operators.iter().any(|(_, keys)| match keys {
        Value::Object(keys) => keys.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)),
        _ => false,
    })
}

/// Whether a principal value is everyone: `"*"` or `{"AWS": "*"}`.
fn is_everyone(principal: &Value) -> bool {
    match principal {
        Value::String(s) => &**s == "*",
        Value::Object(kinds) => kinds
            .iter()
            .any(|(kind, v)| kind == "AWS" && literals(Some(v)).contains(&"*")),
        _ => false,
    }
}

/// The security warnings of one policy document of `kind`. A document that is not an object
/// (one built at deploy time) has none; grammar errors are [`check_document`]'s.
///
/// [`check_document`]: super::check_document
///
/// ```
/// use landform_core::policy::{security_warnings, PolicyKind};
/// use landform_core::Value;
/// let doc = Value::from(serde_json::json!({"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}));
/// let found = security_warnings(&doc, PolicyKind::Identity);
/// assert_eq!(found[0].code, "PASS_ROLE_WITH_STAR_IN_RESOURCE");
/// ```
pub fn security_warnings(document: &Value, kind: PolicyKind) -> Vec<SecurityWarning> {
    if let (Value::String(text), PolicyKind::ServiceControl | PolicyKind::ResourceControl) =
        (document, kind)
    {
        return match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => security_warnings(&Value::from(json), kind),
            Err(_) => Vec::new(),
        };
    }
    let mut out = Vec::new();
    for (n, st) in statements(document) {
        let at = format!("Statement[{n}]");
        if !matches!(st.get("Effect"), Some(Value::String(e)) if &**e == "Allow") {
            continue;
        }
        if kind == PolicyKind::Identity {
            if let Some(not_resource) = broad_resource(st) {
                if let Some(reach) = reaches(st, "iam:PassRole") {
                    out.push(SecurityWarning {
                        code: broad_action_code(&reach, not_resource, &PASS_ROLE),
                        field: at.clone(),
                        detail: "allows iam:PassRole on every role: whoever holds it can hand any role of the account, an administrator's included, to a service they control".into(),
                    });
                }
                if let Some(reach) = reaches(st, "iam:CreateServiceLinkedRole") {
                    if !has_condition_on(st, "iam:AWSServiceName") {
                        out.push(SecurityWarning {
                            code: broad_action_code(&reach, not_resource, &CREATE_SLR),
                            field: at.clone(),
                            detail: "allows iam:CreateServiceLinkedRole for every service: limit it with a condition on iam:AWSServiceName or name the role ARNs".into(),
                        });
                    }
                }
            }
        }
        if st.get("NotPrincipal").is_some() {
            out.push(SecurityWarning {
                code: "ALLOW_WITH_NOT_PRINCIPAL",
                field: format!("{at}.NotPrincipal"),
                detail: "Allow with NotPrincipal lets in every principal but the ones named, anonymous callers included".into(),
            });
        }
        if matches!(kind, PolicyKind::Trust | PolicyKind::Resource)
            && st.get("Principal").is_some_and(is_everyone)
            && st.get("Condition").is_none()
        {
            out.push(SecurityWarning {
                code: "ALLOW_ANY_PRINCIPAL_WITHOUT_CONDITION",
                field: format!("{at}.Principal"),
                detail: "allows every principal of every account (Principal *) with no condition: anyone on the internet who knows the ARN gets in".into(),
            });
        }
        if let Some(Value::Object(operators)) = st.get("Condition") {
            for (operator, keys) in operators.iter() {
                if !operator.starts_with("ForAllValues:") {
                    continue;
                }
                let Value::Object(keys) = keys else { continue };
                for (key, _) in keys.iter() {
                    if catalogue::key_is_multivalued(key) == Some(false) {
                        out.push(SecurityWarning {
                            code: "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                            field: format!("{at}.Condition.{operator}.{key}"),
                            detail: format!("{key} holds one value, and ForAllValues: is true when the request lacks the key: the condition lets through requests it was meant to stop; use {} without the prefix", operator.trim_start_matches("ForAllValues:")),
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(statement: serde_json::Value, kind: PolicyKind) -> Vec<&'static str> {
        let doc = Value::from(json!({"Version": "2012-10-17", "Statement": [statement]}));
        security_warnings(&doc, kind)
            .into_iter()
            .map(|w| w.code)
            .collect()
    }

    #[test]
    fn pass_role_on_every_role_is_a_warning_and_on_named_roles_is_not() {
        let id = PolicyKind::Identity;
        let cases = [
            (
                json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}),
                vec!["PASS_ROLE_WITH_STAR_IN_RESOURCE"],
            ),
            (
                json!({"Effect": "Allow", "Action": "iam:Pass*", "Resource": "*"}),
                vec!["PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"],
            ),
            (
                json!({"Effect": "Allow", "Action": "iam:passrole", "NotResource": "arn:aws:iam::111111111111:role/Admin"}),
                vec!["PASS_ROLE_WITH_NOT_RESOURCE"],
            ),
            (
                json!({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}),
                vec![
                    "PASS_ROLE_WITH_NOT_ACTION_AND_STAR_IN_RESOURCE",
                    "CREATE_SLR_WITH_NOT_ACTION_AND_STAR_IN_RESOURCE",
                ],
            ),
            (
                json!({"Effect": "Allow", "NotAction": ["iam:*"], "NotResource": "arn:aws:s3:::b"}),
                vec![],
            ),
            (
                json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111111111111:role/Deploy"}),
                vec![],
            ),
            (
                json!({"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}),
                vec![],
            ),
            (
                json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
                vec![],
            ),
        ];
        for (statement, want) in cases {
            assert_eq!(codes(statement.clone(), id), want, "{statement}");
        }
    }

    #[test]
    fn create_slr_needs_a_service_name_condition() {
        let id = PolicyKind::Identity;
        assert_eq!(
            codes(
                json!({"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}),
                id
            ),
            vec!["CREATE_SLR_WITH_STAR_IN_RESOURCE"]
        );
        assert_eq!(
            codes(
                json!({"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
                "Condition": {"StringEquals": {"iam:AWSServiceName": "guardduty.amazonaws.com"}}}),
                id
            ),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn principals_that_let_everyone_in_are_warnings() {
        let res = PolicyKind::Resource;
        assert_eq!(
            codes(
                json!({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:GetObject", "Resource": "*"}),
                res
            ),
            vec!["ALLOW_WITH_NOT_PRINCIPAL"]
        );
        assert_eq!(
            codes(
                json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"}),
                res
            ),
            vec!["ALLOW_ANY_PRINCIPAL_WITHOUT_CONDITION"]
        );
        assert_eq!(
            codes(
                json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}),
                PolicyKind::Trust
            ),
            vec!["ALLOW_ANY_PRINCIPAL_WITHOUT_CONDITION"]
        );
        // Everyone, but only from inside the organization; and a deny for everyone.
        assert!(codes(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}),
            res
        )
        .is_empty());
        assert!(codes(
            json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
            res
        )
        .is_empty());
        assert!(codes(json!({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"}), res).is_empty());
    }

    #[test]
    fn for_all_values_on_a_single_valued_key_is_a_warning() {
        let id = PolicyKind::Identity;
        assert_eq!(
            codes(
                json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                "Condition": {"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1"}}}),
                id
            ),
            vec!["FORALLVALUES_WITH_SINGLE_VALUED_KEY"]
        );
        // aws:TagKeys holds a set: ForAllValues is what it is for. Unknown keys are not judged.
        for key in ["aws:TagKeys", "token.actions.githubusercontent.com:sub"] {
            assert!(
                codes(
                    json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                "Condition": {"ForAllValues:StringEquals": {key: "x"}}}),
                    id
                )
                .is_empty(),
                "{key}"
            );
        }
    }

    #[test]
    fn an_scp_given_as_text_is_read() {
        let text = Value::String(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"*","Resource":"*"}]}"#.into());
        let found = security_warnings(&text, PolicyKind::ServiceControl);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].field, "Statement[0].NotPrincipal");
    }
}
