//! CloudFormation intrinsic functions, resolved by the engine from recorded attributes:
//! `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::GetAZs`, `Fn::ImportValue`.
//!
//! Resolution never panics: malformed input is an [`IntrinsicError`], and a value that
//! depends on a resource not created yet resolves to `None` ("known after apply").

use serde_json::{Map, Value as Json};

/// What a context knows about one name.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// The value.
    Known(Json),
    /// It will be known once a resource is created.
    Unknown,
    /// No such name.
    Missing,
}

/// Where names come from: resources, parameters and pseudo parameters of one stack, and the
/// exports of every stack.
pub trait ResolveContext {
    /// `Ref` of a name: a pseudo parameter, a parameter or a resource.
    fn reference(&self, name: &str) -> Lookup;
    /// `Fn::GetAtt` of a resource attribute.
    fn attribute(&self, logical_id: &str, attribute: &str) -> Lookup;
    /// `Fn::ImportValue` of an export name.
    fn import(&self, export: &str) -> Lookup;
}

/// Why an intrinsic could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntrinsicError {
    /// A name that is no resource, parameter, pseudo parameter or export.
    #[error("{function} names {name}, which is not defined")]
    Undefined {
        /// The function (`Ref`, `Fn::GetAtt`...).
        function: &'static str,
        /// The name.
        name: String,
    },
    /// The arguments do not have the documented shape.
    #[error("{function} is malformed: {reason}")]
    Malformed {
        /// The function.
        function: String,
        /// What is wrong.
        reason: String,
    },
    /// A function the engine does not implement.
    #[error("{0} is not supported by the direct engine")]
    Unsupported(String),
}

fn malformed(function: &str, reason: impl Into<String>) -> IntrinsicError {
    IntrinsicError::Malformed {
        function: function.to_owned(),
        reason: reason.into(),
    }
}

/// A name an intrinsic reads, for dependency ordering.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Referenced {
    /// `Ref` of a name (resource, parameter or pseudo parameter).
    Ref(String),
    /// `Fn::GetAtt` of a resource.
    GetAtt(String, String),
    /// `Fn::ImportValue` of an export.
    Import(String),
}

impl Referenced {
    /// The logical id (or parameter name) read.
    pub fn name(&self) -> &str {
        match self {
            Referenced::Ref(n) | Referenced::GetAtt(n, _) | Referenced::Import(n) => n,
        }
    }
}

/// A piece of an `Fn::Sub` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubToken {
    /// Literal text (`${!X}` already turned into `${X}`).
    Text(String),
    /// `${Name}` or `${Resource.Attribute}`.
    Variable(String),
}

/// Split an `Fn::Sub` template into text and variables.
pub fn sub_tokens(template: &str) -> Vec<SubToken> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        text.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            text.push_str("${");
            rest = literal;
            continue;
        }
        match after.find('}') {
            Some(end) => {
                if !text.is_empty() {
                    out.push(SubToken::Text(std::mem::take(&mut text)));
                }
                out.push(SubToken::Variable(after[..end].trim().to_owned()));
                rest = &after[end + 1..];
            }
            None => {
                text.push_str("${");
                rest = after;
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(SubToken::Text(text));
    }
    out
}

/// Every name `value` reads, in order of appearance (duplicates kept).
pub fn references(value: &Json) -> Vec<Referenced> {
    let mut out = Vec::new();
    collect(value, &mut out);
    out
}

fn collect(value: &Json, out: &mut Vec<Referenced>) {
    match value {
        Json::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Json::Object(map) if map.len() == 1 => {
            let (key, arg) = map
                .iter()
                .next()
                .map(|(k, v)| (k.as_str(), v))
                .unwrap_or(("", &Json::Null));
            match (key, arg) {
                ("Ref", Json::String(name)) => out.push(Referenced::Ref(name.clone())),
                ("Fn::GetAtt", _) => {
                    if let Some((lid, att)) = get_att_args(arg) {
                        out.push(Referenced::GetAtt(lid, att));
                    }
                }
                ("Fn::ImportValue", Json::String(name)) => {
                    out.push(Referenced::Import(name.clone()))
                }
                ("Fn::Sub", Json::String(template)) => sub_refs(template, &[], out),
                ("Fn::Sub", Json::Array(args)) => {
                    let vars: Vec<&str> = args
                        .get(1)
                        .and_then(Json::as_object)
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    if let Some(Json::String(template)) = args.first() {
                        sub_refs(template, &vars, out);
                    }
                    if let Some(v) = args.get(1) {
                        collect(v, out);
                    }
                }
                _ => collect(arg, out),
            }
        }
        Json::Object(map) => map.values().for_each(|v| collect(v, out)),
        _ => {}
    }
}

fn sub_refs(template: &str, vars: &[&str], out: &mut Vec<Referenced>) {
    for token in sub_tokens(template) {
        if let SubToken::Variable(name) = token {
            if vars.contains(&name.as_str()) {
                continue;
            }
            match name.split_once('.') {
                Some((lid, att)) => out.push(Referenced::GetAtt(lid.to_owned(), att.to_owned())),
                None => out.push(Referenced::Ref(name)),
            }
        }
    }
}

fn get_att_args(arg: &Json) -> Option<(String, String)> {
    match arg {
        Json::Array(a) if a.len() == 2 => {
            Some((a[0].as_str()?.to_owned(), a[1].as_str()?.to_owned()))
        }
        Json::String(s) => s.split_once('.').map(|(l, a)| (l.to_owned(), a.to_owned())),
        _ => None,
    }
}

/// Resolve every intrinsic in `value`. `Ok(None)` means "known after apply".
///
/// ```
/// use serde_json::json;
/// use landform_deploy::intrinsics::{resolve, Lookup, ResolveContext};
/// struct Ctx;
/// impl ResolveContext for Ctx {
///     fn reference(&self, name: &str) -> Lookup {
///         if name == "AWS::Region" { Lookup::Known(json!("us-east-1")) } else { Lookup::Missing }
///     }
///     fn attribute(&self, _: &str, _: &str) -> Lookup { Lookup::Unknown }
///     fn import(&self, _: &str) -> Lookup { Lookup::Missing }
/// }
/// let v = resolve(&json!({"Fn::Sub": "s3.${AWS::Region}.${!Literal}"}), &Ctx).unwrap();
/// assert_eq!(v, Some(json!("s3.us-east-1.${Literal}")));
/// assert_eq!(resolve(&json!({"Fn::GetAtt": ["Vpc", "VpcId"]}), &Ctx).unwrap(), None);
/// ```
pub fn resolve(value: &Json, ctx: &dyn ResolveContext) -> Result<Option<Json>, IntrinsicError> {
    resolve_depth(value, ctx, 0)
}

const MAX_DEPTH: usize = 64;

fn resolve_depth(
    value: &Json,
    ctx: &dyn ResolveContext,
    depth: usize,
) -> Result<Option<Json>, IntrinsicError> {
    if depth > MAX_DEPTH {
        return Err(malformed("value", "nested too deeply"));
    }
    match value {
        Json::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match resolve_depth(item, ctx, depth + 1)? {
                    Some(v) => out.push(v),
                    None => return Ok(None),
                }
            }
            Ok(Some(Json::Array(out)))
        }
        Json::Object(map) if map.len() == 1 => {
            let Some((key, arg)) = map.iter().next() else {
                return Ok(Some(Json::Object(Map::new())));
            };
            if key == "Ref" || key.starts_with("Fn::") {
                function(key, arg, ctx, depth)
            } else {
                object(map, ctx, depth)
            }
        }
        Json::Object(map) => object(map, ctx, depth),
        other => Ok(Some(other.clone())),
    }
}

fn object(
    map: &Map<String, Json>,
    ctx: &dyn ResolveContext,
    depth: usize,
) -> Result<Option<Json>, IntrinsicError> {
    let mut out = Map::new();
    for (k, v) in map {
        if is_no_value(v) {
            continue;
        }
        match resolve_depth(v, ctx, depth + 1)? {
            Some(v) => {
                out.insert(k.clone(), v);
            }
            None => return Ok(None),
        }
    }
    Ok(Some(Json::Object(out)))
}

fn is_no_value(v: &Json) -> bool {
    v.as_object()
        .and_then(|m| m.get("Ref"))
        .and_then(Json::as_str)
        == Some("AWS::NoValue")
}

fn lookup(l: Lookup, function: &'static str, name: &str) -> Result<Option<Json>, IntrinsicError> {
    match l {
        Lookup::Known(v) => Ok(Some(v)),
        Lookup::Unknown => Ok(None),
        Lookup::Missing => Err(IntrinsicError::Undefined {
            function,
            name: name.to_owned(),
        }),
    }
}

fn function(
    key: &str,
    arg: &Json,
    ctx: &dyn ResolveContext,
    depth: usize,
) -> Result<Option<Json>, IntrinsicError> {
    match key {
        "Ref" => {
            let name = arg
                .as_str()
                .ok_or_else(|| malformed("Ref", "takes a name"))?;
            lookup(ctx.reference(name), "Ref", name)
        }
        "Fn::GetAtt" => {
            let (lid, att) = get_att_args(arg)
                .ok_or_else(|| malformed("Fn::GetAtt", "takes [LogicalId, Attribute]"))?;
            lookup(
                ctx.attribute(&lid, &att),
                "Fn::GetAtt",
                &format!("{lid}.{att}"),
            )
        }
        "Fn::ImportValue" => {
            let Some(name) = resolve_depth(arg, ctx, depth + 1)? else {
                return Ok(None);
            };
            let name = name
                .as_str()
                .ok_or_else(|| malformed("Fn::ImportValue", "takes an export name"))?;
            lookup(ctx.import(name), "Fn::ImportValue", name)
        }
        "Fn::Join" => {
            let args = arg
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| malformed("Fn::Join", "takes [delimiter, [values]]"))?;
            let delimiter = args[0]
                .as_str()
                .ok_or_else(|| malformed("Fn::Join", "the delimiter is a string"))?;
            let Some(list) = resolve_depth(&args[1], ctx, depth + 1)? else {
                return Ok(None);
            };
            let list = list
                .as_array()
                .ok_or_else(|| malformed("Fn::Join", "the values are a list"))?;
            let parts = list
                .iter()
                .map(|v| stringify("Fn::Join", v))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(Json::String(parts.join(delimiter))))
        }
        "Fn::Select" => {
            let args = arg
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| malformed("Fn::Select", "takes [index, [values]]"))?;
            let Some(index) = resolve_depth(&args[0], ctx, depth + 1)? else {
                return Ok(None);
            };
            let index = match &index {
                Json::Number(n) => n.as_u64(),
                Json::String(s) => s.parse().ok(),
                _ => None,
            }
            .ok_or_else(|| malformed("Fn::Select", "the index is a non-negative number"))?;
            let Some(list) = resolve_depth(&args[1], ctx, depth + 1)? else {
                return Ok(None);
            };
            let item = list
                .as_array()
                .and_then(|l| usize::try_from(index).ok().and_then(|i| l.get(i)))
                .ok_or_else(|| malformed("Fn::Select", "the index is outside the list"))?;
            Ok(Some(item.clone()))
        }
        "Fn::Sub" => sub(arg, ctx, depth),
        "Fn::GetAZs" => {
            let region = match resolve_depth(arg, ctx, depth + 1)? {
                None => return Ok(None),
                Some(Json::String(r)) if r.is_empty() => match ctx.reference("AWS::Region") {
                    Lookup::Known(Json::String(r)) => r,
                    Lookup::Unknown => return Ok(None),
                    _ => return Err(malformed("Fn::GetAZs", "the stack has no region")),
                },
                Some(Json::String(r)) => r,
                Some(_) => return Err(malformed("Fn::GetAZs", "takes a region name or \"\"")),
            };
            Ok(Some(Json::Array(
                availability_zones(&region)
                    .into_iter()
                    .map(Json::String)
                    .collect(),
            )))
        }
        other => Err(IntrinsicError::Unsupported(other.to_owned())),
    }
}

fn sub(arg: &Json, ctx: &dyn ResolveContext, depth: usize) -> Result<Option<Json>, IntrinsicError> {
    let (template, vars) = match arg {
        Json::String(t) => (t.as_str(), None),
        Json::Array(a) if a.len() == 2 => (
            a[0].as_str()
                .ok_or_else(|| malformed("Fn::Sub", "the template is a string"))?,
            Some(
                a[1].as_object()
                    .ok_or_else(|| malformed("Fn::Sub", "the variables are an object"))?,
            ),
        ),
        _ => {
            return Err(malformed(
                "Fn::Sub",
                "takes a string or [string, {variables}]",
            ))
        }
    };
    let mut out = String::new();
    for token in sub_tokens(template) {
        match token {
            SubToken::Text(t) => out.push_str(&t),
            SubToken::Variable(name) => {
                let value = if let Some(v) = vars.and_then(|m| m.get(&name)) {
                    resolve_depth(v, ctx, depth + 1)?
                } else if let Some((lid, att)) = name.split_once('.') {
                    lookup(ctx.attribute(lid, att), "Fn::Sub", &name)?
                } else {
                    lookup(ctx.reference(&name), "Fn::Sub", &name)?
                };
                match value {
                    Some(v) => out.push_str(&stringify("Fn::Sub", &v)?),
                    None => return Ok(None),
                }
            }
        }
    }
    Ok(Some(Json::String(out)))
}

/// The availability zones `Fn::GetAZs` returns to the direct engine: the first three zone
/// names of the region (`us-east-1a`, `us-east-1b`, `us-east-1c`). Every commercial region
/// has at least three zones, and zone names map to physical zones per account anyway, so
/// templates use them only to spread subnets (`Fn::Select` of 0 and 1).
pub fn availability_zones(region: &str) -> Vec<String> {
    ["a", "b", "c"]
        .iter()
        .map(|z| format!("{region}{z}"))
        .collect()
}

fn stringify(function: &str, v: &Json) -> Result<String, IntrinsicError> {
    match v {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(n.to_string()),
        Json::Bool(b) => Ok(b.to_string()),
        _ => Err(malformed(
            function,
            "only strings, numbers and booleans can be spliced into text",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    struct Ctx;
    impl ResolveContext for Ctx {
        fn reference(&self, name: &str) -> Lookup {
            match name {
                "AWS::AccountId" => Lookup::Known(json!("111111111111")),
                "AWS::Region" => Lookup::Known(json!("eu-west-1")),
                "Bucket" => Lookup::Known(json!("my-bucket")),
                "Param" => Lookup::Known(json!("p")),
                "Pending" => Lookup::Unknown,
                _ => Lookup::Missing,
            }
        }
        fn attribute(&self, lid: &str, att: &str) -> Lookup {
            match (lid, att) {
                ("Bucket", "Arn") => Lookup::Known(json!("arn:aws:s3:::my-bucket")),
                ("Role", "Endpoint.Address") => Lookup::Known(json!("host")),
                ("Pending", _) => Lookup::Unknown,
                _ => Lookup::Missing,
            }
        }
        fn import(&self, export: &str) -> Lookup {
            if export == "Net:VpcId" {
                Lookup::Known(json!("vpc-1"))
            } else {
                Lookup::Missing
            }
        }
    }

    #[test]
    fn get_azs_of_the_stack_region_or_a_named_one() {
        let r = |v: Json| resolve(&v, &Ctx);
        assert_eq!(
            r(json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]})).unwrap(),
            Some(json!("eu-west-1b"))
        );
        assert_eq!(
            r(json!({"Fn::GetAZs": {"Ref": "AWS::Region"}})).unwrap(),
            Some(json!(["eu-west-1a", "eu-west-1b", "eu-west-1c"]))
        );
        assert_eq!(
            r(json!({"Fn::GetAZs": "us-west-2"})).unwrap(),
            Some(json!(["us-west-2a", "us-west-2b", "us-west-2c"]))
        );
        assert_eq!(r(json!({"Fn::GetAZs": {"Ref": "Pending"}})).unwrap(), None);
        assert!(r(json!({"Fn::GetAZs": 3})).is_err());
    }

    #[test]
    fn resolves_every_function() {
        let v = json!({
            "A": {"Ref": "Bucket"},
            "B": {"Fn::GetAtt": ["Bucket", "Arn"]},
            "C": {"Fn::GetAtt": "Role.Endpoint.Address"},
            "D": {"Fn::Sub": "${Bucket}/${Bucket.Arn}/${!Literal}/${AWS::AccountId}"},
            "E": {"Fn::Sub": ["${X}-${Param}", {"X": {"Ref": "Bucket"}}]},
            "F": {"Fn::Join": [":", ["a", {"Ref": "Param"}, 3]]},
            "G": {"Fn::ImportValue": "Net:VpcId"},
            "H": {"Fn::Select": [1, ["x", "y"]]},
            "I": {"Ref": "AWS::NoValue"},
        });
        let r = resolve(&v, &Ctx).unwrap().unwrap();
        assert_eq!(
            r,
            json!({
                "A": "my-bucket", "B": "arn:aws:s3:::my-bucket", "C": "host",
                "D": "my-bucket/arn:aws:s3:::my-bucket/${Literal}/111111111111",
                "E": "my-bucket-p", "F": "a:p:3", "G": "vpc-1", "H": "y",
            })
        );
    }

    #[test]
    fn unknown_propagates_and_missing_is_an_error() {
        assert_eq!(
            resolve(&json!({"X": [{"Ref": "Pending"}]}), &Ctx).unwrap(),
            None
        );
        assert_eq!(
            resolve(&json!({"Fn::Sub": "${Pending.Arn}"}), &Ctx).unwrap(),
            None
        );
        let e = resolve(&json!({"Ref": "Nope"}), &Ctx).unwrap_err();
        assert!(matches!(
            e,
            IntrinsicError::Undefined {
                function: "Ref",
                ..
            }
        ));
        let e = resolve(&json!({"Fn::If": []}), &Ctx).unwrap_err();
        assert_eq!(e, IntrinsicError::Unsupported("Fn::If".into()));
    }

    #[test]
    fn references_cover_sub_getatt_and_imports() {
        let v = json!({"A": {"Fn::Sub": ["${X} ${Vpc.CidrBlock} ${Bucket} ${!Not}", {"X": {"Ref": "Role"}}]},
                       "B": {"Fn::ImportValue": "E"}});
        let refs = references(&v);
        assert_eq!(
            refs,
            vec![
                Referenced::GetAtt("Vpc".into(), "CidrBlock".into()),
                Referenced::Ref("Bucket".into()),
                Referenced::Ref("Role".into()),
                Referenced::Import("E".into()),
            ]
        );
    }

    fn arb_json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            prop_oneof![
                Just("Ref".to_owned()),
                Just("Fn::Sub".to_owned()),
                Just("Fn::GetAtt".to_owned()),
                Just("Bucket".to_owned()),
                Just("${Bucket".to_owned()),
                Just("${!x}${Bucket.Arn}".to_owned()),
                ".*",
            ]
            .prop_map(Json::String),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            let keys = prop_oneof![
                Just("Ref".to_owned()),
                Just("Fn::GetAtt".to_owned()),
                Just("Fn::Sub".to_owned()),
                Just("Fn::Join".to_owned()),
                Just("Fn::Select".to_owned()),
                Just("Fn::ImportValue".to_owned()),
                "[A-Za-z:]{0,8}",
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
                prop::collection::btree_map(keys, inner, 0..3)
                    .prop_map(|m| Json::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn resolution_never_panics(v in arb_json()) {
            let _ = resolve(&v, &Ctx);
            let _ = references(&v);
        }

        #[test]
        fn plain_values_resolve_to_themselves(s in "[a-z0-9 ]{0,20}") {
            prop_assert_eq!(resolve(&json!({"K": [s.clone()]}), &Ctx).unwrap(), Some(json!({"K": [s]})));
        }
    }
}
