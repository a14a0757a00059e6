//! Resources in the CloudFormation shape: type name, properties, DependsOn, policies.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::object::{Key, Map};
use crate::tree::NodeId;
use crate::value::{Attribute, Reference, Token, Value};

/// What CloudFormation does with a resource's physical object when the resource leaves the
/// stack (`DeletionPolicy`) or is replaced (`UpdateReplacePolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RemovalPolicy {
    /// Delete the physical resource.
    Delete,
    /// Keep the physical resource; only forget it.
    Retain,
    /// Take a snapshot, then delete (only for types that support it).
    Snapshot,
}

/// A resource: its CloudFormation type, properties and options.
///
/// ```
/// use landform_core::{Resource, RemovalPolicy};
/// let bucket = Resource::new("AWS::S3::Bucket")
///     .property("BucketName", "my-state")
///     .removal_policy(RemovalPolicy::Retain);
/// assert_eq!(bucket.type_name(), "AWS::S3::Bucket");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    type_name: Key,
    properties: Map,
    /// Options few resources set, boxed so the many that set none stay small.
    options: Option<Box<ResourceOptions>>,
}

/// The rarely set parts of a resource.
#[derive(Debug, Clone, PartialEq, Default)]
struct ResourceOptions {
    depends_on: Vec<NodeId>,
    deletion_policy: Option<RemovalPolicy>,
    update_replace_policy: Option<RemovalPolicy>,
    /// Shared: a construct repeated per account attaches the same metadata (checkov
    /// suppressions) to every copy, and the tree keeps one of each (see [`Resource::share_metadata`]).
    metadata: Option<Arc<Metadata>>,
}

/// Template metadata of a resource.
pub(crate) type Metadata = BTreeMap<String, serde_json::Value>;

/// How many distinct metadata maps the tree keeps for sharing; past that, new ones are kept
/// as they are (an app has a handful, one per kind of suppressed resource).
pub(crate) const SHARED_METADATA_LIMIT: usize = 64;

/// Shared empty metadata for resources without options.
static NO_METADATA: BTreeMap<String, serde_json::Value> = BTreeMap::new();

impl Resource {
    /// A resource of a CloudFormation type (`AWS::S3::Bucket`). A type written as a literal
    /// is kept without a copy.
    pub fn new(type_name: impl Into<Key>) -> Self {
        Resource {
            type_name: type_name.into(),
            properties: Map::new(),
            options: None,
        }
    }

    fn options_mut(&mut self) -> &mut ResourceOptions {
        self.options.get_or_insert_with(Box::default)
    }

    /// Give back the spare capacity of the properties (done when the resource enters the
    /// tree, which is where it usually stops growing).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.properties.shrink_to_fit();
    }

    /// Set a property. A `Value::Null` property is left out of the template.
    pub fn property(mut self, name: impl Into<Key>, value: impl Into<Value>) -> Self {
        self.set_property(name, value);
        self
    }

    /// Set a property in place.
    pub fn set_property(&mut self, name: impl Into<Key>, value: impl Into<Value>) {
        self.properties.insert(name, value.into());
    }

    /// Depend on another resource explicitly (DependsOn in the same stack, a stack
    /// dependency across stacks).
    pub fn depends_on(mut self, node: NodeId) -> Self {
        let depends_on = &mut self.options_mut().depends_on;
        if !depends_on.contains(&node) {
            depends_on.push(node);
        }
        self
    }

    /// Set both `DeletionPolicy` and `UpdateReplacePolicy`.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        let options = self.options_mut();
        options.deletion_policy = Some(policy);
        options.update_replace_policy = Some(policy);
        self
    }

    /// Set `DeletionPolicy` only.
    pub fn deletion_policy(mut self, policy: RemovalPolicy) -> Self {
        self.options_mut().deletion_policy = Some(policy);
        self
    }

    /// Add template metadata (for example a checkov or cfn-lint suppression with its reason).
    pub fn metadata(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        let metadata = self.options_mut().metadata.get_or_insert_with(Arc::default);
        Arc::make_mut(metadata).insert(key.into(), value);
        self
    }

    /// Replace the metadata by an equal one from `pool` (or add it to the pool), so that
    /// thousands of resources with the same suppressions hold one copy.
    pub(crate) fn share_metadata(&mut self, pool: &mut Vec<Arc<Metadata>>) {
        let Some(metadata) = self.options.as_mut().and_then(|o| o.metadata.as_mut()) else {
            return;
        };
        if let Some(shared) = pool.iter().find(|m| ***m == **metadata) {
            *metadata = Arc::clone(shared);
        } else if pool.len() < SHARED_METADATA_LIMIT {
            pool.push(Arc::clone(metadata));
        }
    }

    /// The CloudFormation type name.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// The CloudFormation type as kept (a `'static` name costs nothing to copy).
    pub(crate) fn type_key(&self) -> &Key {
        &self.type_name
    }
    /// The properties, sorted by name.
    pub fn properties(&self) -> &Map {
        &self.properties
    }
    /// Mutable properties (for aspects).
    pub fn properties_mut(&mut self) -> &mut Map {
        &mut self.properties
    }
    /// Explicit dependencies.
    pub fn dependencies(&self) -> &[NodeId] {
        self.options.as_ref().map_or(&[], |o| &o.depends_on)
    }
    /// `DeletionPolicy`, if set.
    pub fn deletion(&self) -> Option<RemovalPolicy> {
        self.options.as_ref().and_then(|o| o.deletion_policy)
    }
    /// `UpdateReplacePolicy`, if set.
    pub fn update_replace(&self) -> Option<RemovalPolicy> {
        self.options.as_ref().and_then(|o| o.update_replace_policy)
    }
    /// Template metadata.
    pub fn metadata_entries(&self) -> &BTreeMap<String, serde_json::Value> {
        self.options
            .as_ref()
            .and_then(|o| o.metadata.as_deref())
            .unwrap_or(&NO_METADATA)
    }
}

/// A handle to a resource added to the tree: the source of references to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceHandle {
    node: NodeId,
}

impl ResourceHandle {
    pub(crate) fn new(node: NodeId) -> Self {
        ResourceHandle { node }
    }
    /// The resource's node.
    pub fn node(self) -> NodeId {
        self.node
    }
    /// `Ref` of the resource.
    pub fn ref_value(self) -> Value {
        Value::Ref(Reference {
            target: self.node,
            attribute: Attribute::Ref,
        })
    }
    /// `Fn::GetAtt` of the resource.
    pub fn get_att(self, attribute: &str) -> Value {
        Value::Ref(Reference {
            target: self.node,
            attribute: Attribute::GetAtt(Arc::from(attribute)),
        })
    }
    /// A typed `Ref`.
    pub fn ref_token<T>(self) -> Token<T> {
        Token::reference(self.node, Attribute::Ref)
    }
    /// A typed `Fn::GetAtt`.
    pub fn att_token<T>(self, attribute: &str) -> Token<T> {
        Token::reference(self.node, Attribute::GetAtt(Arc::from(attribute)))
    }
}
