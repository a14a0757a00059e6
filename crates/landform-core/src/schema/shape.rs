//! A registry schema compiled into an arena of shapes: what validation walks.
//!
//! The JSON Schema keywords the registry schemas use for values are kept (`type`, `enum`,
//! `const`, `pattern`, `minLength`/`maxLength`, `minimum`/`maximum`, `minItems`/`maxItems`,
//! `items`, `properties`, `required`, `additionalProperties`, `patternProperties`, `$ref`,
//! `oneOf`/`anyOf`/`allOf`); `$ref`s point into the arena, so recursive definitions cost
//! nothing more.

use std::sync::OnceLock;

use serde_json::Value as Json;

/// Index of a shape in its schema's arena.
pub(crate) type ShapeId = u32;

/// JSON kinds a shape accepts, as bits; zero means any.
pub(crate) mod kind {
    pub const STRING: u8 = 1;
    pub const INTEGER: u8 = 2;
    pub const NUMBER: u8 = 4;
    pub const BOOLEAN: u8 = 8;
    pub const ARRAY: u8 = 16;
    pub const OBJECT: u8 = 32;
    pub const NULL: u8 = 64;

    /// The schema's word for the kinds in `bits` (`string or integer`).
    pub fn describe(bits: u8) -> String {
        let names = [
            (STRING, "string"),
            (INTEGER, "integer"),
            (NUMBER, "number"),
            (BOOLEAN, "boolean"),
            (ARRAY, "array"),
            (OBJECT, "object"),
            (NULL, "null"),
        ];
        let words: Vec<&str> = names
            .iter()
            .filter(|(bit, _)| bits & bit != 0)
            .map(|(_, name)| *name)
            .collect();
        words.join(" or ")
    }
}

/// A `pattern`, compiled on first use. ECMAScript constructs the `regex` crate does not have
/// (look-around, back-references) leave the pattern unchecked rather than guessed.
#[derive(Debug)]
pub(crate) struct Pattern {
    pub source: Box<str>,
    compiled: OnceLock<Option<regex::Regex>>,
}

impl Pattern {
    fn new(source: &str) -> Self {
        Pattern {
            source: source.into(),
            compiled: OnceLock::new(),
        }
    }

    /// Whether `text` matches; `None` when the pattern cannot be checked here.
    pub fn matches(&self, text: &str) -> Option<bool> {
        self.compiled
            // The schemas' `\Z` (end of text, as Python reads it) is `\z` here.
            .get_or_init(|| regex::Regex::new(&self.source.replace("\\Z", "\\z")).ok())
            .as_ref()
            .map(|re| re.is_match(text))
    }
}

/// One shape: the keywords of a schema node that say what a value may be.
#[derive(Debug, Default)]
pub(crate) struct Shape {
    pub kinds: u8,
    /// `enum` (or `const`) values.
    pub allowed: Option<Box<[Json]>>,
    pub pattern: Option<Pattern>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub items: Option<ShapeId>,
    /// Named properties, sorted by name.
    pub properties: Box<[(Box<str>, ShapeId)]>,
    pub required: Box<[Box<str>]>,
    /// Whether names outside `properties` are allowed (`additionalProperties` not false, or
    /// `patternProperties` given).
    pub open: bool,
    /// Shapes the value must also match (`allOf`, and the target of a `$ref`).
    pub all_of: Box<[ShapeId]>,
    /// Shapes of which the value must match one (`oneOf` and `anyOf`, both taken as "at least
    /// one": where a value fits two, CloudFormation's own handler decides). Empty when one
    /// of them takes any value (a branch that only names a `format`).
    pub any_of: Box<[ShapeId]>,
}

impl Shape {
    /// Whether the shape constrains nothing.
    fn takes_anything(&self) -> bool {
        self.kinds == 0
            && self.allowed.is_none()
            && self.pattern.is_none()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.minimum.is_none()
            && self.maximum.is_none()
            && self.min_items.is_none()
            && self.max_items.is_none()
            && self.items.is_none()
            && self.properties.is_empty()
            && self.required.is_empty()
            && self.open
            && self.all_of.is_empty()
            && self.any_of.is_empty()
    }

    /// The shape of a named property.
    pub fn property(&self, name: &str) -> Option<ShapeId> {
        self.properties
            .binary_search_by(|(n, _)| (**n).cmp(name))
            .ok()
            .map(|i| self.properties[i].1)
    }
}

/// Compiles one registry schema into an arena; shape 0 is the resource's properties.
pub(crate) struct Compiler<'a> {
    shapes: Vec<Shape>,
    definitions: &'a serde_json::Map<String, Json>,
    /// Definition name -> its shape, allotted before it is compiled (so recursion ends).
    defined: Vec<(&'a str, ShapeId)>,
}

impl<'a> Compiler<'a> {
    /// Compile `schema` (the whole type schema); returns the arena.
    pub fn compile(schema: &'a Json) -> Vec<Shape> {
        static EMPTY: OnceLock<serde_json::Map<String, Json>> = OnceLock::new();
        let definitions = schema
            .get("definitions")
            .and_then(Json::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new));
        let mut compiler = Compiler {
            shapes: Vec::new(),
            definitions,
            defined: Vec::new(),
        };
        // `build` allots its slot before anything below it: the root is shape 0.
        let root = compiler.build(schema);
        debug_assert_eq!(root, 0);
        let mut shapes = compiler.shapes;
        // The resource itself is an object of its properties.
        shapes[0].kinds = kind::OBJECT;
        shapes
    }

    fn alloc(&mut self) -> ShapeId {
        self.shapes.push(Shape::default());
        (self.shapes.len() - 1) as ShapeId
    }

    fn definition(&mut self, reference: &str) -> Option<ShapeId> {
        let name = reference.strip_prefix("#/definitions/")?;
        if let Some(&(_, id)) = self.defined.iter().find(|(n, _)| *n == name) {
            return Some(id);
        }
        let (key, node) = self.definitions.get_key_value(name)?;
        let id = self.alloc();
        self.defined.push((key.as_str(), id));
        self.fill(id, node);
        Some(id)
    }

    fn build(&mut self, node: &'a Json) -> ShapeId {
        let id = self.alloc();
        self.fill(id, node);
        id
    }

    fn fill(&mut self, id: ShapeId, node: &'a Json) {
        let Some(obj) = node.as_object() else {
            // `true` (or anything but an object) constrains nothing.
            self.shapes[id as usize].open = true;
            return;
        };
        let mut shape = Shape {
            open: true,
            ..Shape::default()
        };
        if let Some(types) = obj.get("type") {
            let words: Vec<&str> = match types {
                Json::String(t) => vec![t.as_str()],
                Json::Array(ts) => ts.iter().filter_map(Json::as_str).collect(),
                _ => Vec::new(),
            };
            for word in words {
                shape.kinds |= match word {
                    "string" => kind::STRING,
                    "integer" => kind::INTEGER,
                    "number" => kind::NUMBER | kind::INTEGER,
                    "boolean" => kind::BOOLEAN,
                    "array" => kind::ARRAY,
                    "object" => kind::OBJECT,
                    "null" => kind::NULL,
                    _ => 0,
                };
            }
        }
        if let Some(values) = obj.get("enum").and_then(Json::as_array) {
            shape.allowed = Some(values.clone().into_boxed_slice());
        } else if let Some(value) = obj.get("const") {
            shape.allowed = Some(vec![value.clone()].into_boxed_slice());
        }
        shape.pattern = obj.get("pattern").and_then(Json::as_str).map(Pattern::new);
        let number = |key: &str| obj.get(key).and_then(Json::as_f64);
        let count = |key: &str| obj.get(key).and_then(Json::as_u64);
        shape.min_length = count("minLength");
        shape.max_length = count("maxLength");
        shape.minimum = number("minimum");
        shape.maximum = number("maximum");
        shape.min_items = count("minItems");
        shape.max_items = count("maxItems");
        if let Some(items) = obj.get("items") {
            shape.items = Some(self.build(items));
        }
        if let Some(properties) = obj.get("properties").and_then(Json::as_object) {
            let mut named: Vec<(Box<str>, ShapeId)> = properties
                .iter()
                .map(|(name, node)| (name.as_str().into(), self.build(node)))
                .collect();
            named.sort_by(|a, b| a.0.cmp(&b.0));
            shape.properties = named.into_boxed_slice();
        }
        if let Some(required) = obj.get("required").and_then(Json::as_array) {
            shape.required = required
                .iter()
                .filter_map(Json::as_str)
                .map(Into::into)
                .collect();
        }
        shape.open = !matches!(obj.get("additionalProperties"), Some(Json::Bool(false)))
            || obj.contains_key("patternProperties");
        let mut all_of = Vec::new();
        if let Some(reference) = obj.get("$ref").and_then(Json::as_str) {
            all_of.extend(self.definition(reference));
        }
        if let Some(branches) = obj.get("allOf").and_then(Json::as_array) {
            all_of.extend(branches.iter().map(|b| self.build(b)));
        }
        let mut any_of = Vec::new();
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = obj.get(key).and_then(Json::as_array) {
                any_of.extend(branches.iter().map(|b| self.build(b)));
            }
        }
        shape.all_of = all_of.into_boxed_slice();
        // A branch that takes anything makes the choice always met. (Built above, so every
        // branch but a `$ref` still being filled is complete here.)
        if any_of
            .iter()
            .any(|&b| self.shapes[b as usize].takes_anything())
        {
            any_of.clear();
        }
        shape.any_of = any_of.into_boxed_slice();
        self.shapes[id as usize] = shape;
    }
}
