//! The in-memory cloud's resources with the indexes its lookups need (by name, by idempotency
//! tag, by physical id, by account and type), so a create, a read or a check costs the same
//! in an organization of ten accounts and of a thousand. Every change is also noted as dirty,
//! which is how the persisted cloud appends only what a call changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value as Json;

use super::data::CloudResource;
use super::types::{spec_of, NameScope};

/// A resource as the table holds it: [`CloudResource`] with its properties and attributes
/// kept as compact JSON text, parsed when read (a thousand accounts' resources held as
/// parsed values would take several times the memory). Serialises as `CloudResource` does.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredResource {
    pub account: String,
    pub region: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub physical_id: String,
    pub name: Option<String>,
    pub tag: String,
    properties: Box<RawValue>,
    attributes: Box<RawValue>,
    #[serde(default)]
    pub objects: Vec<String>,
}

impl PartialEq for StoredResource {
    fn eq(&self, other: &Self) -> bool {
        (
            &self.account,
            &self.region,
            &self.type_name,
            &self.physical_id,
            &self.name,
            &self.tag,
            self.properties.get(),
            self.attributes.get(),
            &self.objects,
        ) == (
            &other.account,
            &other.region,
            &other.type_name,
            &other.physical_id,
            &other.name,
            &other.tag,
            other.properties.get(),
            other.attributes.get(),
            &other.objects,
        )
    }
}

fn raw<T: Serialize>(value: &T) -> Box<RawValue> {
    // Plain data with string keys always serialises; `null` stands in for the impossible
    // failure.
    serde_json::value::to_raw_value(value).unwrap_or_default()
}

impl StoredResource {
    /// The properties as last written.
    pub fn properties(&self) -> Json {
        serde_json::from_str(self.properties.get()).unwrap_or(Json::Null)
    }
    /// The attributes.
    pub fn attributes(&self) -> BTreeMap<String, Json> {
        serde_json::from_str(self.attributes.get()).unwrap_or_default()
    }
    /// The public form.
    pub fn to_resource(&self) -> CloudResource {
        CloudResource {
            account: self.account.clone(),
            region: self.region.clone(),
            type_name: self.type_name.clone(),
            physical_id: self.physical_id.clone(),
            name: self.name.clone(),
            tag: self.tag.clone(),
            properties: self.properties(),
            attributes: self.attributes(),
            objects: self.objects.clone(),
        }
    }
}

impl From<CloudResource> for StoredResource {
    fn from(r: CloudResource) -> Self {
        StoredResource {
            properties: raw(&r.properties),
            attributes: raw(&r.attributes),
            account: r.account,
            region: r.region,
            type_name: r.type_name,
            physical_id: r.physical_id,
            name: r.name,
            tag: r.tag,
            objects: r.objects,
        }
    }
}

/// Keys of the resources that share an index entry, in key order (so a lookup answers what
/// a scan in key order would).
type Keys = BTreeSet<String>;

/// Resources by `account/region/type/physicalId`, indexed.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResourceTable {
    map: BTreeMap<String, StoredResource>,
    /// `(type, scope, name)`: scope is `*` for globally unique names, else `account/region`.
    by_name: HashMap<(String, String, String), Keys>,
    /// `(account, region, type, tag)`.
    by_tag: HashMap<(String, String, String, String), Keys>,
    /// `(type, physicalId)`.
    by_id: HashMap<(String, String), Keys>,
    /// `(account, type)`.
    by_account_type: HashMap<(String, String), Keys>,
    /// `type`.
    by_type: HashMap<String, Keys>,
    /// Keys changed since the last [`Self::take_dirty`].
    dirty: BTreeSet<String>,
}

impl PartialEq for ResourceTable {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

fn name_scope(r: &StoredResource) -> String {
    match spec_of(&r.type_name).map(|s| s.scope) {
        Some(NameScope::Global) => "*".to_owned(),
        _ => format!("{}/{}", r.account, r.region),
    }
}

fn add<K: std::hash::Hash + Eq>(index: &mut HashMap<K, Keys>, k: K, key: &str) {
    index.entry(k).or_default().insert(key.to_owned());
}

fn drop_key<K: std::hash::Hash + Eq>(index: &mut HashMap<K, Keys>, k: &K, key: &str) {
    if let Some(keys) = index.get_mut(k) {
        keys.remove(key);
        if keys.is_empty() {
            index.remove(k);
        }
    }
}

impl ResourceTable {
    fn index(&mut self, key: &str, r: &StoredResource) {
        if let Some(name) = &r.name {
            add(
                &mut self.by_name,
                (r.type_name.clone(), name_scope(r), name.clone()),
                key,
            );
        }
        add(
            &mut self.by_tag,
            (
                r.account.clone(),
                r.region.clone(),
                r.type_name.clone(),
                r.tag.clone(),
            ),
            key,
        );
        add(
            &mut self.by_id,
            (r.type_name.clone(), r.physical_id.clone()),
            key,
        );
        add(
            &mut self.by_account_type,
            (r.account.clone(), r.type_name.clone()),
            key,
        );
        add(&mut self.by_type, r.type_name.clone(), key);
    }

    fn unindex(&mut self, key: &str, r: &StoredResource) {
        if let Some(name) = &r.name {
            let k = (r.type_name.clone(), name_scope(r), name.clone());
            drop_key(&mut self.by_name, &k, key);
        }
        let k = (
            r.account.clone(),
            r.region.clone(),
            r.type_name.clone(),
            r.tag.clone(),
        );
        drop_key(&mut self.by_tag, &k, key);
        drop_key(
            &mut self.by_id,
            &(r.type_name.clone(), r.physical_id.clone()),
            key,
        );
        drop_key(
            &mut self.by_account_type,
            &(r.account.clone(), r.type_name.clone()),
            key,
        );
        drop_key(&mut self.by_type, &r.type_name, key);
    }

    fn first<'a>(&'a self, keys: Option<&'a Keys>) -> Option<&'a StoredResource> {
        keys.and_then(|k| k.iter().next())
            .and_then(|k| self.map.get(k))
    }

    fn all<'a>(&'a self, keys: Option<&'a Keys>) -> impl Iterator<Item = &'a StoredResource> {
        keys.into_iter().flatten().filter_map(|k| self.map.get(k))
    }

    /// The resource at `key`.
    pub fn get(&self, key: &str) -> Option<&StoredResource> {
        self.map.get(key)
    }

    /// Put `r` at `key`, replacing what was there.
    pub fn insert(&mut self, key: String, r: StoredResource) {
        if let Some(old) = self.map.remove(&key) {
            self.unindex(&key, &old);
        }
        self.index(&key, &r);
        self.dirty.insert(key.clone());
        self.map.insert(key, r);
    }

    /// Remove the resource at `key`.
    pub fn remove(&mut self, key: &str) -> Option<StoredResource> {
        let old = self.map.remove(key)?;
        self.unindex(key, &old);
        self.dirty.insert(key.to_owned());
        Some(old)
    }

    /// Change the resource at `key` in place (its index entries follow). False when absent.
    pub fn modify(&mut self, key: &str, change: impl FnOnce(&mut StoredResource)) -> bool {
        let Some(mut r) = self.remove(key) else {
            return false;
        };
        change(&mut r);
        self.insert(key.to_owned(), r);
        true
    }

    /// Every resource, in key order (account, region, type, id).
    pub fn values(&self) -> impl Iterator<Item = &StoredResource> {
        self.map.values()
    }

    /// The resource of `type_name` named `name`: anywhere for globally unique names, else in
    /// `account` and `region`.
    pub fn named(
        &self,
        type_name: &str,
        global: bool,
        account: &str,
        region: &str,
        name: &str,
    ) -> Option<&StoredResource> {
        let scope = if global {
            "*".to_owned()
        } else {
            format!("{account}/{region}")
        };
        self.first(
            self.by_name
                .get(&(type_name.to_owned(), scope, name.to_owned())),
        )
    }

    /// The resource of `type_name` created with idempotency tag `tag` in `account`/`region`.
    pub fn tagged(
        &self,
        account: &str,
        region: &str,
        type_name: &str,
        tag: &str,
    ) -> Option<&StoredResource> {
        let k = (
            account.to_owned(),
            region.to_owned(),
            type_name.to_owned(),
            tag.to_owned(),
        );
        self.first(self.by_tag.get(&k))
    }

    /// Resources of `type_name` whose physical id is `id` (in any account).
    pub fn with_id<'a>(
        &'a self,
        type_name: &str,
        id: &str,
    ) -> impl Iterator<Item = &'a StoredResource> {
        self.all(self.by_id.get(&(type_name.to_owned(), id.to_owned())))
    }

    /// Resources of `type_name` in `account` (every region).
    pub fn of_account<'a>(
        &'a self,
        account: &str,
        type_name: &str,
    ) -> impl Iterator<Item = &'a StoredResource> {
        self.all(
            self.by_account_type
                .get(&(account.to_owned(), type_name.to_owned())),
        )
    }

    /// Resources of `type_name` in every account.
    pub fn of_type<'a>(&'a self, type_name: &str) -> impl Iterator<Item = &'a StoredResource> {
        self.all(self.by_type.get(type_name))
    }

    /// The keys changed since the last call, each with its value now (`None`: removed).
    pub fn take_dirty(&mut self) -> BTreeMap<String, Option<StoredResource>> {
        std::mem::take(&mut self.dirty)
            .into_iter()
            .map(|k| {
                let v = self.map.get(&k).cloned();
                (k, v)
            })
            .collect()
    }

    /// Whether anything changed since the last [`Self::take_dirty`].
    pub fn is_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Apply a logged change without marking it dirty (it is already persisted).
    pub fn replay(&mut self, key: String, value: Option<StoredResource>) {
        match value {
            Some(r) => self.insert(key, r),
            None => {
                self.remove(&key);
            }
        }
        self.dirty.clear();
    }
}

impl Serialize for ResourceTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ResourceTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, StoredResource>::deserialize(deserializer)?;
        let mut table = ResourceTable::default();
        for (key, r) in &map {
            table.index(key, r);
        }
        table.map = map;
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(account: &str, type_name: &str, id: &str, name: Option<&str>) -> StoredResource {
        CloudResource {
            account: account.into(),
            region: "us-east-1".into(),
            type_name: type_name.into(),
            physical_id: id.into(),
            name: name.map(str::to_owned),
            tag: format!("S/{id}"),
            properties: serde_json::json!({}),
            attributes: BTreeMap::new(),
            objects: Vec::new(),
        }
        .into()
    }

    #[test]
    fn lookups_follow_inserts_modifications_and_removals() {
        let mut t = ResourceTable::default();
        t.insert(
            "a".into(),
            resource("1", "AWS::S3::Bucket", "b1", Some("b1")),
        );
        t.insert(
            "b".into(),
            resource("2", "AWS::IAM::Role", "Deploy", Some("Deploy")),
        );
        // Bucket names are global; role names per account.
        assert!(t.named("AWS::S3::Bucket", true, "9", "x", "b1").is_some());
        assert!(t
            .named("AWS::IAM::Role", false, "2", "us-east-1", "Deploy")
            .is_some());
        assert!(t
            .named("AWS::IAM::Role", false, "1", "us-east-1", "Deploy")
            .is_none());
        assert!(t
            .tagged("2", "us-east-1", "AWS::IAM::Role", "S/Deploy")
            .is_some());
        assert_eq!(t.of_account("1", "AWS::S3::Bucket").count(), 1);
        assert!(t.modify("a", |r| r.name = Some("b2".into())));
        assert!(t.named("AWS::S3::Bucket", true, "1", "x", "b1").is_none());
        assert!(t.named("AWS::S3::Bucket", true, "1", "x", "b2").is_some());
        assert!(t.remove("b").is_some());
        assert_eq!(t.of_type("AWS::IAM::Role").count(), 0);
        assert_eq!(t.with_id("AWS::IAM::Role", "Deploy").count(), 0);
        let dirty = t.take_dirty();
        assert_eq!(dirty.len(), 2);
        assert!(dirty["b"].is_none());
        assert!(!t.is_dirty());
    }

    #[test]
    fn a_deserialised_table_is_indexed() {
        let mut t = ResourceTable::default();
        t.insert("a".into(), resource("1", "AWS::EC2::VPC", "vpc-1", None));
        let text = serde_json::to_string(&t).unwrap();
        let back: ResourceTable = serde_json::from_str(&text).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.with_id("AWS::EC2::VPC", "vpc-1").count(), 1);
        assert!(!back.is_dirty());
    }
}
