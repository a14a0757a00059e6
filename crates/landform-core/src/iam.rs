//! Typed IAM policy documents, serialised exactly as AWS expects, with the minified length
//! that AWS limits count (SCPs: 5,120 characters; role trust policies: 2,048).

use std::collections::BTreeMap;

use crate::error::CoreError;
use crate::object::Map;
use crate::value::Value;

/// Actions of global services (or services homed in us-east-1) that a region deny must
/// exempt, or sign-in, IAM, Organizations, billing and support break in other regions.
pub const GLOBAL_SERVICE_ACTIONS: [&str; 20] = [
    "account:*",
    "aws-portal:*",
    "budgets:*",
    "ce:*",
    "chatbot:*",
    "cloudfront:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "organizations:*",
    "pricing:*",
    "route53:*",
    "route53domains:*",
    "s3:GetAccountPublicAccessBlock",
    "shield:*",
    "sso:*",
    "sts:*",
    "support:*",
    "trustedadvisor:*",
    "waf:*",
];

/// The policy language version every document uses.
pub const POLICY_VERSION: &str = "2012-10-17";

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `"Allow"`
    Allow,
    /// `"Deny"`
    Deny,
}

/// Who a statement applies to (resource and trust policies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"*"`: anyone. Dangerous outside Deny statements.
    Any,
    /// `{"AWS": [...]}`: accounts, roles, users.
    Aws(Vec<Value>),
    /// `{"Service": [...]}`: AWS services such as `cloudtrail.amazonaws.com`.
    Service(Vec<Value>),
    /// `{"Federated": ...}`: an OIDC or SAML provider ARN.
    Federated(Value),
}

impl Principal {
    /// One AWS principal (account id, ARN, or a reference to one).
    pub fn aws(value: impl Into<Value>) -> Self {
        Principal::Aws(vec![value.into()])
    }
    /// One service principal.
    pub fn service(name: &str) -> Self {
        Principal::Service(vec![Value::from(name)])
    }
    /// A federated principal.
    pub fn federated(provider: impl Into<Value>) -> Self {
        Principal::Federated(provider.into())
    }

    fn to_value(&self) -> Value {
        let list = |items: &[Value]| match items {
            [one] => one.clone(),
            many => Value::Array(many.to_vec()),
        };
        match self {
            Principal::Any => Value::from("*"),
            Principal::Aws(items) => Value::object([("AWS", list(items))]),
            Principal::Service(items) => Value::object([("Service", list(items))]),
            Principal::Federated(v) => Value::object([("Federated", v.clone())]),
        }
    }
}

/// A statement's conditions: operator (`StringEquals`) to key (`aws:SourceAccount`) to values.
pub type Conditions = BTreeMap<String, BTreeMap<String, Vec<Value>>>;

/// One policy statement.
///
/// ```
/// use landform_core::iam::{Statement, PolicyDocument};
/// let deny = Statement::deny()
///     .sid("DenyInsecureTransport")
///     .actions(["s3:*"])
///     .resources(["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"])
///     .any_principal()
///     .condition("Bool", "aws:SecureTransport", ["false"]).unwrap();
/// let doc = PolicyDocument::new().statement(deny);
/// assert!(doc.minified().unwrap().contains(r#""Condition":{"Bool":{"aws:SecureTransport":"false"}}"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    sid: Option<String>,
    effect: Effect,
    principal: Option<Principal>,
    actions: Vec<String>,
    not_actions: Vec<String>,
    resources: Vec<Value>,
    not_resources: Vec<Value>,
    conditions: Conditions,
}

impl Statement {
    /// A statement with this effect and nothing else yet.
    pub fn new(effect: Effect) -> Self {
        Statement {
            sid: None,
            effect,
            principal: None,
            actions: Vec::new(),
            not_actions: Vec::new(),
            resources: Vec::new(),
            not_resources: Vec::new(),
            conditions: Conditions::new(),
        }
    }
    /// An Allow statement.
    pub fn allow() -> Self {
        Self::new(Effect::Allow)
    }
    /// A Deny statement.
    pub fn deny() -> Self {
        Self::new(Effect::Deny)
    }
    /// Statement id (alphanumeric).
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }
    /// Add actions (`s3:GetObject`).
    pub fn actions<S: Into<String>>(mut self, actions: impl IntoIterator<Item = S>) -> Self {
        self.actions.extend(actions.into_iter().map(Into::into));
        self
    }
    /// Add NotAction entries.
    pub fn not_actions<S: Into<String>>(mut self, actions: impl IntoIterator<Item = S>) -> Self {
        self.not_actions.extend(actions.into_iter().map(Into::into));
        self
    }
    /// Add resources (ARNs, or references that resolve to ARNs).
    pub fn resources<V: Into<Value>>(mut self, resources: impl IntoIterator<Item = V>) -> Self {
        self.resources.extend(resources.into_iter().map(Into::into));
        self
    }
    /// Add NotResource entries.
    pub fn not_resources<V: Into<Value>>(mut self, resources: impl IntoIterator<Item = V>) -> Self {
        self.not_resources
            .extend(resources.into_iter().map(Into::into));
        self
    }
    /// Set the principal.
    pub fn principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }
    /// `"Principal": "*"`.
    pub fn any_principal(self) -> Self {
        self.principal(Principal::Any)
    }
    /// Add a condition. The same operator with another key joins the same block (all must
    /// hold); the same operator and key twice is refused, because in JSON one would silently
    /// replace the other.
    pub fn condition<V: Into<Value>>(
        mut self,
        operator: &str,
        key: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Result<Self, CoreError> {
        let block = self.conditions.entry(operator.to_owned()).or_default();
        if block.contains_key(key) {
            return Err(CoreError::DuplicateCondition {
                operator: operator.to_owned(),
                key: key.to_owned(),
            });
        }
        block.insert(key.to_owned(), values.into_iter().map(Into::into).collect());
        Ok(self)
    }

    /// The effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }
    /// The actions.
    pub fn action_list(&self) -> &[String] {
        &self.actions
    }
    /// The NotAction entries.
    pub fn not_action_list(&self) -> &[String] {
        &self.not_actions
    }
    /// The resources.
    pub fn resource_list(&self) -> &[Value] {
        &self.resources
    }
    /// The principal.
    pub fn principal_ref(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }
    /// The conditions.
    pub fn condition_map(&self) -> &Conditions {
        &self.conditions
    }
    /// The statement id.
    pub fn sid_ref(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// The statement as a value, keys in the order AWS documents them.
    pub fn to_value(&self) -> Value {
        // `Value::Object` sorts keys; AWS does not care about key order, and sorted is stable.
        let list = |items: &[Value]| match items {
            [one] => one.clone(),
            many => Value::Array(many.to_vec()),
        };
        let strings = |items: &[String]| list(&items.iter().map(Value::from).collect::<Vec<_>>());
        let mut out = Map::with_capacity(4);
        if let Some(sid) = &self.sid {
            out.insert("Sid", Value::from(sid.as_str()));
        }
        out.insert(
            "Effect",
            Value::from(match self.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            }),
        );
        if let Some(p) = &self.principal {
            out.insert("Principal", p.to_value());
        }
        if !self.actions.is_empty() {
            out.insert("Action", strings(&self.actions));
        }
        if !self.not_actions.is_empty() {
            out.insert("NotAction", strings(&self.not_actions));
        }
        if !self.resources.is_empty() {
            out.insert("Resource", list(&self.resources));
        }
        if !self.not_resources.is_empty() {
            out.insert("NotResource", list(&self.not_resources));
        }
        if !self.conditions.is_empty() {
            let conditions = self
                .conditions
                .iter()
                .map(|(op, keys)| {
                    let keys = keys
                        .iter()
                        .map(|(k, values)| (k.clone(), list(values)))
                        .collect();
                    (op.clone(), Value::Object(keys))
                })
                .collect();
            out.insert("Condition", Value::Object(conditions));
        }
        Value::Object(out)
    }
}

/// A policy document: version and statements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyDocument {
    statements: Vec<Statement>,
}

impl PolicyDocument {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }
    /// Add a statement.
    pub fn statement(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }
    /// Add a statement in place.
    pub fn push(&mut self, statement: Statement) {
        self.statements.push(statement);
    }
    /// The statements.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
    /// The document as a property value (references stay references).
    pub fn to_value(&self) -> Value {
        Value::object([
            ("Version", Value::from(POLICY_VERSION)),
            (
                "Statement",
                Value::Array(self.statements.iter().map(Statement::to_value).collect()),
            ),
        ])
    }

    /// The minified JSON text, when the document holds no deploy-time references.
    pub fn minified(&self) -> Option<String> {
        self.to_value().to_plain_json().map(|json| json.to_string())
    }

    /// Characters of the minified document, as AWS counts against policy size quotas.
    /// References are counted at a conservative upper bound of their resolved length.
    pub fn minified_len(&self) -> usize {
        match self.minified() {
            Some(text) => text.chars().count(),
            None => estimate_len(&self.to_value()),
        }
    }
}

impl From<PolicyDocument> for Value {
    fn from(doc: PolicyDocument) -> Self {
        doc.to_value()
    }
}
impl From<&PolicyDocument> for Value {
    fn from(doc: &PolicyDocument) -> Self {
        doc.to_value()
    }
}

/// Upper bound of a deferred value's resolved length: an ARN is at most 2,048 characters
/// in theory, but the references Landform emits resolve to ids and ARNs well under 128.
const DEFERRED_ESTIMATE: usize = 128;

fn estimate_len(value: &Value) -> usize {
    len_with(value, DEFERRED_ESTIMATE)
}

/// Characters of `text` as a JSON string, quotes and escapes included, as serde_json writes it
/// (without building it: synth counts every policy document of the app).
fn json_string_len(text: &str) -> usize {
    2 + text
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
            c if u32::from(c) < 0x20 => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// Characters of `value` as minified JSON, a value known only at deploy time counted as
/// `deferred`: 0 gives a lower bound (what the document is at least).
pub(crate) fn len_with(value: &Value, deferred: usize) -> usize {
    match value {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Number(n) => n.len(),
        Value::String(s) => json_string_len(s),
        Value::Array(items) => {
            2 + items.iter().map(|v| len_with(v, deferred)).sum::<usize>()
                + items.len().saturating_sub(1)
        }
        Value::Object(map) => {
            2 + map
                .iter()
                .map(|(k, v)| k.chars().count() + 3 + len_with(v, deferred))
                .sum::<usize>()
                + map.len().saturating_sub(1)
        }
        _ => deferred,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_counts_as_many_characters_as_serde_json_writes() {
        let mut every_control: String = (0u8..0x20).map(char::from).collect();
        every_control.push_str("\u{7f}/é漢😀");
        for text in [
            "",
            "plain",
            "quote \" and backslash \\",
            "tab\tnew line\ncarriage\r",
            every_control.as_str(),
        ] {
            let written = serde_json::Value::from(text).to_string().chars().count();
            assert_eq!(json_string_len(text), written, "{text:?}");
        }
    }

    #[test]
    fn single_values_are_scalars_and_many_are_lists() {
        let doc = PolicyDocument::new().statement(
            Statement::allow()
                .actions(["s3:GetObject"])
                .resources(["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]),
        );
        assert_eq!(
            doc.minified().unwrap(),
            r#"{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}],"Version":"2012-10-17"}"#
        );
    }

    #[test]
    fn same_operator_and_key_twice_is_refused() {
        let err = Statement::deny()
            .condition("StringEquals", "aws:RequestedRegion", ["us-east-1"])
            .unwrap()
            .condition("StringEquals", "aws:RequestedRegion", ["eu-west-1"])
            .unwrap_err();
        assert!(
            matches!(err, CoreError::DuplicateCondition { ref operator, ref key }
            if operator == "StringEquals" && key == "aws:RequestedRegion")
        );
    }

    #[test]
    fn same_operator_with_other_keys_shares_one_block() {
        let st = Statement::allow()
            .condition("StringEquals", "token:aud", ["sts.amazonaws.com"])
            .unwrap()
            .condition("StringEquals", "token:sub", ["repo:x"])
            .unwrap();
        let text = PolicyDocument::new().statement(st).minified().unwrap();
        assert!(text.contains(
            r#""Condition":{"StringEquals":{"token:aud":"sts.amazonaws.com","token:sub":"repo:x"}}"#
        ));
    }

    #[test]
    fn principals_serialise_in_aws_shapes() {
        let st = Statement::allow()
            .principal(Principal::federated(
                "arn:aws:iam::1:oidc-provider/gitlab.com",
            ))
            .actions(["sts:AssumeRoleWithWebIdentity"]);
        let text = PolicyDocument::new().statement(st).minified().unwrap();
        assert!(
            text.contains(r#""Principal":{"Federated":"arn:aws:iam::1:oidc-provider/gitlab.com"}"#)
        );
        let any = Statement::deny().any_principal().to_value();
        assert_eq!(any.get("Principal"), Some(&Value::from("*")));
    }

    #[test]
    fn minified_len_counts_characters_not_bytes() {
        let doc = PolicyDocument::new().statement(Statement::allow().sid("é").actions(["a:b"]));
        let text = doc.minified().unwrap();
        assert_eq!(doc.minified_len(), text.chars().count());
        assert!(text.len() > doc.minified_len());
    }

    #[test]
    fn deferred_values_are_estimated_not_ignored() {
        use crate::tree::NodeId;
        use crate::value::{Attribute, Reference};
        let r = Value::Ref(Reference {
            target: NodeId::ROOT,
            attribute: Attribute::Ref,
        });
        let doc =
            PolicyDocument::new().statement(Statement::allow().actions(["s3:*"]).resources([r]));
        assert!(doc.minified().is_none());
        assert!(doc.minified_len() >= DEFERRED_ESTIMATE);
    }
}
