//! The CloudFormation registry schema of every resource type: the one place a type's shape
//! lives. Synthesis validates every resource against it (`Resource.UnknownProperty`,
//! `Resource.MissingProperty`, ...), and the engine takes identity, attributes, replacement
//! and what drift may compare from it.
//!
//! The schemas are vendored in `crates/landform-core/data/cfn-schemas.tsv` (an index, then one
//! type a line) by `scripts/vendor_cfn_schemas.py` from the copies the pinned cfn-lint ships;
//! [`SOURCE`] says which. A type's schema is parsed the first time it is looked up, once per
//! process.
//!
//! ```
//! use landform_core::schema;
//! let bucket = schema::lookup("AWS::S3::Bucket").unwrap();
//! assert_eq!(bucket.primary_identifier(), ["BucketName"]);
//! assert!(bucket.is_create_only("BucketName"));
//! assert!(bucket.read_only_properties().any(|p| p == "Arn"));
//! assert!(schema::lookup("AWS::S3::Bukket").is_none());
//! ```

mod check;
mod shape;

use std::sync::OnceLock;

use serde_json::Value as Json;

use crate::fast_hash::FastHashMap;
pub(crate) use check::{drop_repeated, schema_issues};
pub use check::{validate_properties, PropertyIssue};
use shape::{Compiler, Shape};

const DATA: &str = include_str!("../../data/cfn-schemas.tsv");

/// Where the vendored schemas come from (the data file's first line, without `# source: `).
pub fn source() -> &'static str {
    DATA.lines()
        .next()
        .and_then(|l| l.strip_prefix("# source: "))
        .unwrap_or("unknown")
}

/// The custom resource schema that `Custom::*` types are checked against.
const CUSTOM_RESOURCE: &str = "AWS::CloudFormation::CustomResource";

/// Where each type's line is in the schema lines (read from the data's index, so a look-up
/// reads the index and one line, never all 6 MB: a synth touches only what it uses).
struct Index {
    /// Type name -> (offset, length) into `schemas`.
    lines: FastHashMap<&'static str, (usize, usize)>,
    /// Type names in name order.
    names: Vec<&'static str>,
    /// The schema lines: `TypeName<TAB>compact JSON`.
    schemas: &'static str,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let (head, schemas) = DATA.split_once("\n# schemas\n").unwrap_or((DATA, ""));
        let mut names = Vec::new();
        let mut lines = FastHashMap::default();
        for line in head.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.split('\t');
            let (Some(name), Some(Ok(at)), Some(Ok(len))) = (
                fields.next(),
                fields.next().map(str::parse::<usize>),
                fields.next().map(str::parse::<usize>),
            ) else {
                continue;
            };
            names.push(name);
            lines.insert(name, (at, len));
        }
        Index {
            lines,
            names,
            schemas,
        }
    })
}

/// The line of `name`: its type name and schema text.
fn find_line(name: &str) -> Option<(&'static str, &'static str)> {
    let index = index();
    let &(at, len) = index.lines.get(name)?;
    let line = index.schemas.get(at..at + len)?;
    line.split_once('\t')
        .filter(|(line_name, _)| *line_name == name)
}

/// Each type's schema once parsed, kept for the process's life (at most one per registered
/// type).
fn parsed() -> &'static std::sync::RwLock<FastHashMap<&'static str, &'static TypeSchema>> {
    static PARSED: OnceLock<std::sync::RwLock<FastHashMap<&'static str, &'static TypeSchema>>> =
        OnceLock::new();
    PARSED.get_or_init(Default::default)
}

/// Check every resource of the app against its schema, as `App::validate` and `App::synth`
/// do (beside their other checks): the issues in tree order.
///
/// ```
/// use landform_core::{schema, App, Environment, Resource};
/// let mut app = App::new();
/// let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "Main");
/// app.scope(stack).add_resource("Queue", Resource::new("AWS::SQS::Queue").property("DelaySeconds", 901));
/// let issues = schema::check_app(&app);
/// assert_eq!(issues[0].code, "Resource.Range");
/// assert_eq!(issues[0].path.to_string(), "App/Mgmt/Main/Queue");
/// ```
pub fn check_app(app: &crate::App) -> Vec<crate::Issue> {
    schema_issues(app.tree())
}

/// A type's registry schema as vendored (compact JSON, descriptions and handler permissions
/// dropped), for tools that read the schema themselves: landform-cfn-gen generates the typed
/// L1 builders of `landform-cfn` from it. `None` for a type the registry does not have.
///
/// ```
/// let topic: serde_json::Value =
///     serde_json::from_str(landform_core::schema::raw("AWS::SNS::Topic").unwrap()).unwrap();
/// assert_eq!(topic["properties"]["TopicName"]["type"], "string");
/// ```
pub fn raw(type_name: &str) -> Option<&'static str> {
    find_line(type_name).map(|(_, json)| json)
}

/// Every resource type with a schema, vendored or [`register`]ed, in name order.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    let registered = registered_names()
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let mut names: Vec<&'static str> = index().names.clone();
    if !registered.is_empty() {
        names.extend(registered);
        names.sort_unstable();
    }
    names.into_iter()
}

/// The names of types registered at run time that the vendored data does not have.
fn registered_names() -> &'static std::sync::RwLock<Vec<&'static str>> {
    static NAMES: OnceLock<std::sync::RwLock<Vec<&'static str>>> = OnceLock::new();
    NAMES.get_or_init(Default::default)
}

/// Register a resource type's schema for this process: a private or third-party registry
/// type the vendored data does not have (`Acme::Billing::Account`), or a newer schema of a
/// vendored type. Synth then checks the type's resources against it, and the in-memory cloud
/// and the AWS provider's Cloud Control path serve it, like any vendored type. Register before
/// building the registry of a deploy (`Deployer::run` builds it).
///
/// ```
/// use landform_core::{schema, App, Environment, Resource};
/// schema::register(r#"{
///     "typeName": "Acme::Billing::CostCenter",
///     "properties": {"Code": {"type": "string", "pattern": "^CC-[0-9]{4}$"}, "Id": {"type": "string"}},
///     "required": ["Code"],
///     "readOnlyProperties": ["/properties/Id"],
///     "primaryIdentifier": ["/properties/Id"],
///     "handlers": {"create": {}, "read": {}, "delete": {}}
/// }"#).unwrap();
/// let mut app = App::new();
/// let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "Main");
/// app.scope(stack).add_resource("Finance", Resource::new("Acme::Billing::CostCenter").property("Code", "CC-12"));
/// let issues = schema::check_app(&app);
/// assert_eq!(issues.len(), 1);
/// assert_eq!(issues[0].code, "Resource.Pattern");
/// ```
pub fn register(schema: &str) -> Result<&'static TypeSchema, crate::CoreError> {
    let fail = |type_name: &str, reason: String| crate::CoreError::Schema {
        type_name: type_name.to_owned(),
        reason,
    };
    let json: Json = serde_json::from_str(schema)
        .map_err(|e| fail("(unknown type)", format!("it is not JSON ({e})")))?;
    let Some(name) = json.get("typeName").and_then(Json::as_str) else {
        return Err(fail(
            "(unknown type)",
            "it has no \"typeName\" string (Organization::Service::Resource)".into(),
        ));
    };
    let parts: Vec<&str> = name.split("::").collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) || parts[0] == "Custom" {
        return Err(fail(
            name,
            "a type name has three parts, Organization::Service::Resource, and Custom:: types use the custom resource schema".into(),
        ));
    }
    if !json.get("properties").is_some_and(Json::is_object) {
        return Err(fail(name, "it has no \"properties\" object".into()));
    }
    let vendored = find_line(name).map(|(n, _)| n);
    let mut names = registered_names()
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let static_name: &'static str =
        match vendored.or_else(|| names.iter().copied().find(|n| *n == name)) {
            Some(known) => known,
            None => Box::leak(name.to_owned().into_boxed_str()),
        };
    let compiled = TypeSchema::parse(static_name, schema)
        .ok_or_else(|| fail(name, "its definitions cannot be read".into()))?;
    let compiled: &'static TypeSchema = Box::leak(Box::new(compiled));
    if vendored.is_none() && !names.contains(&static_name) {
        names.push(static_name);
    }
    parsed()
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(static_name, compiled);
    Ok(compiled)
}

/// The schema of a resource type (`AWS::S3::Bucket`); `Custom::*` types get the custom
/// resource's (`AWS::CloudFormation::CustomResource`). `None` for a type the registry does
/// not have.
pub fn lookup(type_name: &str) -> Option<&'static TypeSchema> {
    let name = if type_name.starts_with("Custom::") {
        CUSTOM_RESOURCE
    } else {
        type_name
    };
    let cache = parsed();
    if let Some(found) = cache
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(name)
    {
        return Some(found);
    }
    let (line_name, text) = find_line(name)?;
    let mut cache = cache
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = cache.get(line_name) {
        return Some(found);
    }
    let schema: &'static TypeSchema = Box::leak(Box::new(TypeSchema::parse(line_name, text)?));
    cache.insert(line_name, schema);
    Some(schema)
}

/// The registered type names closest to `type_name` (same service first), for "did you mean".
pub fn similar_types(type_name: &str) -> Vec<&'static str> {
    let service = type_name.split("::").take(2).collect::<Vec<_>>().join("::");
    let mut scored: Vec<(usize, &'static str)> = type_names()
        .map(|t| {
            let same_service = t.starts_with(&service) && !service.is_empty();
            (
                check::distance(t, type_name) + if same_service { 0 } else { 3 },
                t,
            )
        })
        .filter(|(d, _)| *d <= 4)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, t)| t).collect()
}

/// One resource type's schema, as the engine and validation read it.
#[derive(Debug)]
pub struct TypeSchema {
    type_name: &'static str,
    shapes: Vec<Shape>,
    primary_identifier: Vec<String>,
    additional_identifiers: Vec<Vec<String>>,
    /// Top-level names of `readOnlyProperties`, `createOnlyProperties` and (whole
    /// properties only) `writeOnlyProperties`, worked out once: validation asks for every
    /// property of every resource.
    read_only: Vec<String>,
    create_only: Vec<String>,
    write_only: Vec<String>,
    handlers: Vec<String>,
    tag_property: Option<String>,
}

/// The property a JSON pointer of the schema names at the top level (`/properties/Arn` ->
/// `Arn`), with the rest of the pointer.
fn split_pointer(pointer: &str) -> Option<(&str, &str)> {
    let rest = pointer.strip_prefix("/properties/")?;
    Some(rest.split_once('/').unwrap_or((rest, "")))
}

impl TypeSchema {
    fn parse(type_name: &'static str, text: &str) -> Option<TypeSchema> {
        let json: Json = serde_json::from_str(text).ok()?;
        let pointers = |key: &str| strings(json.get(key));
        let additional_identifiers = json
            .get("additionalIdentifiers")
            .and_then(Json::as_array)
            .map(|ids| ids.iter().map(|id| strings(Some(id))).collect())
            .unwrap_or_default();
        let handlers = pointers("handlers");
        let tag_property = json
            .get("tagging")
            .filter(|t| t.get("taggable").and_then(Json::as_bool) != Some(false))
            .and_then(|t| t.get("tagProperty"))
            .and_then(Json::as_str)
            .and_then(|p| split_pointer(p).map(|(name, _)| name.to_owned()));
        Some(TypeSchema {
            type_name,
            shapes: Compiler::compile(&json),
            primary_identifier: pointers("primaryIdentifier"),
            additional_identifiers,
            read_only: top_level(&pointers("readOnlyProperties"))
                .map(str::to_owned)
                .collect(),
            create_only: top_level(&pointers("createOnlyProperties"))
                .map(str::to_owned)
                .collect(),
            write_only: pointers("writeOnlyProperties")
                .iter()
                .filter_map(|p| split_pointer(p))
                .filter(|(_, rest)| rest.is_empty())
                .map(|(name, _)| name.to_owned())
                .collect(),
            handlers,
            tag_property,
        })
    }

    /// The type's name.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn root(&self) -> &Shape {
        &self.shapes[0]
    }

    /// The names of the type's top-level properties, in name order (read-only ones included).
    pub fn property_names(&self) -> impl Iterator<Item = &str> {
        self.root().properties.iter().map(|(name, _)| &**name)
    }

    /// Whether the type has a top-level property of this name.
    pub fn has_property(&self, name: &str) -> bool {
        self.root().property(name).is_some()
    }

    /// The properties a template must set.
    pub fn required(&self) -> impl Iterator<Item = &str> {
        self.root().required.iter().map(|name| &**name)
    }

    /// The properties that identify a resource of this type (`primaryIdentifier`): what its
    /// physical id is made of, in order. Usually one (`BucketName`, `Arn`, `Id`).
    pub fn primary_identifier(&self) -> Vec<&str> {
        top_level(&self.primary_identifier).collect()
    }

    /// Other identifiers the type can be looked up by (`additionalIdentifiers`).
    pub fn additional_identifiers(&self) -> Vec<Vec<&str>> {
        self.additional_identifiers
            .iter()
            .map(|id| top_level(id).collect())
            .collect()
    }

    /// Top-level properties only AWS sets (`readOnlyProperties`): the attributes
    /// `Fn::GetAtt` reads.
    pub fn read_only_properties(&self) -> impl Iterator<Item = &str> {
        self.read_only.iter().map(String::as_str)
    }

    /// Whether a top-level property is read-only.
    pub fn is_read_only(&self, name: &str) -> bool {
        self.read_only.iter().any(|p| p == name)
    }

    /// Top-level properties that cannot change without replacing the resource
    /// (`createOnlyProperties`; a nested create-only path names its top-level property).
    pub fn create_only_properties(&self) -> impl Iterator<Item = &str> {
        self.create_only.iter().map(String::as_str)
    }

    /// Whether changing a top-level property replaces the resource.
    pub fn is_create_only(&self, name: &str) -> bool {
        self.create_only.iter().any(|p| p == name)
    }

    /// Top-level properties AWS never returns (`writeOnlyProperties`, whole properties only:
    /// a nested write-only path, such as one field of a list's items, does not make its
    /// property so): a read cannot show them, so drift does not compare them.
    pub fn write_only_properties(&self) -> impl Iterator<Item = &str> {
        self.write_only.iter().map(String::as_str)
    }

    /// Whether a top-level property is write-only (entirely: a nested write-only path, such
    /// as one field of a list's items, does not make its property so).
    pub fn is_write_only(&self, name: &str) -> bool {
        self.write_only.iter().any(|p| p == name)
    }

    /// The handlers the type has (`create`, `read`, `update`, `delete`, `list`): which
    /// operations the Cloud Control API can perform on it.
    pub fn handlers(&self) -> &[String] {
        &self.handlers
    }

    /// Whether the type has a handler for `operation` (`create`, `update`...).
    pub fn supports(&self, operation: &str) -> bool {
        self.handlers.iter().any(|h| h == operation)
    }

    /// The property that holds the resource's tags, when the type is taggable.
    pub fn tag_property(&self) -> Option<&str> {
        self.tag_property.as_deref()
    }
}

/// The strings of a JSON array (none for anything else).
fn strings(value: Option<&Json>) -> Vec<String> {
    value
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The distinct top-level property names of schema pointers, in their order.
fn top_level(pointers: &[String]) -> impl Iterator<Item = &str> {
    let mut seen: Vec<&str> = Vec::new();
    pointers
        .iter()
        .filter_map(|p| split_pointer(p).map(|(name, _)| name))
        .filter(move |name| {
            if seen.contains(name) {
                false
            } else {
                seen.push(name);
                true
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_schema_parses() {
        let mut count = 0;
        for name in type_names() {
            let schema = lookup(name).unwrap_or_else(|| panic!("{name} does not parse"));
            assert_eq!(schema.type_name(), name);
            count += 1;
        }
        assert!(count > 1000, "only {count} types vendored");
        // The index names every schema line, and each entry finds its own line.
        assert_eq!(index().schemas.lines().count(), count);
        assert!(source().starts_with("cfn-lint "), "{}", source());
    }

    #[test]
    fn identity_and_lifecycle_come_from_the_schema() {
        let table = lookup("AWS::DynamoDB::Table").unwrap();
        assert_eq!(table.primary_identifier(), ["TableName"]);
        assert!(table.is_create_only("TableName"));
        assert!(!table.is_create_only("BillingMode"));
        assert!(table.is_read_only("Arn"));
        let role = lookup("AWS::IAM::Role").unwrap();
        assert!(role.is_create_only("RoleName") && role.is_create_only("Path"));
        assert_eq!(role.tag_property(), Some("Tags"));
        let account = lookup("AWS::Organizations::Account").unwrap();
        assert!(account.is_write_only("RoleName"));
        assert!(account.supports("create") && account.supports("delete"));
        // A nested create-only path names its property once.
        let custom = lookup("Custom::AccountPasswordPolicy").unwrap();
        assert_eq!(custom.type_name(), CUSTOM_RESOURCE);
    }

    #[test]
    fn similar_types_suggest_the_misspelt_one() {
        assert_eq!(similar_types("AWS::S3::Bukket")[0], "AWS::S3::Bucket");
        assert!(similar_types("Nothing::Like::This").is_empty());
    }
}
