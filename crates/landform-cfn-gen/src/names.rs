//! Rust names for schema names: `SSEAlgorithm` -> `sse_algorithm`, `aws:kms` -> `AwsKms`,
//! never a keyword, never a name the generated code relies on, never twice in a scope.

use std::collections::BTreeMap;

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield", "rt", "std", "core", "alloc",
];

/// Method names a setter must not take: a setter `clone(v)` would hide `Clone::clone`.
const METHODS: &[&str] = &[
    "default",
    "clone",
    "clone_from",
    "into",
    "from",
    "eq",
    "ne",
    "fmt",
    "to_owned",
    "to_string",
    "hash",
    "type_id",
    "borrow",
    "borrow_mut",
    "as_ref",
    "into_value",
    // What clippy's `should_implement_trait` reserves for the std traits.
    "add",
    "as_mut",
    "bitand",
    "bitor",
    "bitxor",
    "cmp",
    "deref",
    "deref_mut",
    "div",
    "drop",
    "from_iter",
    "from_str",
    "index",
    "index_mut",
    "into_iter",
    "mul",
    "neg",
    "next",
    "not",
    "rem",
    "shl",
    "shr",
    "sub",
    "partial_cmp",
];

/// Type names the generated code uses unqualified.
const TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Vec",
    "Box",
    "String",
    "Default",
    "Self",
    "Ok",
    "Err",
    "Result",
    "From",
    "Into",
    "Clone",
    "Debug",
    "PartialEq",
    "Eq",
    "IntoIterator",
    "Iterator",
];

/// `name`, or `name_` when it is a keyword.
pub fn non_keyword(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        name + "_"
    } else {
        name
    }
}

/// snake_case of a schema name: `SSEAlgorithm` -> `sse_algorithm`, `IPv6CidrBlock` ->
/// `ipv6_cidr_block`, `S3Bucket` -> `s3_bucket`.
pub fn snake(name: &str) -> String {
    let name = name.replace("IPv", "Ipv");
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower))
                && !out.ends_with('_')
                && !out.is_empty()
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        return "value".to_string();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("n{out}");
    }
    out
}

/// UpperCamelCase of a schema name or value: `aws:kms` -> `AwsKms`, `PAY_PER_REQUEST` ->
/// `PayPerRequest`, `tagSpec` -> `TagSpec`, `http/s` -> `HttpS`.
pub fn upper_camel(name: &str) -> String {
    let mut out = String::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        let Some(first) = chars.next() else { continue };
        out.push(first.to_ascii_uppercase());
        let rest: String = chars.collect();
        // A part in capitals (`AES256`, `KMS`) reads as a word; a part in camel case keeps
        // its humps.
        if rest.chars().any(|c| c.is_ascii_lowercase()) {
            out.push_str(&rest);
        } else {
            out.push_str(&rest.to_ascii_lowercase());
        }
    }
    out
}

/// A type name for a schema name: UpperCamelCase, not starting with a digit, not a name the
/// generated code uses.
pub fn type_ident(name: &str) -> String {
    let mut out = upper_camel(name);
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("T{out}");
    }
    if TYPES.contains(&out.as_str()) {
        out.push_str("Property");
    }
    out
}

/// A field (and setter) name for a property name.
pub fn field_ident(name: &str) -> String {
    let out = non_keyword(snake(name));
    if METHODS.contains(&out.as_str()) {
        out + "_"
    } else {
        out
    }
}

/// An enum variant for a value.
pub fn variant_ident(value: &str) -> String {
    let out = upper_camel(value);
    if out.is_empty() {
        return "Empty".to_string();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("V{out}");
    }
    if out == "Self_" || out == "Self" {
        return "SelfValue".to_string();
    }
    out
}

/// The names taken in one scope, each by a key (what it names): asking again with the same
/// key gives the same name; another key gets a numbered one.
#[derive(Debug, Default)]
pub struct Names {
    types: BTreeMap<String, String>,
    modules: BTreeMap<String, String>,
}

impl Names {
    /// A type name for `key`, `wanted` if free.
    pub fn take(&mut self, wanted: &str, key: &str) -> String {
        take(&mut self.types, wanted, key)
    }
    /// A module name for `key`, `wanted` if free.
    pub fn take_module(&mut self, wanted: &str, key: &str) -> String {
        take(&mut self.modules, &non_keyword(wanted.to_string()), key)
    }
    /// Is the type name `name` free, or already `key`'s?
    pub fn is_free_for(&self, name: &str, key: &str) -> bool {
        self.types.get(name).map_or(true, |owner| owner == key)
    }
}

fn take(names: &mut BTreeMap<String, String>, wanted: &str, key: &str) -> String {
    let mut candidate = wanted.to_string();
    let mut n = 2;
    loop {
        match names.get(&candidate) {
            None => {
                names.insert(candidate.clone(), key.to_string());
                return candidate;
            }
            Some(owner) if owner == key => return candidate,
            Some(_) => {
                candidate = format!("{wanted}{n}");
                n += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_of_schema_names() {
        assert_eq!(snake("SSEAlgorithm"), "sse_algorithm");
        assert_eq!(snake("KmsMasterKeyId"), "kms_master_key_id");
        assert_eq!(snake("KMSMasterKeyId"), "kms_master_key_id");
        assert_eq!(snake("IPv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("S3Bucket"), "s3_bucket");
        assert_eq!(snake("VPCId"), "vpc_id");
        assert_eq!(snake("3DSecure"), "n3_d_secure");
        assert_eq!(snake("a-b.c"), "a_b_c");
        assert_eq!(field_ident("Type"), "type_");
        assert_eq!(field_ident("Default"), "default_");
    }

    #[test]
    fn camel_case_of_values() {
        assert_eq!(variant_ident("AES256"), "Aes256");
        assert_eq!(variant_ident("aws:kms"), "AwsKms");
        assert_eq!(variant_ident("aws:kms:dsse"), "AwsKmsDsse");
        assert_eq!(variant_ident("PAY_PER_REQUEST"), "PayPerRequest");
        assert_eq!(variant_ident("http/s"), "HttpS");
        assert_eq!(variant_ident("1"), "V1");
        assert_eq!(variant_ident("*"), "Empty");
        assert_eq!(type_ident("tagSpec"), "TagSpec");
        assert_eq!(type_ident("Option"), "OptionProperty");
    }

    #[test]
    fn a_taken_name_is_numbered_for_another_key() {
        let mut names = Names::default();
        assert_eq!(names.take("Tag", "a"), "Tag");
        assert_eq!(names.take("Tag", "a"), "Tag");
        assert_eq!(names.take("Tag", "b"), "Tag2");
        assert_eq!(names.take_module("type", "t"), "type_");
    }
}
