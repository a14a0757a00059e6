//! The in-memory cloud's resources with the indexes its lookups need (by name, by idempotency
//! tag, by physical id, by account and type), so a create, a read or a check costs the same
//! in an organization of ten accounts and of a thousand. Every change is also noted as dirty,
//! which is how the persisted cloud appends only what a call changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::data::CloudResource;
use super::types::{spec_of, NameScope};

/// Keys of the resources that share an index entry, in key order (so a lookup answers what
/// a scan in key order would).
type Keys = BTreeSet<String>;

/// Resources by `account/region/type/physicalId`, indexed.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResourceTable {
    map: BTreeMap<String, CloudResource>,
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

fn name_scope(r: &CloudResource) -> String {
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
    fn index(&mut self, key: &str, r: &CloudResource) {
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

    fn unindex(&mut self, key: &str, r: &CloudResource) {
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

    fn first<'a>(&'a self, keys: Option<&'a Keys>) -> Option<&'a CloudResource> {
        keys.and_then(|k| k.iter().next())
            .and_then(|k| self.map.get(k))
    }

    fn all<'a>(&'a self, keys: Option<&'a Keys>) -> impl Iterator<Item = &'a CloudResource> {
        keys.into_iter().flatten().filter_map(|k| self.map.get(k))
    }

    /// The resource at `key`.
    pub fn get(&self, key: &str) -> Option<&CloudResource> {
        self.map.get(key)
    }

    /// Put `r` at `key`, replacing what was there.
    pub fn insert(&mut self, key: String, r: CloudResource) {
        if let Some(old) = self.map.remove(&key) {
            self.unindex(&key, &old);
        }
        self.index(&key, &r);
        self.dirty.insert(key.clone());
        self.map.insert(key, r);
    }

    /// Remove the resource at `key`.
    pub fn remove(&mut self, key: &str) -> Option<CloudResource> {
        let old = self.map.remove(key)?;
        self.unindex(key, &old);
        self.dirty.insert(key.to_owned());
        Some(old)
    }

    /// Change the resource at `key` in place (its index entries follow). False when absent.
    pub fn modify(&mut self, key: &str, change: impl FnOnce(&mut CloudResource)) -> bool {
        let Some(mut r) = self.remove(key) else {
            return false;
        };
        change(&mut r);
        self.insert(key.to_owned(), r);
        true
    }

    /// Every resource, in key order (account, region, type, id).
    pub fn values(&self) -> impl Iterator<Item = &CloudResource> {
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
    ) -> Option<&CloudResource> {
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
    ) -> Option<&CloudResource> {
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
    ) -> impl Iterator<Item = &'a CloudResource> {
        self.all(self.by_id.get(&(type_name.to_owned(), id.to_owned())))
    }

    /// Resources of `type_name` in `account` (every region).
    pub fn of_account<'a>(
        &'a self,
        account: &str,
        type_name: &str,
    ) -> impl Iterator<Item = &'a CloudResource> {
        self.all(
            self.by_account_type
                .get(&(account.to_owned(), type_name.to_owned())),
        )
    }

    /// Resources of `type_name` in every account.
    pub fn of_type<'a>(&'a self, type_name: &str) -> impl Iterator<Item = &'a CloudResource> {
        self.all(self.by_type.get(type_name))
    }

    /// The keys changed since the last call, each with its value now (`None`: removed).
    pub fn take_dirty(&mut self) -> BTreeMap<String, Option<CloudResource>> {
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
    pub fn replay(&mut self, key: String, value: Option<CloudResource>) {
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
        let map = BTreeMap::<String, CloudResource>::deserialize(deserializer)?;
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

    fn resource(account: &str, type_name: &str, id: &str, name: Option<&str>) -> CloudResource {
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
