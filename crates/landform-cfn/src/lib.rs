//! Typed L1 builders of every CloudFormation resource type, generated from the registry
//! schemas that landform-core vendors (by `cargo run -p landform-cfn-gen`).
//!
//! One module a service, behind the cargo feature of the same name (`sns`, `s3`, `ec2`...),
//! so a build compiles only the services it uses. In it, one struct a resource type with its
//! settable properties as `Option` fields and a setter each; the property types and
//! enumerations of `sns::Topic` are in `sns::topic`. A struct converts into a
//! [`Resource`](landform_core::Resource), which keeps `DependsOn`, removal policies and
//! metadata, and which is also the escape hatch for a property the vendored schema does not
//! have yet.
//!
//! ```
//! # #[cfg(feature = "sns")] {
//! use landform_cfn::sns;
//! use landform_core::{Resource, Value};
//!
//! let typed = Resource::from(
//!     sns::Topic::default()
//!         .topic_name("alerts")
//!         .kms_master_key_id("alias/alerts"),
//! );
//! let raw = Resource::new("AWS::SNS::Topic")
//!     .property("KmsMasterKeyId", "alias/alerts")
//!     .property("TopicName", "alerts");
//! assert_eq!(typed, raw);
//! # }
//! ```
#![warn(missing_docs)]

#[doc(hidden)]
pub mod runtime;
mod services;

#[doc(no_inline)]
pub use landform_core::Value;
pub use runtime::{Boolean, Integer, Number, Tag, Text, ToCfn};
#[allow(unused_imports)] // with no service feature on, there is nothing to re-export
pub use services::*;
