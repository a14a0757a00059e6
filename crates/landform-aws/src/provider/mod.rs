//! The engine's [`Provider`] for AWS: one generic create/read/update/delete/find handler per
//! CloudFormation type, over the narrow client traits of [`crate::api`].

mod account;
mod budgets;
mod cloudcontrol;
mod cloudtrail;
mod config;
mod dynamodb;
mod ec2;
mod events;
mod guardduty;
mod iam;
mod kms;
mod lambda;
mod organizations;
mod ram;
mod s3;

use std::sync::Arc;

use async_trait::async_trait;
use landform_deploy::{
    Clock, CreateRequest, ErrorCode, Provider, ProviderError, ProviderRegistry, RateLimits,
    ResourceState, RetryPolicy, Session, UpdateRequest,
};
use serde_json::Value as Json;

pub use cloudcontrol::{client_token, json_patch, manages, CloudControlProvider, REQUEST_PREFIX};
pub use organizations::CreateAccountFailure;

use crate::api::{
    BudgetsApi, CloudControlApi, CloudTrailApi, ConfigApi, DynamoDbApi, Ec2Api, EventsApi,
    GuardDutyApi, IamApi, KmsApi, LambdaApi, LogsApi, OrganizationsApi, RamApi, S3Api,
    S3ControlApi, SdkBudgets, SdkCloudControl, SdkCloudTrail, SdkConfigService, SdkDynamoDb,
    SdkEc2, SdkEvents, SdkGuardDuty, SdkIam, SdkKms, SdkLambda, SdkLogs, SdkOrganizations, SdkRam,
    SdkS3, SdkS3Control, Tag,
};
use crate::sessions::AwsSessions;

/// Hands out the service clients of a session. [`AwsSessions`] builds SDK clients with the
/// session's credentials; tests hand out mocks.
#[async_trait]
pub trait ClientSource: Send + Sync {
    /// S3 in the session's account and region.
    async fn s3(&self, session: &Session) -> Result<Arc<dyn S3Api>, ProviderError>;
    /// DynamoDB in the session's account and region.
    async fn dynamodb(&self, session: &Session) -> Result<Arc<dyn DynamoDbApi>, ProviderError>;
    /// IAM in the session's account.
    async fn iam(&self, session: &Session) -> Result<Arc<dyn IamApi>, ProviderError>;
    /// Organizations, called from the session's account (the management account).
    async fn organizations(
        &self,
        session: &Session,
    ) -> Result<Arc<dyn OrganizationsApi>, ProviderError>;
    /// EC2 in the session's account and region.
    async fn ec2(&self, _session: &Session) -> Result<Arc<dyn Ec2Api>, ProviderError> {
        Err(no_client("ec2"))
    }
    /// RAM in the session's account and region.
    async fn ram(&self, _session: &Session) -> Result<Arc<dyn RamApi>, ProviderError> {
        Err(no_client("ram"))
    }
    /// GuardDuty in the session's account and region.
    async fn guardduty(&self, _session: &Session) -> Result<Arc<dyn GuardDutyApi>, ProviderError> {
        Err(no_client("guardduty"))
    }
    /// AWS Config in the session's account and region.
    async fn config(&self, _session: &Session) -> Result<Arc<dyn ConfigApi>, ProviderError> {
        Err(no_client("config"))
    }
    /// CloudTrail in the session's account and region.
    async fn cloudtrail(
        &self,
        _session: &Session,
    ) -> Result<Arc<dyn CloudTrailApi>, ProviderError> {
        Err(no_client("cloudtrail"))
    }
    /// AWS Budgets (a global service) from the session's account.
    async fn budgets(&self, _session: &Session) -> Result<Arc<dyn BudgetsApi>, ProviderError> {
        Err(no_client("budgets"))
    }
    /// KMS in the session's account and region.
    async fn kms(&self, _session: &Session) -> Result<Arc<dyn KmsApi>, ProviderError> {
        Err(no_client("kms"))
    }
    /// EventBridge in the session's account and region.
    async fn events(&self, _session: &Session) -> Result<Arc<dyn EventsApi>, ProviderError> {
        Err(no_client("events"))
    }
    /// Lambda in the session's account and region.
    async fn lambda(&self, _session: &Session) -> Result<Arc<dyn LambdaApi>, ProviderError> {
        Err(no_client("lambda"))
    }
    /// CloudWatch Logs in the session's account and region.
    async fn logs(&self, _session: &Session) -> Result<Arc<dyn LogsApi>, ProviderError> {
        Err(no_client("logs"))
    }
    /// S3 Control in the session's account.
    async fn s3control(&self, _session: &Session) -> Result<Arc<dyn S3ControlApi>, ProviderError> {
        Err(no_client("s3control"))
    }
    /// The Cloud Control API in the session's account and region (the generic handler's).
    async fn cloudcontrol(
        &self,
        _session: &Session,
    ) -> Result<Arc<dyn CloudControlApi>, ProviderError> {
        Err(no_client("cloudcontrol"))
    }
}

fn no_client(service: &str) -> ProviderError {
    ProviderError::new(
        ErrorCode::InvalidRequest,
        format!("this client source has no {service} client"),
    )
}

impl AwsSessions {
    async fn provider_config(
        &self,
        session: &Session,
    ) -> Result<aws_config::SdkConfig, ProviderError> {
        self.sdk_config(&session.account_id, &session.region)
            .await
            .map_err(|e| match e {
                crate::AwsError::Call { source, .. } => *source,
                other => ProviderError::new(ErrorCode::AccessDenied, other.to_string()),
            })
    }
}

#[async_trait]
impl ClientSource for AwsSessions {
    async fn s3(&self, session: &Session) -> Result<Arc<dyn S3Api>, ProviderError> {
        let config = self.provider_config(session).await?;
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(self.endpoint_override())
            .build();
        Ok(Arc::new(SdkS3(aws_sdk_s3::Client::from_conf(s3))))
    }
    async fn dynamodb(&self, session: &Session) -> Result<Arc<dyn DynamoDbApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkDynamoDb(aws_sdk_dynamodb::Client::new(
            &config,
        ))))
    }
    async fn iam(&self, session: &Session) -> Result<Arc<dyn IamApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkIam(aws_sdk_iam::Client::new(&config))))
    }
    async fn organizations(
        &self,
        session: &Session,
    ) -> Result<Arc<dyn OrganizationsApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkOrganizations(
            aws_sdk_organizations::Client::new(&config),
        )))
    }
    async fn ec2(&self, session: &Session) -> Result<Arc<dyn Ec2Api>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkEc2(aws_sdk_ec2::Client::new(&config))))
    }
    async fn ram(&self, session: &Session) -> Result<Arc<dyn RamApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkRam(aws_sdk_ram::Client::new(&config))))
    }
    async fn guardduty(&self, session: &Session) -> Result<Arc<dyn GuardDutyApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkGuardDuty(aws_sdk_guardduty::Client::new(
            &config,
        ))))
    }
    async fn config(&self, session: &Session) -> Result<Arc<dyn ConfigApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkConfigService(aws_sdk_config::Client::new(
            &config,
        ))))
    }
    async fn cloudtrail(&self, session: &Session) -> Result<Arc<dyn CloudTrailApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkCloudTrail(aws_sdk_cloudtrail::Client::new(
            &config,
        ))))
    }
    async fn budgets(&self, session: &Session) -> Result<Arc<dyn BudgetsApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkBudgets(aws_sdk_budgets::Client::new(&config))))
    }
    async fn kms(&self, session: &Session) -> Result<Arc<dyn KmsApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkKms(aws_sdk_kms::Client::new(&config))))
    }
    async fn events(&self, session: &Session) -> Result<Arc<dyn EventsApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkEvents(aws_sdk_eventbridge::Client::new(
            &config,
        ))))
    }
    async fn lambda(&self, session: &Session) -> Result<Arc<dyn LambdaApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkLambda(aws_sdk_lambda::Client::new(&config))))
    }
    async fn logs(&self, session: &Session) -> Result<Arc<dyn LogsApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkLogs(aws_sdk_cloudwatchlogs::Client::new(
            &config,
        ))))
    }
    async fn s3control(&self, session: &Session) -> Result<Arc<dyn S3ControlApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        // Without the account id host prefix under an endpoint override (moto, LocalStack).
        Ok(Arc::new(SdkS3Control::from_config(&config)))
    }
    async fn cloudcontrol(
        &self,
        session: &Session,
    ) -> Result<Arc<dyn CloudControlApi>, ProviderError> {
        let config = self.provider_config(session).await?;
        Ok(Arc::new(SdkCloudControl(
            aws_sdk_cloudcontrol::Client::new(&config),
        )))
    }
}

/// The handlers of one service's CloudFormation types. Each module of this one implements it
/// for its types; [`AwsProvider`] routes every type it does not handle itself to the family
/// listing it in [`Family::types`].
#[async_trait]
pub(crate) trait Family: Send + Sync {
    /// The CloudFormation types handled.
    fn types(&self) -> &'static [&'static str];
    /// The properties whose change replaces the resource, beyond the type's
    /// `createOnlyProperties` in its registry schema (which the engine adds itself).
    fn replacement_properties(&self, _type_name: &str) -> &'static [&'static str] {
        &[]
    }
    /// The IAM actions the handlers of `type_name` call (for the least-privilege policy).
    fn permissions(&self, type_name: &str) -> &'static [&'static str];
    /// Create.
    async fn create(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError>;
    /// Read by physical id.
    async fn read(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError>;
    /// Update in place.
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError>;
    /// Delete; NotFound when already gone.
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<(), ProviderError>;
    /// Find what an interrupted create may have made (by name, tag or unique property), so a
    /// retry adopts it instead of making a second one.
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError>;
}

const FAMILIES: &[&dyn Family] = &[
    &ec2::Ec2,
    &ram::Ram,
    &guardduty::GuardDuty,
    &config::Config,
    &cloudtrail::CloudTrail,
    &budgets::Budgets,
    &kms::Kms,
    &events::Events,
    &lambda::Lambda,
    &account::Account,
];

fn family(type_name: &str) -> Option<&'static dyn Family> {
    FAMILIES
        .iter()
        .copied()
        .find(|f| f.types().contains(&type_name))
}

/// The CloudFormation types [`AwsProvider`] handles.
pub fn types() -> Vec<&'static str> {
    let mut all = BASE_TYPES.to_vec();
    for f in FAMILIES {
        all.extend_from_slice(f.types());
    }
    all
}

/// The Cloud Control API calls of the generic handler (IAM names them under
/// `cloudformation:`).
pub(crate) const CLOUD_CONTROL_PERMISSIONS: &[&str] = &[
    "cloudformation:CreateResource",
    "cloudformation:GetResource",
    "cloudformation:UpdateResource",
    "cloudformation:DeleteResource",
    "cloudformation:GetResourceRequestStatus",
];

/// The IAM actions [`AwsProvider`] calls for `type_name` (empty for a type it does not
/// handle), for generating the caller's least-privilege policy. A type the generic Cloud
/// Control handler serves lists the Cloud Control calls.
pub fn permissions(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "AWS::S3::Bucket" => &[
            "s3:CreateBucket",
            "s3:DeleteBucket",
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "s3:GetBucketTagging",
            "s3:PutBucketTagging",
            "s3:GetBucketVersioning",
            "s3:PutBucketVersioning",
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
            "s3:GetBucketOwnershipControls",
            "s3:PutBucketOwnershipControls",
            "s3:GetBucketLogging",
            "s3:PutBucketLogging",
        ],
        "AWS::S3::BucketPolicy" => &[
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
        ],
        "AWS::DynamoDB::Table" => &[
            "dynamodb:CreateTable",
            "dynamodb:DescribeTable",
            "dynamodb:DeleteTable",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:TagResource",
            "dynamodb:UpdateTable",
            "dynamodb:GetResourcePolicy",
            "dynamodb:PutResourcePolicy",
            "dynamodb:DeleteResourcePolicy",
            // A customer managed key in SSESpecification: DynamoDB checks and grants it on
            // the caller's behalf.
            "kms:DescribeKey",
            "kms:CreateGrant",
        ],
        "AWS::IAM::Role" => &[
            "iam:CreateRole",
            "iam:GetRole",
            "iam:UpdateRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:DeleteRole",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:PutRolePermissionsBoundary",
            "iam:DeleteRolePermissionsBoundary",
            "iam:ListAttachedRolePolicies",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:ListRolePolicies",
            "iam:GetRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:PassRole",
        ],
        "AWS::IAM::OIDCProvider" => &[
            "iam:CreateOpenIDConnectProvider",
            "iam:GetOpenIDConnectProvider",
            "iam:ListOpenIDConnectProviders",
            "iam:UpdateOpenIDConnectProviderThumbprint",
            "iam:AddClientIDToOpenIDConnectProvider",
            "iam:RemoveClientIDFromOpenIDConnectProvider",
            "iam:DeleteOpenIDConnectProvider",
            "iam:TagOpenIDConnectProvider",
        ],
        "AWS::Organizations::OrganizationalUnit" => &[
            "organizations:CreateOrganizationalUnit",
            "organizations:DescribeOrganizationalUnit",
            "organizations:UpdateOrganizationalUnit",
            "organizations:DeleteOrganizationalUnit",
            "organizations:ListOrganizationalUnitsForParent",
            "organizations:ListParents",
            "organizations:TagResource",
            "organizations:UntagResource",
            "organizations:ListTagsForResource",
        ],
        "AWS::Organizations::Policy" => &[
            "organizations:CreatePolicy",
            "organizations:DescribePolicy",
            "organizations:UpdatePolicy",
            "organizations:DeletePolicy",
            "organizations:ListPolicies",
            "organizations:ListTargetsForPolicy",
            "organizations:AttachPolicy",
            "organizations:DetachPolicy",
        ],
        "AWS::Organizations::Account" => &[
            "organizations:CreateAccount",
            "organizations:DescribeCreateAccountStatus",
            "organizations:DescribeAccount",
            "organizations:ListAccounts",
            "organizations:ListParents",
            "organizations:MoveAccount",
            "organizations:CloseAccount",
            "organizations:TagResource",
            "organizations:UntagResource",
            "organizations:ListTagsForResource",
        ],
        other => match family(other) {
            Some(f) => f.permissions(other),
            // The generic handler's calls; what the type's own handlers call in the
            // account is Cloud Control's to need (its schema's handler permissions).
            None if manages(other) => CLOUD_CONTROL_PERMISSIONS,
            None => &[],
        },
    }
}

const BASE_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::DynamoDB::Table",
    "AWS::IAM::Role",
    "AWS::IAM::OIDCProvider",
    "AWS::Organizations::OrganizationalUnit",
    "AWS::Organizations::Policy",
    "AWS::Organizations::Account",
];

/// The AWS provider: S3 buckets and bucket policies, DynamoDB tables, IAM roles and OIDC
/// providers, Organizations units, policies and accounts.
///
/// ```no_run
/// use std::sync::Arc;
/// use landform_aws::{AwsConfig, AwsProvider, AwsSessions};
/// # async fn f() {
/// let sessions = Arc::new(AwsSessions::new(AwsConfig::new("us-east-1")).await);
/// let registry = AwsProvider::new(sessions.clone()).registry();
/// assert!(registry.provider("AWS::S3::Bucket").is_some());
/// # }
/// ```
pub struct AwsProvider {
    clients: Arc<dyn ClientSource>,
    account_poll_ms: u64,
}

impl std::fmt::Debug for AwsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsProvider")
            .field("account_poll_ms", &self.account_poll_ms)
            .finish()
    }
}

impl AwsProvider {
    /// A provider getting its clients from `clients` (usually an [`AwsSessions`]).
    pub fn new(clients: Arc<dyn ClientSource>) -> Self {
        AwsProvider {
            clients,
            account_poll_ms: 5_000,
        }
    }
    /// How long the engine waits between polls of a CreateAccount request.
    pub fn with_account_poll_ms(mut self, ms: u64) -> Self {
        self.account_poll_ms = ms;
        self
    }
    /// A registry routing every type of [`types`] to this provider, and every other type
    /// the Cloud Control API can manage ([`manages`]: its registry schema has create, read
    /// and delete handlers) to the generic [`CloudControlProvider`], unlayered.
    pub fn registry(self) -> ProviderRegistry {
        let generic: Arc<dyn Provider> = Arc::new(CloudControlProvider::new(self.clients.clone()));
        let provider: Arc<dyn Provider> = Arc::new(self);
        let mut registry = ProviderRegistry::new();
        for t in types() {
            registry.register(t, provider.clone());
        }
        for t in landform_core::schema::type_names() {
            if registry.provider(t).is_none() && manages(t) {
                registry.register(t, generic.clone());
            }
        }
        registry
    }
    /// [`Self::registry`] wrapped in the engine's layers: request rates per service, kind
    /// and account, and Organizations writes one at a time ([`RateLimits::aws_defaults`]),
    /// then throttled or concurrently modified calls retried with jittered backoff
    /// ([`landform_deploy::Retry`]), both on `clock`. One provider instance serves every type, so each
    /// service's buckets are shared by all its types.
    pub fn layered_registry(self, policy: RetryPolicy, clock: Arc<dyn Clock>) -> ProviderRegistry {
        self.layered_registry_with(RateLimits::aws_defaults(), policy, clock)
    }

    /// [`Self::layered_registry`] with other rate limits.
    pub fn layered_registry_with(
        self,
        limits: RateLimits,
        policy: RetryPolicy,
        clock: Arc<dyn Clock>,
    ) -> ProviderRegistry {
        self.registry().with_engine_layers(limits, policy, clock)
    }
}

pub(crate) fn unknown(type_name: &str) -> ProviderError {
    ProviderError::new(
        ErrorCode::InvalidRequest,
        format!("the AWS provider does not handle {type_name}"),
    )
}

#[async_trait]
impl Provider for AwsProvider {
    fn replacement_properties(&self, type_name: &str) -> Vec<String> {
        // Beyond the schemas' createOnlyProperties (the engine takes those from
        // `landform_core::schema`): what these handlers cannot change in place.
        let props: &[&str] = match type_name {
            "AWS::S3::Bucket" => &["ObjectLockEnabled"],
            "AWS::DynamoDB::Table" => &["KeySchema"],
            "AWS::Organizations::Account" => &["Email", "RoleName"],
            other => family(other)
                .map(|f| f.replacement_properties(other))
                .unwrap_or(&[]),
        };
        props.iter().map(|p| (*p).to_owned()).collect()
    }

    async fn create(
        &self,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let c = &*self.clients;
        match request.type_name.as_str() {
            "AWS::S3::Bucket" => s3::create_bucket(&*c.s3(session).await?, session, request).await,
            "AWS::S3::BucketPolicy" => {
                s3::put_policy(&*c.s3(session).await?, &request.properties).await
            }
            "AWS::DynamoDB::Table" => dynamodb::create(&*c.dynamodb(session).await?, request).await,
            "AWS::IAM::Role" => iam::create_role(&*c.iam(session).await?, request).await,
            "AWS::IAM::OIDCProvider" => iam::create_oidc(&*c.iam(session).await?, request).await,
            "AWS::Organizations::OrganizationalUnit" => {
                organizations::create_unit(&*c.organizations(session).await?, request).await
            }
            "AWS::Organizations::Policy" => {
                organizations::create_policy(&*c.organizations(session).await?, request).await
            }
            "AWS::Organizations::Account" => {
                organizations::create_account(
                    &*c.organizations(session).await?,
                    request,
                    self.account_poll_ms,
                )
                .await
            }
            other => match family(other) {
                Some(f) => f.create(c, session, request).await,
                None => Err(unknown(other)),
            },
        }
    }

    async fn read(
        &self,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        let c = &*self.clients;
        match type_name {
            "AWS::S3::Bucket" => {
                s3::read_bucket(&*c.s3(session).await?, session, physical_id, properties).await
            }
            "AWS::S3::BucketPolicy" => s3::read_policy(&*c.s3(session).await?, physical_id).await,
            "AWS::DynamoDB::Table" => {
                dynamodb::read(&*c.dynamodb(session).await?, physical_id, properties).await
            }
            "AWS::IAM::Role" => {
                iam::read_role(&*c.iam(session).await?, physical_id, properties).await
            }
            "AWS::IAM::OIDCProvider" => iam::read_oidc(&*c.iam(session).await?, physical_id).await,
            "AWS::Organizations::OrganizationalUnit" => {
                organizations::read_unit(&*c.organizations(session).await?, physical_id, properties)
                    .await
            }
            "AWS::Organizations::Policy" => {
                organizations::read_policy(
                    &*c.organizations(session).await?,
                    physical_id,
                    properties,
                )
                .await
            }
            "AWS::Organizations::Account" => {
                organizations::read_account(
                    &*c.organizations(session).await?,
                    physical_id,
                    properties,
                    self.account_poll_ms,
                )
                .await
            }
            other => match family(other) {
                Some(f) => f.read(c, session, other, physical_id, properties).await,
                None => Err(unknown(other)),
            },
        }
    }

    async fn update(
        &self,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let c = &*self.clients;
        match request.type_name.as_str() {
            "AWS::S3::Bucket" => s3::update_bucket(&*c.s3(session).await?, session, request).await,
            "AWS::S3::BucketPolicy" => {
                s3::put_policy(&*c.s3(session).await?, &request.properties).await
            }
            "AWS::DynamoDB::Table" => dynamodb::update(&*c.dynamodb(session).await?, request).await,
            "AWS::IAM::Role" => iam::update_role(&*c.iam(session).await?, request).await,
            "AWS::IAM::OIDCProvider" => iam::update_oidc(&*c.iam(session).await?, request).await,
            "AWS::Organizations::OrganizationalUnit" => {
                organizations::update_unit(&*c.organizations(session).await?, request).await
            }
            "AWS::Organizations::Policy" => {
                organizations::update_policy(&*c.organizations(session).await?, request).await
            }
            "AWS::Organizations::Account" => {
                organizations::update_account(&*c.organizations(session).await?, request).await
            }
            other => match family(other) {
                Some(f) => f.update(c, session, request).await,
                None => Err(unknown(other)),
            },
        }
    }

    async fn delete(
        &self,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<(), ProviderError> {
        let c = &*self.clients;
        match type_name {
            "AWS::S3::Bucket" => c.s3(session).await?.delete_bucket(physical_id).await,
            "AWS::S3::BucketPolicy" => c.s3(session).await?.delete_bucket_policy(physical_id).await,
            "AWS::DynamoDB::Table" => c.dynamodb(session).await?.delete_table(physical_id).await,
            "AWS::IAM::Role" => iam::delete_role(&*c.iam(session).await?, physical_id).await,
            "AWS::IAM::OIDCProvider" => {
                c.iam(session)
                    .await?
                    .delete_open_id_connect_provider(physical_id)
                    .await
            }
            "AWS::Organizations::OrganizationalUnit" => {
                c.organizations(session)
                    .await?
                    .delete_organizational_unit(physical_id)
                    .await
            }
            "AWS::Organizations::Policy" => {
                organizations::delete_policy(&*c.organizations(session).await?, physical_id).await
            }
            "AWS::Organizations::Account" => {
                c.organizations(session)
                    .await?
                    .close_account(physical_id)
                    .await
            }
            other => match family(other) {
                Some(f) => f.delete(c, session, other, physical_id, properties).await,
                None => Err(unknown(other)),
            },
        }
    }

    /// The organization's OUs, accounts and service control policies.
    async fn list(
        &self,
        session: &Session,
        type_name: &str,
    ) -> Result<Option<Vec<ResourceState>>, ProviderError> {
        if !type_name.starts_with("AWS::Organizations::") {
            return Ok(None);
        }
        let orgs = self.clients.organizations(session).await?;
        organizations::list(&*orgs, type_name).await
    }

    /// Organizations look-ups list once for the batch (every account, each parent's OUs,
    /// each policy type) instead of once per request.
    async fn find_many(
        &self,
        session: &Session,
        requests: &[CreateRequest],
    ) -> Result<Vec<Option<ResourceState>>, ProviderError> {
        let same_type = |t: &str| requests.iter().all(|r| r.type_name == t);
        let Some(first) = requests.first() else {
            return Ok(Vec::new());
        };
        match first.type_name.as_str() {
            t @ "AWS::Organizations::Account" if same_type(t) => {
                let orgs = self.clients.organizations(session).await?;
                organizations::find_accounts(&*orgs, requests).await
            }
            t @ "AWS::Organizations::Policy" if same_type(t) => {
                let orgs = self.clients.organizations(session).await?;
                organizations::find_policies(&*orgs, requests).await
            }
            t @ "AWS::Organizations::OrganizationalUnit" if same_type(t) => {
                let orgs = self.clients.organizations(session).await?;
                organizations::find_units(&*orgs, requests).await
            }
            _ => {
                let mut found = Vec::with_capacity(requests.len());
                for r in requests {
                    found.push(self.find(session, r).await?);
                }
                Ok(found)
            }
        }
    }

    async fn find(
        &self,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        let found = match request.type_name.as_str() {
            "AWS::Organizations::OrganizationalUnit" => {
                return organizations::find_unit(
                    &*self.clients.organizations(session).await?,
                    request,
                )
                .await
            }
            "AWS::Organizations::Policy" => {
                return organizations::find_policy(
                    &*self.clients.organizations(session).await?,
                    request,
                )
                .await
            }
            "AWS::Organizations::Account" => {
                return organizations::find_account(
                    &*self.clients.organizations(session).await?,
                    request,
                )
                .await
            }
            "AWS::IAM::OIDCProvider" => {
                return iam::find_oidc(&*self.clients.iam(session).await?, request).await
            }
            "AWS::S3::BucketPolicy" => {
                let bucket = string(&request.properties, "Bucket").unwrap_or_default();
                self.read(session, &request.type_name, &bucket, &request.properties)
                    .await
            }
            other if family(other).is_some() => {
                return match family(other) {
                    Some(f) => f.find(&*self.clients, session, request).await,
                    None => Ok(None),
                };
            }
            _ => {
                let name = name_of(request);
                self.read(session, &request.type_name, &name, &request.properties)
                    .await
            }
        };
        match found {
            Ok(state) => Ok(Some(state)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The name property of a named type, else the engine's physical name.
pub(crate) fn name_of(request: &CreateRequest) -> String {
    let property = match request.type_name.as_str() {
        "AWS::S3::Bucket" => "BucketName",
        "AWS::DynamoDB::Table" => "TableName",
        "AWS::IAM::Role" => "RoleName",
        _ => "Name",
    };
    string(&request.properties, property).unwrap_or_else(|| {
        if request.type_name == "AWS::S3::Bucket" {
            // Bucket names are lower case.
            request.physical_name.to_ascii_lowercase()
        } else {
            request.physical_name.clone()
        }
    })
}

/// A string property.
pub(crate) fn string(props: &Json, key: &str) -> Option<String> {
    props.get(key).and_then(Json::as_str).map(str::to_owned)
}

/// A policy document property: a string as given, an object as compact JSON.
pub(crate) fn document(props: &Json, key: &str) -> Option<String> {
    match props.get(key)? {
        Json::String(s) => Some(s.clone()),
        Json::Null => None,
        other => Some(other.to_string()),
    }
}

/// A document read back: parsed JSON where it parses, else the string.
pub(crate) fn document_value(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_owned()))
}

/// `Tags: [{Key, Value}]`.
pub(crate) fn tags(props: &Json) -> Vec<Tag> {
    props
        .get("Tags")
        .and_then(Json::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| Some((string(t, "Key")?, string(t, "Value")?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Tags as CloudFormation writes them.
pub(crate) fn tags_json(tags: &[Tag]) -> Json {
    Json::Array(
        tags.iter()
            .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// A list of strings.
pub(crate) fn strings(props: &Json, key: &str) -> Vec<String> {
    props
        .get(key)
        .and_then(Json::as_array)
        .map(|v| {
            v.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A boolean, given as a JSON bool or a `"true"` string (templates carry both).
pub(crate) fn boolean(value: Option<&Json>) -> Option<bool> {
    match value? {
        Json::Bool(b) => Some(*b),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// An integer, given as a number or a numeric string.
pub(crate) fn integer(value: Option<&Json>) -> Option<i64> {
    match value? {
        Json::Number(n) => n.as_i64(),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A property the request lacks.
pub(crate) fn required(type_name: &str, property: &str) -> ProviderError {
    ProviderError::new(
        ErrorCode::InvalidRequest,
        format!("{type_name} needs the property {property}"),
    )
}
