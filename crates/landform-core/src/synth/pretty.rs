//! A streaming JSON writer whose output is byte for byte what `serde_json::to_string_pretty`
//! writes (two-space indent, `": "`, `{}` and `[]` for empty containers, serde_json's string
//! escapes), so templates are rendered straight from the tree without building a
//! `serde_json::Value` first.

use serde_json::Value as Json;

/// Spaces for the common depths; deeper levels repeat it.
const SPACES: &str = "                                                                ";

/// A line break and the indentation of the common depths.
const NEWLINE_SPACES: &str = "\n                                                                ";

/// A pretty JSON text under construction. Containers are opened and closed explicitly; each
/// member starts with [`JsonWriter::key`] (objects) or [`JsonWriter::item`] (arrays).
#[derive(Debug, Default)]
pub(crate) struct JsonWriter {
    text: String,
    indent: usize,
    /// Per open container: whether it has a member yet (decides `,` and the closing newline).
    has_members: Vec<bool>,
}

impl JsonWriter {
    /// A writer whose first value sits at `indent` levels (its members one deeper), for a
    /// piece of text spliced into a larger document at that depth.
    pub(crate) fn at_indent(indent: usize, capacity: usize) -> Self {
        JsonWriter {
            text: String::with_capacity(capacity),
            indent,
            has_members: Vec::new(),
        }
    }

    /// A writer that renders into `buffer` (emptied first, its capacity kept).
    pub(crate) fn reusing(mut buffer: String, indent: usize) -> Self {
        buffer.clear();
        JsonWriter {
            text: buffer,
            indent,
            has_members: Vec::new(),
        }
    }

    /// A writer for the tail of a document whose start was written elsewhere, up to inside
    /// its top-level object with members already; renders into `buffer` (emptied first).
    pub(crate) fn inside_object(mut buffer: String) -> Self {
        buffer.clear();
        JsonWriter {
            text: buffer,
            indent: 1,
            has_members: vec![true],
        }
    }

    /// Go on writing into `buffer` (the text so far copied into it); returns the buffer
    /// written so far.
    pub(crate) fn move_to(&mut self, mut buffer: String) -> String {
        buffer.push_str(&self.text);
        std::mem::replace(&mut self.text, buffer)
    }

    /// The text so far.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The depth the next value is written at.
    pub(crate) fn indent(&self) -> usize {
        self.indent
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    /// The finished text.
    pub(crate) fn into_text(self) -> String {
        self.text
    }

    pub(crate) fn begin_object(&mut self) {
        self.open('{');
    }

    pub(crate) fn end_object(&mut self) {
        self.close('}');
    }

    pub(crate) fn begin_array(&mut self) {
        self.open('[');
    }

    pub(crate) fn end_array(&mut self) {
        self.close(']');
    }

    /// Start an object member: its key, then the value is written next.
    pub(crate) fn key(&mut self, key: &str) {
        self.member();
        self.string(key);
        self.text.push_str(": ");
    }

    /// Start an array element: the value is written next.
    pub(crate) fn item(&mut self) {
        self.member();
    }

    /// An object member whose value is a string.
    pub(crate) fn string_member(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }

    pub(crate) fn null(&mut self) {
        self.text.push_str("null");
    }

    pub(crate) fn bool(&mut self, value: bool) {
        self.text.push_str(if value { "true" } else { "false" });
    }

    pub(crate) fn number(&mut self, value: &serde_json::Number) {
        // `Display` of a number is its JSON form (itoa / ryu, as the serializer uses).
        use std::fmt::Write;
        let _ = write!(self.text, "{value}");
    }

    /// Already rendered JSON text of one value at the current depth.
    pub(crate) fn raw(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// A JSON string with serde_json's escapes: `"`, `\`, and control characters (the short
    /// forms `\b \t \n \f \r`, otherwise `\u00XX` in lowercase hex).
    #[inline]
    pub(crate) fn string(&mut self, value: &str) {
        let clean = clean_prefix(value.as_bytes());
        self.text.reserve(value.len() + 2);
        self.text.push('"');
        if clean == value.len() {
            // Nothing to escape (nearly every string of a template): one copy.
            self.text.push_str(value);
        } else {
            self.escaped(value, clean);
        }
        self.text.push('"');
    }

    /// The inside of a string with something to escape, the first at `at`.
    #[cold]
    #[inline(never)]
    fn escaped(&mut self, value: &str, mut at: usize) {
        let bytes = value.as_bytes();
        let mut start = 0;
        while at < bytes.len() {
            let byte = bytes[at];
            let escape: &str = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                0x08 => "\\b",
                b'\t' => "\\t",
                b'\n' => "\\n",
                0x0c => "\\f",
                b'\r' => "\\r",
                0x00..=0x1f => "",
                _ => {
                    // Not reached (the scan stops at bytes to escape only); scan on.
                    at += 1;
                    at += clean_prefix(&bytes[at..]);
                    continue;
                }
            };
            // Escaped bytes are ASCII, so `start..at` always falls on character boundaries.
            self.text.push_str(&value[start..at]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.text.push_str("\\u00");
                self.text.push(HEX[(byte >> 4) as usize] as char);
                self.text.push(HEX[(byte & 0xf) as usize] as char);
            } else {
                self.text.push_str(escape);
            }
            at += 1;
            start = at;
            // Text after an escape (the next line of a script, say) is scanned a word at a time.
            at += clean_prefix(&bytes[at..]);
        }
        self.text.push_str(&value[start..]);
    }

    /// A `serde_json::Value`, as serde_json would print it at this depth.
    pub(crate) fn json(&mut self, value: &Json) {
        match value {
            Json::Null => self.null(),
            Json::Bool(b) => self.bool(*b),
            Json::Number(n) => self.number(n),
            Json::String(s) => self.string(s),
            Json::Array(items) => {
                self.begin_array();
                for item in items {
                    self.item();
                    self.json(item);
                }
                self.end_array();
            }
            Json::Object(map) => {
                self.begin_object();
                for (key, item) in map {
                    self.key(key);
                    self.json(item);
                }
                self.end_object();
            }
        }
    }

    fn open(&mut self, bracket: char) {
        self.text.push(bracket);
        self.indent += 1;
        self.has_members.push(false);
    }

    fn close(&mut self, bracket: char) {
        self.indent -= 1;
        if self.has_members.pop() == Some(true) {
            self.newline();
        }
        self.text.push(bracket);
    }

    fn member(&mut self) {
        match self.has_members.last_mut() {
            Some(has) if *has => self.text.push(','),
            Some(has) => *has = true,
            None => {}
        }
        self.newline();
    }

    fn newline(&mut self) {
        let mut spaces = self.indent * 2;
        if spaces < NEWLINE_SPACES.len() {
            // The common depths: the line break and the indentation in one copy.
            self.text.push_str(&NEWLINE_SPACES[..1 + spaces]);
            return;
        }
        self.text.push('\n');
        while spaces > 0 {
            let n = spaces.min(SPACES.len());
            self.text.push_str(&SPACES[..n]);
            spaces -= n;
        }
    }
}

/// Length of the longest prefix with nothing to escape, that is the index of the first byte
/// to escape (or the length), eight bytes at a time (template strings rarely need escapes, so
/// most are copied in one piece, and in a script with many the next one is found without
/// stepping through the bytes before it).
#[inline]
fn clean_prefix(bytes: &[u8]) -> usize {
    let len = bytes.len();
    if len < 8 {
        if len >= 4 {
            // Two overlapping 4-byte reads cover the string: one test when it is clean.
            let word = u64::from(read_u32(bytes, 0)) | u64::from(read_u32(bytes, len - 4)) << 32;
            if escape_flags(word) == 0 {
                return len;
            }
        }
        return bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(len);
    }
    let mut at = 0;
    while at + 8 <= len {
        let flags = escape_flags(read_u64(bytes, at));
        if flags != 0 {
            // The lowest flag is exact (only bytes above a flagged byte can be flagged wrongly).
            return at + (flags.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    if at < len {
        // The last eight bytes, overlapping clean ones: a flag can only be on a new byte.
        let flags = escape_flags(read_u64(bytes, len - 8));
        if flags != 0 {
            return len - 8 + (flags.trailing_zeros() / 8) as usize;
        }
    }
    len
}

fn read_u64(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

/// The high bit of each byte of the word that is `"`, `\` or a control character (and
/// possibly of bytes above the first such byte, which the caller never looks at).
fn escape_flags(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of the lowest zero byte of `x` (the classic bit trick).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    // Bytes below 0x20: subtracting 0x20 borrows into the high bit of bytes < 0x20.
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    control | zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn pretty(value: &Json) -> String {
        let mut writer = JsonWriter::default();
        writer.json(value);
        writer.into_text()
    }

    #[test]
    fn matches_serde_json_on_edge_cases() {
        let value = json!({
            "empty": {}, "none": [], "nested": [[], [{}], {"a": [1, -2, 2.5, 1e300]}],
            "text": "quote \" backslash \\ controls \u{0}\u{8}\t\n\u{c}\r\u{1f}\u{7f} é ☃ 𝄞",
            "t": true, "f": false, "n": null
        });
        assert_eq!(
            pretty(&value),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }

    #[test]
    fn escapes_are_found_at_every_offset_of_the_word_scan() {
        for special in ['"', '\\', '\n', '\u{1}', '\u{1f}'] {
            for at in 0..20 {
                let mut text: String = "abcdefghijklmnopqrstuvwxyz".chars().take(20).collect();
                text.insert(at, special);
                text.push('é');
                let value = Json::String(text);
                assert_eq!(pretty(&value), serde_json::to_string(&value).unwrap());
            }
        }
    }

    #[test]
    fn escapes_are_found_in_strings_of_every_short_length() {
        for len in 0..20 {
            for special in ['"', '\\', '\n', '\u{1}'] {
                for at in 0..=len {
                    let mut text: String = "abcdefghijklmnopqrstuvwxyz".chars().take(len).collect();
                    text.insert(at, special);
                    for value in [Json::String(text.clone()), Json::String(text[..len].into())] {
                        assert_eq!(pretty(&value), serde_json::to_string(&value).unwrap());
                    }
                }
            }
        }
    }

    #[test]
    fn deep_nesting_indents_past_the_spaces_table() {
        let mut value = json!("leaf");
        for _ in 0..50 {
            value = json!({ "k": [value] });
        }
        assert_eq!(
            pretty(&value),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }

    fn any_json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            any::<String>().prop_map(Json::String),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|pairs| Json::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_value_prints_as_serde_json_prints_it(value in any_json()) {
            prop_assert_eq!(pretty(&value), serde_json::to_string_pretty(&value).unwrap());
        }
    }
}
