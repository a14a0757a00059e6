//! Landform's AWS provider: the deploy engine's [`landform_deploy::Provider`],
//! [`landform_deploy::StateStore`] and [`landform_deploy::Lock`] over the AWS SDK for Rust.
//!
//! - [`AwsConfig`] / [`AwsSessions`]: credentials from aws-config's default chain, an
//!   endpoint override (moto, LocalStack), and per-account sessions through STS AssumeRole,
//!   cached until near expiry.
//! - [`S3StateStore`] and [`DynamoDbLock`]: the Terraform-style state backend.
//! - [`AwsProvider`]: create/read/update/delete/find for S3 buckets and bucket policies,
//!   DynamoDB tables, IAM roles and OIDC providers, and Organizations units, policies and
//!   accounts, through narrow per-service client traits ([`api`]).
//!
//! This is the only crate of the workspace that depends on the AWS SDK, and no SDK type
//! appears in its public signatures: failures are [`landform_deploy::ProviderError`]s (with
//! the AWS error code and request id) or [`AwsError`]s.
#![warn(missing_docs)]

pub mod api;
pub mod cloudformation;
mod config;
mod error;
mod lock;
pub mod policy;
pub mod provider;
mod sessions;
mod state;

pub use cloudformation::{CloudFormationDeployer, CloudFormationError, StackSetTarget};
pub use config::{AwsConfig, DEFAULT_ASSUME_ROLE_NAME};
pub use error::AwsError;
pub use lock::{DynamoDbLock, S3Lock};
pub use provider::{permissions, types, AwsProvider, ClientSource};
pub use sessions::{AwsSessions, SystemWallClock, WallClock};
pub use state::S3StateStore;
