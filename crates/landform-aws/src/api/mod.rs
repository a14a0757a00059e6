//! Narrow per-service client traits: only the SDK calls the providers make, in plain
//! Landform types, so providers can be tested against mocks (`mockall::automock` in unit
//! tests) and the SDK stays behind this seam. Each trait has one SDK-backed implementation
//! (`Sdk*`), made per session by [`crate::ClientSource`].

mod dynamodb;
mod iam;
mod organizations;
mod s3;

pub use dynamodb::{DynamoDbApi, SdkDynamoDb, TableDescription, TableSpec};
pub use iam::{IamApi, OidcProviderInfo, RoleInfo, RoleSpec, SdkIam};
pub use organizations::{
    AccountInfo, CreateAccountState, CreateAccountStatus, OrganizationalUnitInfo, OrganizationsApi,
    PolicyInfo, SdkOrganizations,
};
pub use s3::{BucketEncryption, PublicAccessBlock, S3Api, SdkS3};

#[cfg(test)]
pub(crate) use organizations::MockOrganizationsApi;
#[cfg(test)]
pub(crate) use s3::MockS3Api;

/// A tag as AWS takes it: key and value.
pub type Tag = (String, String);
