//! Narrow per-service client traits: only the SDK calls the providers make, in plain
//! Landform types, so providers can be tested against mocks (`mockall::automock` in unit
//! tests) and the SDK stays behind this seam. Each trait has one SDK-backed implementation
//! (`Sdk*`), made per session by [`crate::ClientSource`].

mod budgets;
mod cloudcontrol;
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

#[cfg(test)]
pub(crate) use dynamodb::MockDynamoDbApi;
pub use dynamodb::{DynamoDbApi, SdkDynamoDb, TableDescription, TableSpec, TableSse};
pub use iam::{IamApi, OidcProviderInfo, RoleInfo, RoleSpec, SdkIam};
// The account password policy calls of the account family (provider/account.rs).
pub use iam::AccountPasswordPolicy;
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use iam::MockIamApi;
pub use organizations::{
    AccountInfo, CreateAccountState, CreateAccountStatus, OrganizationalUnitInfo, OrganizationsApi,
    PolicyInfo, SdkOrganizations,
};
pub use s3::{BucketEncryption, BucketLogging, PublicAccessBlock, S3Api, SdkS3};

#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use budgets::MockBudgetsApi;
pub use budgets::{BudgetSpec, BudgetsApi, NotificationSpec, SdkBudgets, SubscriberSpec};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use cloudcontrol::MockCloudControlApi;
pub use cloudcontrol::{
    handler_code, CloudControlApi, ProgressEvent, RequestStatus, SdkCloudControl,
};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use cloudtrail::MockCloudTrailApi;
pub use cloudtrail::{CloudTrailApi, SdkCloudTrail, TrailInfo, TrailSpec};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use config::MockConfigApi;
pub use config::{
    AccountSourceSpec, AggregatorInfo, AggregatorSpec, ConfigApi, ConfigRuleInfo, ConfigRuleSpec,
    DeliveryChannelSpec, OrganizationSourceSpec, RecorderSpec, ScopeSpec, SdkConfigService,
    SourceDetailSpec,
};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use ec2::MockEc2Api;
pub use ec2::{
    Ec2Api, Filter, FlowLogInfo, FlowLogSpec, NetworkAclInfo, RouteInfo, RouteTableAssociationInfo,
    RouteTableInfo, RouteTableLink, RouteTarget, SdkEc2, SubnetInfo, SubnetSpec,
    TransitGatewayInfo, TransitGatewayOptions, TransitGatewayRouteInfo,
    TransitGatewayRouteTableInfo, VpcAttachmentInfo, VpcAttachmentOptions, VpcAttribute, VpcInfo,
};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use events::MockEventsApi;
pub use events::{EventBusInfo, EventsApi, RuleSpec, RuleTarget, SdkEvents};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use guardduty::MockGuardDutyApi;
pub use guardduty::{DetectorInfo, GuardDutyApi, SdkGuardDuty};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use kms::MockKmsApi;
pub use kms::{AliasInfo, KeyInfo, KeyRequest, KmsApi, SdkKms};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use lambda::MockLambdaApi;
pub use lambda::{FunctionInfo, FunctionSpec, LambdaApi, SdkLambda};
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use logs::MockLogsApi;
pub use logs::{LogGroupInfo, LogsApi, SdkLogs};
#[cfg(test)]
pub(crate) use organizations::MockOrganizationsApi;
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use ram::MockRamApi;
pub use ram::{RamApi, ResourceShareInfo, ResourceShareSpec, SdkRam, ShareAssociation};
#[cfg(test)]
pub(crate) use s3::MockS3Api;
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use s3control::MockS3ControlApi;
pub use s3control::{S3ControlApi, SdkS3Control};

#[cfg(test)]
pub(crate) use cloudformation::MockCloudFormationApi;
pub use cloudformation::{
    CallAs, ChangeSetDescription, ChangeSetSpec, ChangeSetType, CloudFormationApi, DriftDetection,
    OperationPreferences, PropertyDrift, ResourceChangeSummary, ResourceDrift, SdkCloudFormation,
    StackDescription, StackEvent, StackEventPage, StackInstanceInfo, StackInstancesRequest,
    StackSetDescription, StackSetOperationInfo, StackSetSpec, TemplateSource,
};

/// A tag as AWS takes it: key and value.
pub type Tag = (String, String);
