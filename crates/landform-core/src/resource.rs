//! Resources in the CloudFormation shape: type name, properties, DependsOn, policies.

use std::collections::BTreeMap;

use serde::Serialize;

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
    type_name: String,
    properties: BTreeMap<String, Value>,
    depends_on: Vec<NodeId>,
    deletion_policy: Option<RemovalPolicy>,
    update_replace_policy: Option<RemovalPolicy>,
    metadata: BTreeMap<String, serde_json::Value>,
}

impl Resource {
    /// A resource of a CloudFormation type (`AWS::S3::Bucket`).
    pub fn new(type_name: impl Into<String>) -> Self {
        Resource {
            type_name: type_name.into(),
            properties: BTreeMap::new(),
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            metadata: BTreeMap::new(),
        }
    }

    /// Set a property. A `Value::Null` property is left out of the template.
    pub fn property(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.set_property(name, value);
        self
    }

    /// Set a property in place.
    pub fn set_property(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.properties.insert(name.into(), value.into());
    }

    /// Depend on another resource explicitly (DependsOn in the same stack, a stack
    /// dependency across stacks).
    pub fn depends_on(mut self, node: NodeId) -> Self {
        if !self.depends_on.contains(&node) {
            self.depends_on.push(node);
        }
        self
    }

    /// Set both `DeletionPolicy` and `UpdateReplacePolicy`.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.deletion_policy = Some(policy);
        self.update_replace_policy = Some(policy);
        self
    }

    /// Set `DeletionPolicy` only.
    pub fn deletion_policy(mut self, policy: RemovalPolicy) -> Self {
        self.deletion_policy = Some(policy);
        self
    }

    /// Add template metadata (for example a checkov or cfn-lint suppression with its reason).
    pub fn metadata(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.metadata.insert(key.into(), value);
        self
    }

    /// The CloudFormation type name.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }
    /// The properties, sorted by name.
    pub fn properties(&self) -> &BTreeMap<String, Value> {
        &self.properties
    }
    /// Mutable properties (for aspects).
    pub fn properties_mut(&mut self) -> &mut BTreeMap<String, Value> {
        &mut self.properties
    }
    /// Explicit dependencies.
    pub fn dependencies(&self) -> &[NodeId] {
        &self.depends_on
    }
    /// `DeletionPolicy`, if set.
    pub fn deletion(&self) -> Option<RemovalPolicy> {
        self.deletion_policy
    }
    /// `UpdateReplacePolicy`, if set.
    pub fn update_replace(&self) -> Option<RemovalPolicy> {
        self.update_replace_policy
    }
    /// Template metadata.
    pub fn metadata_entries(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.metadata
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
            attribute: Attribute::GetAtt(attribute.to_owned()),
        })
    }
    /// A typed `Ref`.
    pub fn ref_token<T>(self) -> Token<T> {
        Token::reference(self.node, Attribute::Ref)
    }
    /// A typed `Fn::GetAtt`.
    pub fn att_token<T>(self, attribute: &str) -> Token<T> {
        Token::reference(self.node, Attribute::GetAtt(attribute.to_owned()))
    }
}
