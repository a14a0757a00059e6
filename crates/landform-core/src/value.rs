//! Property values: plain JSON plus typed references that synthesis turns into
//! CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`, parameters).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::object::{Key, Map};
use crate::tree::NodeId;

/// An attribute of a resource that another value can point at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attribute {
    /// What `Ref` returns for the resource type (usually its physical id).
    Ref,
    /// A named attribute, as `Fn::GetAtt` reads it (`Arn`, `AccountId`, ...). Shared text:
    /// the tree keeps one copy of each name.
    GetAtt(Arc<str>),
}

impl Attribute {
    /// The attribute name as the engine and the manifest spell it (`Ref` for `Ref`).
    pub fn name(&self) -> &str {
        match self {
            Attribute::Ref => "Ref",
            Attribute::GetAtt(name) => name,
        }
    }
}

/// A reference to an attribute of a resource node in the construct tree.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    /// The resource node referred to.
    pub target: NodeId,
    /// Which of its attributes.
    pub attribute: Attribute,
}

/// CloudFormation pseudo parameters, resolved in the stack that uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pseudo {
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::Region`
    Region,
    /// `AWS::Partition`
    Partition,
    /// `AWS::StackName`
    StackName,
    /// `AWS::URLSuffix`
    UrlSuffix,
}

impl Pseudo {
    /// The pseudo parameter's CloudFormation name.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Region => "AWS::Region",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }
}

/// One piece of an [`Value::Sub`] string: literal text or an embedded value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubPart {
    /// Literal text (a `${` in it is escaped on output).
    Text(String),
    /// A value whose string form is spliced in at deploy time.
    Value(Value),
}

/// A property value. Plain JSON, plus references that become intrinsics at synth.
///
/// Kept to 32 bytes (a large app holds hundreds of thousands): strings are shared text (the
/// tree keeps one copy of each distinct string of its resources), and the rare `Fn::Join`
/// is boxed.
///
/// ```
/// use landform_core::Value;
/// let v = Value::from(serde_json::json!({"Enabled": true, "Names": ["a", "b"]}));
/// assert_eq!(v.to_plain_json().unwrap()["Enabled"], true);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Value {
    /// JSON null (dropped from resource properties on output).
    #[default]
    Null,
    /// JSON boolean.
    Bool(bool),
    /// A JSON number, kept as its canonical text so values stay `Eq` and `Ord`.
    Number(String),
    /// JSON string, as shared text.
    String(Arc<str>),
    /// JSON array.
    Array(Vec<Value>),
    /// JSON object with sorted keys.
    Object(Map),
    /// A reference to a resource attribute anywhere in the app.
    Ref(Reference),
    /// A CloudFormation pseudo parameter.
    Pseudo(Pseudo),
    /// String interpolation (`Fn::Sub`).
    Sub(Vec<SubPart>),
    /// `Fn::Join` of values with a delimiter.
    Join(Box<Join>),
}

/// The delimiter and parts of a [`Value::Join`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Join {
    /// The delimiter placed between parts.
    pub delimiter: String,
    /// The parts joined.
    pub parts: Vec<Value>,
}

impl Value {
    /// An object value from key/value pairs.
    pub fn object<K: Into<Key>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(pairs.into_iter().collect())
    }

    /// An array value.
    pub fn array(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Array(items.into_iter().collect())
    }

    /// `Fn::Sub` built from parts.
    pub fn sub(parts: impl IntoIterator<Item = SubPart>) -> Value {
        Value::Sub(parts.into_iter().collect())
    }

    /// `Fn::Join`.
    pub fn join(delimiter: impl Into<String>, parts: impl IntoIterator<Item = Value>) -> Value {
        Value::Join(Box::new(Join {
            delimiter: delimiter.into(),
            parts: parts.into_iter().collect(),
        }))
    }

    /// The value as a string, when it is a literal string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Look up a key of an object value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(map) => map.get(key),
            _ => None,
        }
    }

    /// True when the value (or anything inside it) is not known until deploy time.
    pub fn is_deferred(&self) -> bool {
        match self {
            Value::Ref(_) | Value::Pseudo(_) => true,
            Value::Array(items) => items.iter().any(Value::is_deferred),
            Value::Object(map) => map.values().any(Value::is_deferred),
            Value::Sub(parts) => parts.iter().any(|p| match p {
                SubPart::Text(_) => false,
                SubPart::Value(v) => v.is_deferred(),
            }),
            Value::Join(join) => join.parts.iter().any(Value::is_deferred),
            _ => false,
        }
    }

    /// Every reference inside the value, in order of appearance.
    pub fn references(&self) -> Vec<&Reference> {
        let mut out = Vec::new();
        self.collect_references(&mut out);
        out
    }

    fn collect_references<'a>(&'a self, out: &mut Vec<&'a Reference>) {
        match self {
            Value::Ref(r) => out.push(r),
            Value::Array(items) => items.iter().for_each(|v| v.collect_references(out)),
            Value::Object(map) => map.values().for_each(|v| v.collect_references(out)),
            Value::Sub(parts) => parts.iter().for_each(|p| {
                if let SubPart::Value(v) = p {
                    v.collect_references(out)
                }
            }),
            Value::Join(join) => join.parts.iter().for_each(|v| v.collect_references(out)),
            _ => {}
        }
    }

    /// The value as plain JSON, or `None` when it holds anything deferred.
    pub fn to_plain_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.parse().ok()?),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(Value::to_plain_json)
                    .collect::<Option<_>>()?,
            ),
            Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| v.to_plain_json().map(|j| (k.to_owned(), j)))
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        })
    }
}

impl From<serde_json::Value> for Value {
    fn from(json: serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n.to_string()),
            serde_json::Value::String(s) => Value::String(Arc::from(s)),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(Arc::from(s))
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Arc::from(s))
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(Arc::from(s.as_str()))
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
macro_rules! number_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self { Value::Number(n.to_string()) }
        }
    )*};
}
number_from!(i32, i64, u8, u16, u32, u64, usize);
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}
impl From<Reference> for Value {
    fn from(r: Reference) -> Self {
        Value::Ref(r)
    }
}
impl From<Pseudo> for Value {
    fn from(p: Pseudo) -> Self {
        Value::Pseudo(p)
    }
}
impl<T> From<Token<T>> for Value {
    fn from(t: Token<T>) -> Self {
        t.value
    }
}
impl<T> From<&Token<T>> for Value {
    fn from(t: &Token<T>) -> Self {
        t.value.clone()
    }
}

/// A typed value: a literal or a reference whose kind is known at compile time, so a VPC id
/// cannot be passed where a transit gateway id is expected.
///
/// ```
/// use landform_core::{Token, Value, kinds::AccountId};
/// let id: Token<AccountId> = Token::literal("111111111111");
/// assert_eq!(id.as_literal(), Some("111111111111"));
/// assert_eq!(Value::from(&id), Value::from("111111111111"));
/// ```
pub struct Token<T> {
    value: Value,
    kind: PhantomData<fn() -> T>,
}

impl<T> Token<T> {
    /// A token from any value. Prefer the typed accessors of constructs.
    pub fn from_value(value: Value) -> Self {
        Token {
            value,
            kind: PhantomData,
        }
    }
    /// A token known at synth time.
    pub fn literal(s: impl Into<String>) -> Self {
        Self::from_value(Value::String(Arc::from(s.into())))
    }
    /// A token that reads an attribute of a resource.
    pub fn reference(target: NodeId, attribute: Attribute) -> Self {
        Self::from_value(Value::Ref(Reference { target, attribute }))
    }
    /// The literal string, when the token is not deferred.
    pub fn as_literal(&self) -> Option<&str> {
        self.value.as_str()
    }
    /// The untyped value.
    pub fn value(&self) -> &Value {
        &self.value
    }
    /// Splice the token into an `Fn::Sub` string.
    pub fn part(&self) -> SubPart {
        SubPart::Value(self.value.clone())
    }
}

impl<T> Clone for Token<T> {
    fn clone(&self) -> Self {
        Self::from_value(self.value.clone())
    }
}
impl<T> PartialEq for Token<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T> Eq for Token<T> {}
impl<T> fmt::Debug for Token<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token<{}>({:?})", std::any::type_name::<T>(), self.value)
    }
}

/// Marker types for [`Token`]: what kind of AWS identifier a token holds.
pub mod kinds {
    macro_rules! kinds {
        ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $name {}
        )*};
    }
    kinds!(
        /// A 12-digit AWS account id.
        AccountId,
        /// An Amazon Resource Name.
        Arn,
        /// An Organizations organizational unit or root id.
        OrganizationalUnitId,
        /// An Organizations policy id.
        PolicyId,
        /// A VPC id.
        VpcId,
        /// A subnet id.
        SubnetId,
        /// A Transit Gateway id.
        TransitGatewayId,
        /// A Transit Gateway attachment id.
        TransitGatewayAttachmentId,
        /// A Transit Gateway route table id.
        TransitGatewayRouteTableId,
        /// An S3 bucket name.
        BucketName,
        /// A KMS key id or ARN.
        KmsKeyId,
        /// A DynamoDB table name.
        TableName,
        /// A plain string attribute.
        Text,
    );
}

/// Shorthand for a `Fn::Sub` text part.
pub fn text(s: impl Into<String>) -> SubPart {
    SubPart::Text(s.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_takes_32_bytes() {
        // Hundreds of thousands of values make up a large app's tree: keep the enum small.
        assert!(std::mem::size_of::<Value>() <= 32);
    }
}
