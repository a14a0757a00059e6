//! What the tree shares between nodes instead of holding copies: the text of strings.
//!
//! A large app repeats the same few thousand strings hundreds of thousands of times (one
//! `"Enabled"` per flag, one policy version per document, the same script per account). Each
//! `Value::String` is an `Arc<str>`; when a resource enters the tree its strings are swapped
//! for the tree's copy of the same text, so each distinct string is held once.

use std::sync::Arc;

use crate::fast_hash::FastHashSet;
use crate::value::{Attribute, SubPart, Value};

/// Point every string of `value` at the shared copy in `texts` (adding the ones not seen yet),
/// and give back the spare room of its arrays and objects: the value is now in the tree, where
/// it stops growing.
pub(crate) fn share_texts(texts: &mut FastHashSet<Arc<str>>, value: &mut Value) {
    match value {
        Value::String(text) => share_text(texts, text),
        Value::Ref(reference) => {
            if let Attribute::GetAtt(name) = &mut reference.attribute {
                share_text(texts, name);
            }
        }
        Value::Array(items) => {
            items.shrink_to_fit();
            items.iter_mut().for_each(|v| share_texts(texts, v));
        }
        Value::Object(map) => {
            map.shrink_to_fit();
            map.values_mut().for_each(|v| share_texts(texts, v));
        }
        Value::Sub(parts) => {
            for part in parts {
                if let SubPart::Value(v) = part {
                    share_texts(texts, v);
                }
            }
        }
        Value::Join(join) => join.parts.iter_mut().for_each(|v| share_texts(texts, v)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::Pseudo(_) => {}
    }
}

fn share_text(texts: &mut FastHashSet<Arc<str>>, text: &mut Arc<str>) {
    match texts.get(&**text) {
        Some(shared) => *text = Arc::clone(shared),
        None => {
            texts.insert(Arc::clone(text));
        }
    }
}
