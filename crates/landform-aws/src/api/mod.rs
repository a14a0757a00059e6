//! Narrow per-service client traits: only the SDK calls the providers make, in plain
//! Landform types, so providers can be tested against mocks (`mockall::automock` in unit
//! tests) and the SDK stays behind this seam. Each trait has one SDK-backed implementation
//! (`Sdk*`), made per session by [`crate::ClientSource`].

mod budgets;
mod cloudformation;
mod cloudtrail;
mod config;
mod dynamodb;
mod ec2;
mod events;
mod guardduty;
mod iam;
mod kms;
mod lambda;
mod logs;
mod organizations;
mod ram;
mod s3;
mod s3control;

pub use dynamodb::{DynamoDbApi, SdkDynamoDb, TableDescription, TableSpec};
pub use iam::{IamApi, OidcProviderInfo, RoleInfo, RoleSpec, SdkIam};
pub use organizations::{
    AccountInfo, CreateAccountState, CreateAccountStatus, OrganizationalUnitInfo, OrganizationsApi,
    PolicyInfo, SdkOrganizations,
};
pub use s3::{BucketEncryption, PublicAccessBlock, S3Api, SdkS3};

#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use budgets::MockBudgetsApi;
pub use budgets::{BudgetsApi, SdkBudgets};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use cloudtrail::MockCloudTrailApi;
pub use cloudtrail::{CloudTrailApi, SdkCloudTrail};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use config::MockConfigApi;
pub use config::{ConfigApi, SdkConfigService};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use ec2::MockEc2Api;
pub use ec2::{Ec2Api, SdkEc2};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use events::MockEventsApi;
pub use events::{EventsApi, SdkEvents};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use guardduty::MockGuardDutyApi;
pub use guardduty::{GuardDutyApi, SdkGuardDuty};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use kms::MockKmsApi;
pub use kms::{KmsApi, SdkKms};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use lambda::MockLambdaApi;
pub use lambda::{LambdaApi, SdkLambda};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use logs::MockLogsApi;
pub use logs::{LogsApi, SdkLogs};
#[cfg(test)]
pub(crate) use organizations::MockOrganizationsApi;
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use ram::MockRamApi;
pub use ram::{RamApi, SdkRam};
#[cfg(test)]
pub(crate) use s3::MockS3Api;
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use s3control::MockS3ControlApi;
pub use s3control::{S3ControlApi, SdkS3Control};

#[cfg(test)]
pub(crate) use cloudformation::MockCloudFormationApi;
pub use cloudformation::{
    CallAs, ChangeSetDescription, ChangeSetSpec, ChangeSetType, CloudFormationApi,
    OperationPreferences, ResourceChangeSummary, SdkCloudFormation, StackDescription, StackEvent,
    StackEventPage, StackInstanceInfo, StackInstancesRequest, StackSetDescription,
    StackSetOperationInfo, StackSetSpec, TemplateSource,
};

/// A tag as AWS takes it: key and value.
pub type Tag = (String, String);
