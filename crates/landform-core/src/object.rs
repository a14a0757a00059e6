//! The object representation behind [`Value::Object`] and a resource's properties: a vector
//! of (key, value) pairs kept sorted by key, with keys that borrow `'static` text when they
//! can.
//!
//! A large app holds hundreds of thousands of small objects (most with one to five keys).
//! A `BTreeMap` allocates a node with room for eleven entries for each of them, and a
//! `String` per key; a sorted vector holds exactly what is there, and a key written as a
//! literal (`"BucketName"`) costs no allocation at all. Keys stay sorted, as a `BTreeMap`
//! keeps them, so templates list them in the same order.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

use crate::value::Value;

/// An object key: `'static` text (no allocation) or an owned string.
///
/// ```
/// use landform_core::Key;
/// let key = Key::from("BucketName");
/// assert_eq!(&*key, "BucketName");
/// assert_eq!(key, Key::from(String::from("BucketName")));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(Cow<'static, str>);

impl Key {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&'static str> for Key {
    fn from(key: &'static str) -> Self {
        Key(Cow::Borrowed(key))
    }
}

impl From<String> for Key {
    fn from(key: String) -> Self {
        Key(Cow::Owned(key))
    }
}

impl From<&String> for Key {
    fn from(key: &String) -> Self {
        Key(Cow::Owned(key.clone()))
    }
}

impl From<Cow<'static, str>> for Key {
    fn from(key: Cow<'static, str>) -> Self {
        Key(key)
    }
}

impl From<Key> for String {
    fn from(key: Key) -> Self {
        key.0.into_owned()
    }
}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl serde::Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An object: members sorted by key, each key once.
///
/// Lookups are binary searches; iteration is in key order (what a `BTreeMap` gives, and the
/// order templates are written in).
///
/// ```
/// use landform_core::{Map, Value};
/// let mut map: Map = [("b", Value::from(2)), ("a", Value::from(1))].into_iter().collect();
/// map.insert("c", Value::from(3));
/// assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
/// assert_eq!(map.get("b"), Some(&Value::from(2)));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Map {
    entries: Vec<(Key, Value)>,
}

impl Map {
    /// An empty object (no allocation).
    pub fn new() -> Self {
        Map::default()
    }

    /// An empty object with room for `capacity` members.
    pub fn with_capacity(capacity: usize) -> Self {
        Map {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no member.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| (**k).cmp(key))
    }

    /// The value of a key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).ok().map(|at| &self.entries[at].1)
    }

    /// The value of a key, mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        let at = self.position(key).ok()?;
        Some(&mut self.entries[at].1)
    }

    /// True when the key is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Set a key; returns the value it replaces.
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.position(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// Remove a key; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.position(key).ok()?;
        Some(self.entries.remove(at).1)
    }

    /// Keep only the members for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Members in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &Value)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// Members in key order, values mutable.
    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&str, &mut Value)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&**k, v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| &**k)
    }

    /// Values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Values in key order, mutable.
    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Give back spare capacity (an object built member by member is usually finished when
    /// it enters the tree).
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }
}

impl<K: Into<Key>> FromIterator<(K, Value)> for Map {
    /// Members sorted by key; of a key given twice the last value wins, as collecting into a
    /// `BTreeMap` does.
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let mut entries: Vec<(Key, Value)> = iter.into_iter().map(|(k, v)| (k.into(), v)).collect();
        // Stable: equal keys keep their order, so the last one given is the last of its run.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Key, Value)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match out.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => out.push(entry),
            }
        }
        Map { entries: out }
    }
}

impl<K: Into<Key>> Extend<(K, Value)> for Map {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl IntoIterator for Map {
    type Item = (Key, Value);
    type IntoIter = std::vec::IntoIter<(Key, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'m> IntoIterator for &'m Map {
    type Item = (&'m str, &'m Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'m, (Key, Value)>,
        fn(&'m (Key, Value)) -> (&'m str, &'m Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        fn pair(entry: &(Key, Value)) -> (&str, &Value) {
            (&entry.0, &entry.1)
        }
        self.entries.iter().map(pair)
    }
}

impl fmt::Debug for Map {
    /// As a `BTreeMap` prints: `{"a": .., "b": ..}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn keys(map: &Map) -> Vec<&str> {
        map.keys().collect()
    }

    #[test]
    fn keeps_keys_sorted_like_a_btree_map() {
        let words = [
            "Type",
            "a",
            "Z",
            "_x",
            "aa",
            "B",
            "Fn::GetAtt",
            "1",
            "é",
            "Ref",
        ];
        let mut map = Map::new();
        let mut tree = BTreeMap::new();
        for (n, w) in words.iter().enumerate() {
            map.insert(*w, Value::from(n));
            tree.insert(w.to_string(), Value::from(n));
        }
        assert_eq!(
            keys(&map),
            tree.keys().map(String::as_str).collect::<Vec<_>>()
        );
        let collected: Map = words.iter().map(|w| (*w, Value::Null)).collect();
        assert_eq!(keys(&collected), keys(&map));
    }

    #[test]
    fn the_last_value_of_a_repeated_key_wins() {
        let map: Map = [
            ("k", Value::from(1)),
            ("j", Value::Null),
            ("k", Value::from(2)),
        ]
        .into_iter()
        .collect();
        assert_eq!(map.len(), 2);
        assert_eq!(map.get("k"), Some(&Value::from(2)));
        let mut map = map;
        assert_eq!(map.insert("k", Value::from(3)), Some(Value::from(2)));
        assert_eq!(map.remove("j"), Some(Value::Null));
        assert_eq!(keys(&map), ["k"]);
    }

    #[test]
    fn static_and_owned_keys_are_equal() {
        let a: Map = [("Name", Value::Null)].into_iter().collect();
        let b: Map = [(String::from("Name"), Value::Null)].into_iter().collect();
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), r#"{"Name": Null}"#);
    }
}
