//! One resource type's code: its struct, setters and conversion, and the module of its
//! property types.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde_json::Value as Json;

use crate::names::{self, Names};

/// A property's Rust type.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Text,
    Integer,
    Number,
    Boolean,
    /// `{Key, Value}`, both strings: the shared `rt::Tag`.
    Tag,
    /// Anything (a JSON document, a value of several types): `rt::Value`.
    Json,
    Enum(String),
    Struct(String),
    Vec(Box<Ty>),
    Map(Box<Ty>),
}

struct Field {
    property: String,
    ident: String,
    ty: Ty,
    /// Held in a `Box` (the type contains itself).
    boxed: bool,
    doc: String,
}

struct StructDef {
    name: String,
    doc: String,
    fields: Vec<Field>,
}

struct EnumDef {
    name: String,
    property: String,
    values: Vec<String>,
}

/// What is generated for one resource type.
struct Ctx<'a> {
    type_name: &'a str,
    schema: &'a Json,
    names: Names,
    /// Struct name by its key (a definition pointer, or an inline property's place).
    structs: BTreeMap<String, String>,
    defs: Vec<StructDef>,
    enums: Vec<EnumDef>,
    /// How deep `$ref`s to plain types have been followed (a definition that is only a
    /// reference to itself must end).
    depth: usize,
}

/// The resource struct (in the service module) and its property types (in `module`).
pub fn generate(type_name: &str, schema: &Json, struct_name: &str, module: &str) -> String {
    let mut ctx = Ctx {
        type_name,
        schema,
        names: Names::default(),
        structs: BTreeMap::new(),
        defs: Vec::new(),
        enums: Vec::new(),
        depth: 0,
    };
    let read_only = pointers(schema, "readOnlyProperties");
    let create_only = pointers(schema, "createOnlyProperties");
    let write_only = pointers(schema, "writeOnlyProperties");
    let required: BTreeSet<&str> = strings(&schema["required"]);
    let mut fields = Vec::new();
    if let Some(properties) = schema["properties"].as_object() {
        let mut used = BTreeSet::new();
        for (property, node) in properties {
            if read_only.contains(property.as_str()) {
                continue;
            }
            let ty = ctx.ty_of(node, property, "");
            let mut notes = Vec::new();
            if required.contains(property.as_str()) {
                notes.push("required".to_string());
            }
            if create_only.contains(property.as_str()) {
                notes.push("create-only: a change replaces the resource".to_string());
            }
            if write_only.contains(property.as_str()) {
                notes.push("write-only: never read back, so drift does not compare it".into());
            }
            fields.push(Field {
                ident: unique(&mut used, names::field_ident(property)),
                doc: field_doc(property, &ty, &notes),
                property: property.clone(),
                ty,
                boxed: false,
            });
        }
    }
    ctx.box_cycles();
    let mut out = String::new();
    let page = docs_page(type_name);
    let _ = writeln!(out, "/// [`{type_name}`]({page}).");
    let attributes: Vec<&str> = read_only
        .iter()
        .copied()
        .filter(|p| !p.contains('/'))
        .collect();
    if !attributes.is_empty() {
        let _ = writeln!(out, "///");
        let _ = writeln!(
            out,
            "/// Read-only (attributes, not settable): {}.",
            attributes
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let has_module = !ctx.defs.is_empty() || !ctx.enums.is_empty();
    write_struct(
        &mut out,
        struct_name,
        &fields,
        if has_module { module } else { "" },
    );
    let _ = writeln!(out, "\nimpl {struct_name} {{");
    let _ = writeln!(out, "    /// The CloudFormation type name.");
    let _ = writeln!(
        out,
        "    pub const TYPE_NAME: &'static str = \"{type_name}\";"
    );
    write_setters(&mut out, &fields, if has_module { module } else { "" });
    out.push_str("}\n");
    let _ = writeln!(out, "\nimpl From<{struct_name}> for rt::Resource {{");
    let arg = if fields.is_empty() { "_" } else { "r" };
    let _ = writeln!(out, "    fn from({arg}: {struct_name}) -> rt::Resource {{");
    write_puts(&mut out, &fields, "r");
    let _ = writeln!(out, "        rt::resource({struct_name}::TYPE_NAME, p)");
    out.push_str("    }\n}\n");
    if has_module {
        let _ = writeln!(out, "\n/// Property types of [`{struct_name}`].");
        let _ = writeln!(out, "pub mod {module} {{");
        out.push_str("    use crate::runtime as rt;\n");
        let mut body = String::new();
        let mut defs = std::mem::take(&mut ctx.defs);
        defs.sort_by(|a, b| a.name.cmp(&b.name));
        for def in &defs {
            body.push('\n');
            let _ = writeln!(body, "/// {}", def.doc);
            write_struct(&mut body, &def.name, &def.fields, "");
            if !def.fields.is_empty() {
                let _ = writeln!(body, "\nimpl {} {{", def.name);
                write_setters(&mut body, &def.fields, "");
                body.push_str("}\n");
            }
            let _ = writeln!(body, "\nimpl rt::ToCfn for {} {{", def.name);
            let _ = writeln!(body, "    fn into_value(self) -> rt::Value {{");
            write_puts(&mut body, &def.fields, "self");
            body.push_str("        rt::Value::Object(p)\n    }\n}\n");
        }
        let mut enums = std::mem::take(&mut ctx.enums);
        enums.sort_by(|a, b| a.name.cmp(&b.name));
        for e in &enums {
            body.push('\n');
            write_enum(&mut body, e);
        }
        for line in body.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "    {line}");
            }
        }
        out.push_str("}\n");
    }
    out
}

impl Ctx<'_> {
    /// The Rust type of a property's schema; `hint` names what it creates (an enum, an inline
    /// struct), `owner` is the struct the property is in ("" for the resource).
    fn ty_of(&mut self, node: &Json, hint: &str, owner: &str) -> Ty {
        if let Some(reference) = node["$ref"].as_str() {
            let Some(target) = self.schema.pointer(reference.trim_start_matches('#')) else {
                return Ty::Json;
            };
            let def_name = reference.rsplit('/').next().unwrap_or(hint).to_string();
            if is_tag(target) {
                return Ty::Tag;
            }
            if is_struct(target) {
                return Ty::Struct(self.struct_for(reference, target, &def_name));
            }
            if self.depth > 8 {
                return Ty::Json;
            }
            self.depth += 1;
            let ty = self.ty_of(target, &def_name, owner);
            self.depth -= 1;
            return ty;
        }
        match &node["type"] {
            Json::String(t) => match t.as_str() {
                "string" => match string_enum(node) {
                    Some(values) => Ty::Enum(self.enum_for(hint, owner, values)),
                    None => Ty::Text,
                },
                "integer" => Ty::Integer,
                "number" => Ty::Number,
                "boolean" => Ty::Boolean,
                "array" => match node.get("items") {
                    Some(items) if items.is_object() => {
                        Ty::Vec(Box::new(self.ty_of(items, hint, owner)))
                    }
                    _ => Ty::Json,
                },
                "object" => self.object_ty(node, hint, owner),
                _ => Ty::Json,
            },
            Json::Null if is_struct(node) => self.object_ty(node, hint, owner),
            Json::Null => match string_enum(node) {
                Some(values) => Ty::Enum(self.enum_for(hint, owner, values)),
                None => Ty::Json,
            },
            _ => Ty::Json,
        }
    }

    fn object_ty(&mut self, node: &Json, hint: &str, owner: &str) -> Ty {
        if is_struct(node) {
            let key = format!("inline:{owner}.{hint}");
            return Ty::Struct(self.struct_for(&key, node, hint));
        }
        let value_schema = match (
            node.get("patternProperties"),
            node.get("additionalProperties"),
        ) {
            (Some(Json::Object(patterns)), _) if patterns.len() == 1 => patterns.values().next(),
            (None, Some(additional)) if additional.is_object() => Some(additional),
            _ => None,
        };
        match value_schema {
            Some(value)
                if value.is_object() && !value.as_object().is_some_and(|o| o.is_empty()) =>
            {
                Ty::Map(Box::new(self.ty_of(value, hint, owner)))
            }
            _ => Ty::Json,
        }
    }

    /// The struct for a definition (or inline object), generated on first use.
    fn struct_for(&mut self, key: &str, node: &Json, hint: &str) -> String {
        if let Some(name) = self.structs.get(key) {
            return name.clone();
        }
        let name = self.names.take(&names::type_ident(hint), key);
        self.structs.insert(key.to_string(), name.clone());
        let required: BTreeSet<&str> = strings(&node["required"]);
        let mut fields = Vec::new();
        let mut used = BTreeSet::new();
        if let Some(properties) = node["properties"].as_object() {
            for (property, child) in properties {
                let ty = self.ty_of(child, property, &name);
                let notes = if required.contains(property.as_str()) {
                    vec!["required".to_string()]
                } else {
                    Vec::new()
                };
                fields.push(Field {
                    ident: unique(&mut used, names::field_ident(property)),
                    doc: field_doc(property, &ty, &notes),
                    property: property.clone(),
                    ty,
                    boxed: false,
                });
            }
        }
        let def = hint;
        self.defs.push(StructDef {
            name: name.clone(),
            doc: format!("`{}.{def}`.", self.type_name),
            fields,
        });
        name
    }

    /// The enum for a property's values: `hint` if free, else the owner's name before it;
    /// the same values under the same name share one enum.
    fn enum_for(&mut self, hint: &str, owner: &str, values: Vec<String>) -> String {
        let key = format!("enum:{}", values.join("\u{1f}"));
        let wanted = names::type_ident(hint);
        let name = if self.names.is_free_for(&wanted, &key) {
            self.names.take(&wanted, &key)
        } else {
            self.names.take(&format!("{owner}{wanted}"), &key)
        };
        if !self.enums.iter().any(|e| e.name == name) {
            self.enums.push(EnumDef {
                name: name.clone(),
                property: hint.to_string(),
                values,
            });
        }
        name
    }

    /// Box the fields through which a struct contains itself (directly or through others,
    /// not through a `Vec` or a map, which are already indirect).
    fn box_cycles(&mut self) {
        let edges: BTreeMap<String, Vec<String>> = self
            .defs
            .iter()
            .map(|d| {
                let targets = d
                    .fields
                    .iter()
                    .filter_map(|f| match &f.ty {
                        Ty::Struct(t) => Some(t.clone()),
                        _ => None,
                    })
                    .collect();
                (d.name.clone(), targets)
            })
            .collect();
        let reaches = |from: &str, to: &str| {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_string()];
            while let Some(at) = stack.pop() {
                if at == to {
                    return true;
                }
                if seen.insert(at.clone()) {
                    stack.extend(edges.get(&at).into_iter().flatten().cloned());
                }
            }
            false
        };
        for def in &mut self.defs {
            for field in &mut def.fields {
                if let Ty::Struct(target) = &field.ty {
                    field.boxed = reaches(target, &def.name);
                }
            }
        }
    }
}

fn is_struct(node: &Json) -> bool {
    let typed_object = match &node["type"] {
        Json::String(t) => t == "object",
        Json::Null => true,
        _ => false,
    };
    typed_object
        && node["properties"]
            .as_object()
            .is_some_and(|p| !p.is_empty())
}

/// A definition of exactly `Key` and `Value`, both plain strings: a tag.
fn is_tag(node: &Json) -> bool {
    let plain_string = |p: &Json| p["type"] == "string" && p.get("enum").is_none();
    node["properties"].as_object().is_some_and(|p| {
        p.len() == 2
            && p.get("Key").is_some_and(plain_string)
            && p.get("Value").is_some_and(plain_string)
    })
}

fn string_enum(node: &Json) -> Option<Vec<String>> {
    let values = node["enum"].as_array()?;
    let strings: Vec<String> = values
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect::<Option<_>>()?;
    let mut seen = BTreeSet::new();
    let strings: Vec<String> = strings
        .into_iter()
        .filter(|s| seen.insert(s.clone()))
        .collect();
    (!strings.is_empty()).then_some(strings)
}

fn strings(value: &Json) -> BTreeSet<&str> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .collect()
}

/// The top-level property names of a list of `/properties/...` pointers (nested ones keep
/// their path after the name).
fn pointers<'s>(schema: &'s Json, key: &str) -> BTreeSet<&'s str> {
    strings(&schema[key])
        .into_iter()
        .filter_map(|p| p.strip_prefix("/properties/"))
        .collect()
}

fn unique(used: &mut BTreeSet<String>, ident: String) -> String {
    let mut candidate = ident.clone();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{ident}_{n}");
        n += 1;
    }
    candidate
}

fn docs_page(type_name: &str) -> String {
    let parts: Vec<String> = type_name
        .split("::")
        .map(|p| p.to_ascii_lowercase())
        .collect();
    let (vendor, rest) = parts
        .split_first()
        .map_or(("aws", &[][..]), |(v, r)| (v.as_str(), r));
    let prefix = if vendor == "aws" {
        "aws-resource".to_string()
    } else {
        format!("{vendor}-resource")
    };
    format!(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/{prefix}-{}.html",
        rest.join("-")
    )
}

fn describe(ty: &Ty) -> String {
    match ty {
        Ty::Text => "string".into(),
        Ty::Integer => "integer".into(),
        Ty::Number => "number".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Tag => "tag".into(),
        Ty::Json => "any JSON value".into(),
        Ty::Enum(name) => format!("one of `{name}`"),
        Ty::Struct(name) => format!("`{name}`"),
        Ty::Vec(inner) => format!("list of {}", describe(inner)),
        Ty::Map(inner) => format!("map of {}", describe(inner)),
    }
}

fn field_doc(property: &str, ty: &Ty, notes: &[String]) -> String {
    let mut doc = format!("`{property}`: {}", describe(ty));
    for note in notes {
        doc.push_str("; ");
        doc.push_str(note);
    }
    doc.push('.');
    doc
}

/// The Rust type of a field, from inside the resource's module (`prefix` empty) or from the
/// service module (`prefix` the resource's module).
fn rust_ty(ty: &Ty, prefix: &str) -> String {
    let local = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}::{name}")
        }
    };
    match ty {
        Ty::Text => "rt::Text".into(),
        Ty::Integer => "rt::Integer".into(),
        Ty::Number => "rt::Number".into(),
        Ty::Boolean => "rt::Boolean".into(),
        Ty::Tag => "rt::Tag".into(),
        Ty::Json => "rt::Value".into(),
        Ty::Enum(name) | Ty::Struct(name) => local(name),
        Ty::Vec(inner) => format!("Vec<{}>", rust_ty(inner, prefix)),
        Ty::Map(inner) => format!(
            "std::collections::BTreeMap<String, {}>",
            rust_ty(inner, prefix)
        ),
    }
}

fn write_struct(out: &mut String, name: &str, fields: &[Field], prefix: &str) {
    out.push_str("#[derive(Debug, Clone, Default, PartialEq)]\n");
    if fields.is_empty() {
        let _ = writeln!(out, "pub struct {name} {{}}");
        return;
    }
    let _ = writeln!(out, "pub struct {name} {{");
    for f in fields {
        let ty = rust_ty(&f.ty, prefix);
        let ty = if f.boxed { format!("Box<{ty}>") } else { ty };
        let _ = writeln!(out, "    /// {}", f.doc);
        let _ = writeln!(out, "    pub {}: Option<{ty}>,", f.ident);
    }
    out.push_str("}\n");
}

fn write_setters(out: &mut String, fields: &[Field], prefix: &str) {
    for f in fields {
        let _ = writeln!(out, "    /// Set `{}`.", f.property);
        let ident = &f.ident;
        match &f.ty {
            Ty::Struct(_) => {
                let ty = rust_ty(&f.ty, prefix);
                let value = if f.boxed { "Box::new(value)" } else { "value" };
                let _ = writeln!(
                    out,
                    "    pub fn {ident}(mut self, value: {ty}) -> Self {{\n        self.{ident} = Some({value});\n        self\n    }}"
                );
            }
            Ty::Vec(inner) => {
                let _ = writeln!(
                    out,
                    "    pub fn {ident}(mut self, value: impl IntoIterator<Item = impl Into<{}>>) -> Self {{\n        self.{ident} = Some(value.into_iter().map(Into::into).collect());\n        self\n    }}",
                    rust_ty(inner, prefix)
                );
            }
            Ty::Map(inner) => {
                let _ = writeln!(
                    out,
                    "    pub fn {ident}<K: Into<String>, V: Into<{}>>(mut self, value: impl IntoIterator<Item = (K, V)>) -> Self {{\n        self.{ident} = Some(value.into_iter().map(|(k, v)| (k.into(), v.into())).collect());\n        self\n    }}",
                    rust_ty(inner, prefix)
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "    pub fn {ident}(mut self, value: impl Into<{}>) -> Self {{\n        self.{ident} = Some(value.into());\n        self\n    }}",
                    rust_ty(&f.ty, prefix)
                );
            }
        }
    }
}

fn write_puts(out: &mut String, fields: &[Field], this: &str) {
    if fields.is_empty() {
        out.push_str("        let p = rt::Map::new();\n");
        return;
    }
    let _ = writeln!(
        out,
        "        let mut p = rt::Map::with_capacity({});",
        fields.len().min(8)
    );
    for f in fields {
        let _ = writeln!(
            out,
            "        rt::put(&mut p, \"{}\", {this}.{});",
            f.property, f.ident
        );
    }
}

fn write_enum(out: &mut String, e: &EnumDef) {
    let mut used = BTreeSet::from(["Other".to_string()]);
    let variants: Vec<(String, &String)> = e
        .values
        .iter()
        .map(|v| (unique_variant(&mut used, names::variant_ident(v)), v))
        .collect();
    let _ = writeln!(out, "/// The values of `{}`.", e.property);
    out.push_str("#[derive(Debug, Clone, PartialEq)]\n");
    let _ = writeln!(out, "pub enum {} {{", e.name);
    for (variant, value) in &variants {
        let _ = writeln!(out, "    /// {}", code_span(value));
        let _ = writeln!(out, "    {variant},");
    }
    out.push_str("    /// Any other value: a deploy-time one (`Ref`, `Fn::Sub`...) or one newer than the\n    /// vendored schema.\n    Other(rt::Value),\n}\n");
    let _ = writeln!(out, "\nimpl {} {{", e.name);
    out.push_str("    /// The value as the template writes it (`None` for [`Self::Other`]).\n");
    out.push_str("    pub fn as_str(&self) -> Option<&'static str> {\n        match self {\n");
    for (variant, value) in &variants {
        let _ = writeln!(out, "            Self::{variant} => Some({value:?}),");
    }
    out.push_str("            Self::Other(_) => None,\n        }\n    }\n}\n");
    let _ = writeln!(out, "\nimpl From<rt::Value> for {} {{", e.name);
    out.push_str("    fn from(value: rt::Value) -> Self {\n        Self::Other(value)\n    }\n}\n");
    let _ = writeln!(out, "\nimpl rt::ToCfn for {} {{", e.name);
    out.push_str("    fn into_value(self) -> rt::Value {\n        if let Self::Other(value) = self {\n            return value;\n        }\n        rt::Value::from(self.as_str().unwrap_or_default())\n    }\n}\n");
}

fn unique_variant(used: &mut BTreeSet<String>, ident: String) -> String {
    let mut candidate = ident.clone();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{ident}{n}");
        n += 1;
    }
    candidate
}

fn code_span(value: &str) -> String {
    if value.contains('`') || value.contains('\n') {
        format!("{:?}", value)
    } else {
        format!("`{value}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(schema: Json) -> String {
        generate("AWS::Test::Thing", &schema, "Thing", "thing")
    }

    #[test]
    fn read_only_properties_are_attributes_not_fields() {
        let out = code(json!({
            "properties": {"Arn": {"type": "string"}, "Name": {"type": "string"}},
            "readOnlyProperties": ["/properties/Arn"],
            "createOnlyProperties": ["/properties/Name"],
            "required": ["Name"]
        }));
        assert!(out.contains("pub name: Option<rt::Text>,"));
        assert!(!out.contains("pub arn:"));
        assert!(out.contains("Read-only (attributes, not settable): `Arn`."));
        assert!(out.contains("`Name`: string; required; create-only"));
        assert!(
            !out.contains("pub mod thing"),
            "no property types, no module"
        );
    }

    #[test]
    fn a_type_that_contains_itself_is_boxed_and_a_list_of_itself_is_not() {
        let out = code(json!({
            "definitions": {
                "Statement": {"type": "object", "properties": {
                    "Not": {"$ref": "#/definitions/Statement"},
                    "And": {"type": "array", "items": {"$ref": "#/definitions/Statement"}},
                    "Label": {"type": "string"}
                }}
            },
            "properties": {"Rule": {"$ref": "#/definitions/Statement"}}
        }));
        assert!(out.contains("pub not_: Option<Box<Statement>>,"), "{out}");
        assert!(out.contains("pub and: Option<Vec<Statement>>,"));
        assert!(out.contains("pub rule: Option<thing::Statement>,"));
    }

    #[test]
    fn string_enums_become_enums_and_maps_and_documents_keep_their_shape() {
        let out = code(json!({
            "definitions": {
                "Rule": {"type": "object", "properties": {
                    "Mode": {"type": "string", "enum": ["aws:kms", "AES256"]}
                }},
                "Other": {"type": "object", "properties": {
                    "Mode": {"type": "string", "enum": ["ON", "OFF"]}
                }}
            },
            "properties": {
                "Rule": {"$ref": "#/definitions/Rule"},
                "Other": {"$ref": "#/definitions/Other"},
                "Labels": {"type": "object", "patternProperties": {".*": {"type": "string"}}},
                "Policy": {"type": ["object", "string"]},
                "Count": {"type": "integer"}
            }
        }));
        assert!(out.contains("pub enum Mode {"));
        assert!(out.contains("    AwsKms,"));
        assert!(out.contains("    Aes256,"));
        assert!(out.contains("Self::AwsKms => Some(\"aws:kms\"),"));
        assert!(
            out.contains("pub enum OtherMode {"),
            "a second Mode is named after its owner"
        );
        assert!(out.contains("pub labels: Option<std::collections::BTreeMap<String, rt::Text>>,"));
        assert!(out.contains("pub policy: Option<rt::Value>,"));
        assert!(out.contains("pub count: Option<rt::Integer>,"));
    }
}
