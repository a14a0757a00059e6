//! What the generated builders are made of: the scalar property types (a literal of the
//! right kind, or any deploy-time [`Value`]), and [`ToCfn`], which turns a typed property back
//! into the template's value.

use std::collections::BTreeMap;
use std::sync::Arc;

pub use landform_core::{Key, Map, Resource, Value};

/// A typed property value that becomes a template value.
///
/// ```
/// use landform_cfn::{Integer, ToCfn, Value};
/// assert_eq!(Integer::from(7).into_value(), Value::from(7));
/// ```
pub trait ToCfn {
    /// The template value.
    fn into_value(self) -> Value;
}

impl ToCfn for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl<T: ToCfn> ToCfn for Vec<T> {
    fn into_value(self) -> Value {
        Value::Array(self.into_iter().map(ToCfn::into_value).collect())
    }
}

impl<T: ToCfn> ToCfn for BTreeMap<String, T> {
    fn into_value(self) -> Value {
        Value::Object(
            self.into_iter()
                .map(|(k, v)| (Key::from(k), v.into_value()))
                .collect(),
        )
    }
}

impl<T: ToCfn> ToCfn for Box<T> {
    fn into_value(self) -> Value {
        (*self).into_value()
    }
}

macro_rules! scalar {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct $name(Value);

        impl $name {
            /// The template value.
            pub fn value(&self) -> &Value {
                &self.0
            }
        }

        impl ToCfn for $name {
            fn into_value(self) -> Value {
                self.0
            }
        }

        impl From<$name> for Value {
            fn from(v: $name) -> Value {
                v.0
            }
        }

        /// Any deploy-time value (`Ref`, `Fn::GetAtt`, `Fn::Sub`, a parameter), as it is: the
        /// schema check at synth still sees what it becomes where it can.
        impl From<Value> for $name {
            fn from(v: Value) -> Self {
                $name(v)
            }
        }

        impl From<landform_core::Pseudo> for $name {
            fn from(v: landform_core::Pseudo) -> Self {
                $name(Value::from(v))
            }
        }
    };
}

scalar!(
    /// A string property: text, or a deploy-time value.
    ///
    /// ```
    /// use landform_cfn::{Text, Value};
    /// assert_eq!(Value::from(Text::from("x")), Value::from("x"));
    /// ```
    Text
);
scalar!(
    /// An integer property: a Rust integer, or a deploy-time value.
    Integer
);
scalar!(
    /// A number property: a Rust number, or a deploy-time value.
    Number
);
scalar!(
    /// A boolean property: `true`/`false`, or a deploy-time value.
    Boolean
);

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(Value::from(s))
    }
}
impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(Value::from(s))
    }
}
impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text(Value::from(s))
    }
}
impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Self {
        Text(Value::String(s))
    }
}
impl<T> From<landform_core::Token<T>> for Text {
    fn from(t: landform_core::Token<T>) -> Self {
        Text(Value::from(t))
    }
}
impl<T> From<&landform_core::Token<T>> for Text {
    fn from(t: &landform_core::Token<T>) -> Self {
        Text(Value::from(t))
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl From<$t> for Integer {
            fn from(n: $t) -> Self { Integer(Value::from(n)) }
        }
        impl From<$t> for Number {
            fn from(n: $t) -> Self { Number(Value::from(n)) }
        }
    )*};
}
integers!(i32, i64, u8, u16, u32, u64, usize);

impl From<f64> for Number {
    /// A finite number as JSON writes it; a NaN or infinity (JSON has none) becomes null, which
    /// the template leaves out.
    fn from(n: f64) -> Self {
        Number(Value::from(serde_json::json!(n)))
    }
}

impl From<bool> for Boolean {
    fn from(b: bool) -> Self {
        Boolean(Value::Bool(b))
    }
}

/// A tag, as most types take them (`{"Key": .., "Value": ..}`); a `(key, value)` pair
/// converts into one.
///
/// ```
/// use landform_cfn::{Tag, ToCfn, Value};
/// let tag = Tag::from(("team", "platform"));
/// assert_eq!(
///     tag.into_value(),
///     Value::from(serde_json::json!({"Key": "team", "Value": "platform"}))
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tag {
    /// `Key`.
    pub key: Text,
    /// `Value`.
    pub value: Text,
}

impl Tag {
    /// A tag.
    pub fn new(key: impl Into<Text>, value: impl Into<Text>) -> Self {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

impl<K: Into<Text>, V: Into<Text>> From<(K, V)> for Tag {
    fn from((key, value): (K, V)) -> Self {
        Tag::new(key, value)
    }
}

impl ToCfn for Tag {
    fn into_value(self) -> Value {
        let mut map = Map::with_capacity(2);
        map.insert("Key", self.key.into_value());
        map.insert("Value", self.value.into_value());
        Value::Object(map)
    }
}

/// Set `name` in `properties` when `value` is given (the generated conversions' one step).
#[doc(hidden)]
pub fn put<T: ToCfn>(properties: &mut Map, name: &'static str, value: Option<T>) {
    if let Some(value) = value {
        properties.insert(name, value.into_value());
    }
}

/// The resource of a type with these properties (the generated conversions' last step).
#[doc(hidden)]
pub fn resource(type_name: &'static str, properties: Map) -> Resource {
    let mut resource = Resource::new(type_name);
    *resource.properties_mut() = properties;
    resource
}
