//! Landform core: the construct tree, typed references, the stack graph, validation and
//! CloudFormation synthesis. Knows nothing of deploying.
#![warn(missing_docs)]

pub mod cidr;
pub mod error;
mod fast_hash;
pub mod graph;
pub mod iam;
pub mod identifiers;
pub mod issue;
pub mod limits;
pub mod logical_id;
mod naming;
pub mod object;
mod path;
pub mod policy;
pub mod quotas;
pub mod regions;
pub mod resource;
pub mod schema;
mod share;
pub mod stack_set;
pub mod synth;
pub mod tree;
pub mod value;

pub use error::CoreError;
pub use issue::{Issue, Issues};
pub use naming::{name_property, reserved_owner};
pub use object::{Key, Map};
pub use resource::{RemovalPolicy, Resource, ResourceHandle};
pub use synth::{Assembly, StackArtifact};
pub use tree::{App, Environment, NodeId, NodeKind, Path, Scope, StackProps, Tree};
pub use value::{kinds, text, Attribute, Join, Pseudo, Reference, SubPart, Token, Value};
