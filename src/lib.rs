//! Landform: typed building blocks for multi-account AWS landing zones.
//!
//! This facade re-exports the workspace's crates.
#![doc = include_str!("../README.md")]
/// The AWS provider over the AWS SDK (feature `aws`).
#[cfg(feature = "aws")]
pub use landform_aws as aws;
pub use landform_cfn as cfn;
pub use landform_cli as cli;
pub use landform_constructs as constructs;
pub use landform_core as core;
pub use landform_deploy as deploy;
