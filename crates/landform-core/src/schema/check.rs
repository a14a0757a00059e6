//! Every resource of the app, typed or raw, checked against its type's registry schema at
//! synth: unknown types and properties, missing required ones, wrong JSON kinds, enum
//! values, patterns, lengths, ranges and item counts, each an issue with its path and a
//! stable code, all at once.
//!
//! Values CloudFormation only knows at deploy time (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
//! `Fn::Join`, pseudo parameters) are not checked. As CloudFormation does, a string holding a
//! number is taken where a number is wanted, `"true"`/`"false"` where a boolean is, and a
//! number or boolean where a string is.

use std::fmt::Write as _;

use rayon::prelude::*;
use serde_json::Value as Json;

use super::shape::{kind, Shape, ShapeId};
use super::{lookup, similar_types, source, TypeSchema};
use crate::issue::Issue;
use crate::object::Map;
use crate::tree::{NodeId, Tree};
use crate::value::Value;

/// One problem of a resource's properties against its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyIssue {
    /// Stable code (`Resource.UnknownProperty`...).
    pub code: &'static str,
    /// Where in the properties (`BucketEncryption.ServerSideEncryptionConfiguration[0]`).
    pub field: String,
    /// The offending value (or name).
    pub value: String,
    /// The rule broken.
    pub rule: String,
}

/// Check a resource's properties against its type's schema; every problem, in property
/// order.
///
/// ```
/// use landform_core::{schema, Map, Value};
/// let topic = schema::lookup("AWS::SNS::Topic").unwrap();
/// let mut props = Map::new();
/// props.insert("TopicNme", Value::from("alerts"));
/// let issues = schema::validate_properties(topic, &props);
/// assert_eq!(issues[0].code, "Resource.UnknownProperty");
/// assert!(issues[0].rule.contains("TopicName"), "{}", issues[0].rule);
/// ```
pub fn validate_properties(schema: &TypeSchema, properties: &Map) -> Vec<PropertyIssue> {
    let mut walk = Walk {
        schema,
        path: Vec::new(),
        out: Vec::new(),
    };
    let root = &schema.shapes[0];
    let mut misspelt = Vec::new();
    for (name, value) in properties.iter() {
        if matches!(value, Value::Null) {
            continue;
        }
        if schema.is_read_only(name) {
            walk.path.push(Segment::Name(name));
            walk.report(
                "Resource.ReadOnlyProperty",
                name.to_owned(),
                format!(
                    "{name} is read-only in {}: AWS sets it, a template cannot (read it with Fn::GetAtt)",
                    schema.type_name
                ),
            );
            walk.path.pop();
            continue;
        }
        walk.path.push(Segment::Name(name));
        match root.property(name) {
            Some(shape) => walk.value(shape, value),
            None if root.open => {}
            None => misspelt.extend(walk.unknown(root, name)),
        }
        walk.path.pop();
    }
    walk.required(root, properties, &misspelt);
    walk.out
}

#[derive(Clone, Copy)]
enum Segment<'v> {
    Name(&'v str),
    Index(usize),
}

struct Walk<'s, 'v> {
    schema: &'s TypeSchema,
    path: Vec<Segment<'v>>,
    out: Vec<PropertyIssue>,
}

/// The first characters of a value, for a message.
fn shown(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.to_string(),
        Value::Number(n) => n.clone(),
        Value::Bool(b) => b.to_string(),
        other => other
            .to_plain_json()
            .map(|j| j.to_string())
            .unwrap_or_default(),
    };
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}

fn json_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<'v> Walk<'_, 'v> {
    fn field(&self) -> String {
        let mut field = String::new();
        for segment in &self.path {
            match segment {
                Segment::Name(name) => {
                    if !field.is_empty() {
                        field.push('.');
                    }
                    field.push_str(name);
                }
                Segment::Index(i) => {
                    let _ = write!(field, "[{i}]");
                }
            }
        }
        field
    }

    fn report(&mut self, code: &'static str, value: String, rule: String) {
        let field = self.field();
        self.out.push(PropertyIssue {
            code,
            field,
            value,
            rule,
        });
    }

    /// Report an unknown property; returns the known name it is likely a misspelling of.
    fn unknown(&mut self, shape: &Shape, name: &str) -> Option<Box<str>> {
        let known: Vec<&str> = shape.properties.iter().map(|(n, _)| &**n).collect();
        let near = nearest(name, &known);
        let suggestion = near
            .map(|n| format!("; did you mean {n}?"))
            .unwrap_or_default();
        let rule = format!(
            "{} has no property {name} here (its registry schema allows {}){suggestion}",
            self.schema.type_name,
            list(&known, 12),
        );
        self.report("Resource.UnknownProperty", name.to_owned(), rule);
        near.map(Into::into)
    }

    /// Report the required properties `object` lacks, but for those an unknown property
    /// was already taken for a misspelling of (`misspelt`).
    fn required(&mut self, shape: &Shape, object: &Map, misspelt: &[Box<str>]) {
        for name in shape.required.iter() {
            let present = object.get(name).is_some_and(|v| !matches!(v, Value::Null));
            if !present && !misspelt.contains(name) {
                let rule = format!(
                    "{} requires {name} here (CloudFormation refuses the template without it)",
                    self.schema.type_name
                );
                let mut field = self.field();
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(name);
                self.out.push(PropertyIssue {
                    code: "Resource.MissingProperty",
                    field,
                    value: format!("(missing {name})"),
                    rule,
                });
            }
        }
    }

    fn value(&mut self, id: ShapeId, value: &'v Value) {
        let schema = self.schema;
        let shape = &schema.shapes[id as usize];
        let number = match value {
            // Known only at deploy time.
            Value::Ref(_) | Value::Pseudo(_) | Value::Sub(_) | Value::Join(_) | Value::Null => {
                return
            }
            // An intrinsic written as JSON (`{"Fn::Select": ...}`, `{"Ref": ...}`).
            Value::Object(object) if is_intrinsic(object) => return,
            Value::Number(text) => text.parse::<f64>().ok(),
            Value::String(s) if shape.kinds & (kind::NUMBER | kind::INTEGER) != 0 => {
                s.trim().parse::<f64>().ok()
            }
            _ => None,
        };
        if shape.kinds != 0 && !kind_fits(shape.kinds, value, number) {
            let rule = format!(
                "must be a {} ({}'s registry schema), not {}",
                kind::describe(shape.kinds),
                schema.type_name,
                value_kind(value)
            );
            self.report("Resource.WrongType", shown(value), rule);
            return;
        }
        if let Some(allowed) = &shape.allowed {
            if !allowed.iter().any(|a| equal(a, value)) {
                let words: Vec<String> = allowed.iter().map(json_text).collect();
                let words: Vec<&str> = words.iter().map(String::as_str).collect();
                let rule = format!(
                    "must be one of {} ({}'s registry schema)",
                    list(&words, 20),
                    schema.type_name
                );
                self.report("Resource.EnumValue", shown(value), rule);
            }
        }
        match value {
            Value::String(s) => self.string(shape, s, number),
            Value::Number(_) => self.number(shape, number),
            Value::Array(items) => {
                let count = items.len() as u64;
                if shape.min_items.is_some_and(|min| count < min)
                    || shape.max_items.is_some_and(|max| count > max)
                {
                    let rule = format!(
                        "must have {} items ({}'s registry schema), not {count}",
                        bounds(shape.min_items, shape.max_items),
                        schema.type_name
                    );
                    self.report("Resource.ItemCount", shown(value), rule);
                }
                if let Some(items_shape) = shape.items {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Segment::Index(i));
                        self.value(items_shape, item);
                        self.path.pop();
                    }
                }
            }
            Value::Object(object) => {
                let mut misspelt = Vec::new();
                for (name, item) in object.iter() {
                    if matches!(item, Value::Null) {
                        continue;
                    }
                    self.path.push(Segment::Name(name));
                    match shape.property(name) {
                        Some(property) => self.value(property, item),
                        None if shape.open => {}
                        None => misspelt.extend(self.unknown(shape, name)),
                    }
                    self.path.pop();
                }
                self.required(shape, object, &misspelt);
            }
            _ => {}
        }
        for &part in shape.all_of.iter() {
            self.value(part, value);
        }
        if !shape.any_of.is_empty() {
            self.any_of(shape, value);
        }
    }

    /// The value matches one of the branches; when none, the issues of the closest one.
    fn any_of(&mut self, shape: &Shape, value: &'v Value) {
        let mut best: Option<Vec<PropertyIssue>> = None;
        for &branch in shape.any_of.iter() {
            let mut trial = Walk {
                schema: self.schema,
                path: self.path.clone(),
                out: Vec::new(),
            };
            trial.value(branch, value);
            if trial.out.is_empty() {
                return;
            }
            if best.as_ref().map_or(true, |b| trial.out.len() < b.len()) {
                best = Some(trial.out);
            }
        }
        self.out.extend(best.unwrap_or_default());
    }

    fn string(&mut self, shape: &Shape, text: &str, number: Option<f64>) {
        let length = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        } as u64;
        if shape.min_length.is_some_and(|min| length < min)
            || shape.max_length.is_some_and(|max| length > max)
        {
            let rule = format!(
                "must have {} characters ({}'s registry schema), not {length}",
                bounds(shape.min_length, shape.max_length),
                self.schema.type_name
            );
            self.report("Resource.Length", text.to_owned(), rule);
        }
        if let Some(pattern) = &shape.pattern {
            if pattern.matches(text) == Some(false) {
                let rule = format!(
                    "must match the pattern {} ({}'s registry schema)",
                    pattern.source, self.schema.type_name
                );
                self.report("Resource.Pattern", text.to_owned(), rule);
            }
        }
        if number.is_some() {
            self.number(shape, number);
        }
    }

    fn number(&mut self, shape: &Shape, number: Option<f64>) {
        let Some(n) = number else { return };
        if shape.minimum.is_some_and(|min| n < min) || shape.maximum.is_some_and(|max| n > max) {
            let show = |v: Option<f64>| v.map(|v| v.to_string());
            let rule = match (show(shape.minimum), show(shape.maximum)) {
                (Some(min), Some(max)) => format!("from {min} to {max}"),
                (Some(min), None) => format!("at least {min}"),
                (None, Some(max)) => format!("at most {max}"),
                (None, None) => String::new(),
            };
            let rule = format!(
                "must be {rule} ({}'s registry schema)",
                self.schema.type_name
            );
            self.report("Resource.Range", n.to_string(), rule);
        }
    }
}

fn bounds(min: Option<u64>, max: Option<u64>) -> String {
    match (min, max) {
        (Some(min), Some(max)) if min == max => format!("exactly {min}"),
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => String::new(),
    }
}

fn list(words: &[&str], most: usize) -> String {
    if words.len() > most {
        format!("{}, ... ({} in all)", words[..most].join(", "), words.len())
    } else {
        words.join(", ")
    }
}

fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        _ => "an intrinsic",
    }
}

/// Whether an object is an intrinsic function written out (`{"Fn::Select": [...]}`).
fn is_intrinsic(object: &Map) -> bool {
    object.len() == 1
        && object
            .keys()
            .next()
            .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
}

/// Whether a literal value is of one of the kinds (with CloudFormation's conversions).
fn kind_fits(kinds: u8, value: &Value, number: Option<f64>) -> bool {
    let integral = number.is_some_and(|n| n.fract() == 0.0);
    let numeric = kinds & kind::NUMBER != 0 || kinds & kind::INTEGER != 0 && integral;
    match value {
        Value::Bool(_) => kinds & (kind::BOOLEAN | kind::STRING) != 0,
        Value::Number(_) => kinds & kind::STRING != 0 || numeric,
        Value::String(s) => {
            kinds & kind::STRING != 0
                || kinds & kind::BOOLEAN != 0 && matches!(&**s, "true" | "false")
                || number.is_some() && numeric
        }
        Value::Array(_) => kinds & kind::ARRAY != 0,
        Value::Object(_) => kinds & kind::OBJECT != 0,
        _ => true,
    }
}

/// Whether a literal value equals an enum member (numbers and strings compared as text, as
/// CloudFormation passes them on).
fn equal(allowed: &Json, value: &Value) -> bool {
    match (allowed, value) {
        (Json::String(a), Value::String(v)) => **a == **v,
        (Json::String(a), Value::Number(v)) => a == v,
        (Json::Number(a), Value::Number(v)) => a
            .as_f64()
            .zip(v.parse::<f64>().ok())
            .is_some_and(|(a, v)| a == v),
        (Json::Number(a), Value::String(v)) => a
            .as_f64()
            .zip(v.parse::<f64>().ok())
            .is_some_and(|(a, v)| a == v),
        (Json::Bool(a), Value::Bool(v)) => a == v,
        (Json::Bool(a), Value::String(v)) => a.to_string() == **v,
        (other, value) => value.to_plain_json().is_some_and(|v| &v == other),
    }
}

/// Levenshtein distance, for "did you mean".
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The known name closest to `name`: the same but for case, or within a third of its length.
fn nearest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    if let Some(same) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    known
        .iter()
        .map(|k| (distance(name, k), *k))
        .filter(|(d, _)| *d <= (name.len() / 3).max(1))
        .min()
        .map(|(_, k)| k)
}

/// Drop the schema issues that repeat one already reported for the same value, by the
/// resource's own rules (`Organizations.ParentId`) or by a construct above it
/// (`Account.EmailFormat`): the construct's issue says it in the user's terms.
pub(crate) fn drop_repeated(issues: &mut Vec<Issue>) {
    use crate::fast_hash::FastHashMap;
    let mut reported: FastHashMap<&[std::sync::Arc<str>], Vec<&str>> = FastHashMap::default();
    for issue in issues.iter().filter(|i| !i.code.starts_with("Resource.")) {
        reported
            .entry(issue.path.segments())
            .or_default()
            .push(issue.value.as_str());
    }
    if reported.is_empty() {
        return;
    }
    // A construct shows a long value cut short, with an ellipsis.
    let same = |shown: &str, value: &str| {
        shown == value
            || shown
                .strip_suffix('\u{2026}')
                .or_else(|| shown.strip_suffix("..."))
                .is_some_and(|cut| value.starts_with(cut))
    };
    let repeated: Vec<bool> = issues
        .iter()
        .map(|issue| {
            let segments = issue.path.segments();
            issue.code.starts_with("Resource.")
                && (1..=segments.len()).any(|n| {
                    reported
                        .get(&segments[..n])
                        .is_some_and(|values| values.iter().any(|v| same(v, &issue.value)))
                })
        })
        .collect();
    let mut flags = repeated.into_iter();
    issues.retain(|_| !flags.next().unwrap_or(false));
}

/// Resources checked per task: enough to pay for the task, few enough to share the work.
const CHUNK: usize = 256;

/// Every schema issue of the app's resources, in tree order.
pub(crate) fn schema_issues(tree: &Tree) -> Vec<Issue> {
    let resources: Vec<NodeId> = tree
        .ids()
        .filter(|&id| tree.node(id).resource().is_some())
        .collect();
    let found: Vec<Vec<Issue>> = resources
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut issues = Vec::new();
            let mut last: Option<(&str, Option<&TypeSchema>)> = None;
            for &id in chunk {
                let Some(resource) = tree.node(id).resource() else {
                    continue;
                };
                let type_name = resource.type_name();
                let schema = match last {
                    Some((name, schema)) if name == type_name => schema,
                    _ => {
                        let schema = lookup(type_name);
                        last = Some((type_name, schema));
                        schema
                    }
                };
                let Some(schema) = schema else {
                    let similar = similar_types(type_name);
                    let hint = if similar.is_empty() {
                        String::new()
                    } else {
                        format!("; did you mean {}?", similar.join(" or "))
                    };
                    issues.push(
                        Issue::new(
                            "Resource.UnknownType",
                            "Type",
                            type_name,
                            format!("no resource type of this name in the CloudFormation registry (schemas of {}){hint}", source()),
                        )
                        .at(tree.path(id)),
                    );
                    continue;
                };
                for problem in validate_properties(schema, resource.properties()) {
                    issues.push(
                        Issue::new(problem.code, problem.field, problem.value, problem.rule)
                            .at(tree.path(id)),
                    );
                }
            }
            issues
        })
        .collect();
    found.into_iter().flatten().collect()
}
