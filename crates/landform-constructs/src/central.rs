//! The central security pieces of a landing zone, in the log-archive / security account:
//! the log bucket, its KMS key, the findings event bus and the Config aggregator. Member
//! accounts' [`SecurityBaseline`](crate::SecurityBaseline)s reference them across accounts.

use landform_cfn::config::{self, configuration_aggregator};
use landform_cfn::s3::{self, bucket};
use landform_cfn::{events, iam, kms};
use landform_core::iam::{PolicyDocument, Principal, Statement};
use landform_core::{kinds, text, NodeId, RemovalPolicy, Resource, Scope, Token, Value};

use crate::names::OrganizationId;
use crate::util::{
    access_log_bucket, arn, bucket_encryption, deny_insecure_transport, doc, key_admin_statement,
    ownership_enforced, parse_or_report, public_access_block, service_trust, versioning,
};

/// Options of [`CentralSecurity`].
///
/// ```
/// use landform_constructs::CentralSecurityProps;
/// let props = CentralSecurityProps { organization_id: "o-a1b2c3d4e5".into(), ..Default::default() };
/// assert_eq!(props.event_bus_name, "landform-security-findings");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralSecurityProps {
    /// The organization id (`o-...`): the log bucket, key and bus accept writes from its
    /// accounts only (`aws:SourceOrgID` / `aws:PrincipalOrgID`). Required.
    pub organization_id: String,
    /// Name of the EventBridge bus that receives GuardDuty findings.
    pub event_bus_name: String,
    /// Name of the organization-wide Config aggregator.
    pub aggregator_name: String,
}

impl Default for CentralSecurityProps {
    fn default() -> Self {
        CentralSecurityProps {
            organization_id: String::new(),
            event_bus_name: "landform-security-findings".into(),
            aggregator_name: "landform-organization".into(),
        }
    }
}

/// The central log bucket (KMS, versioned, TLS-only, no deletes, retained), its key (rotated),
/// the findings bus and the organization Config aggregator.
///
/// ```
/// use landform_constructs::{CentralSecurity, CentralSecurityProps};
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let stage = app.add_stage("Security", Environment::new("222222222222", "us-east-1"));
/// let stack = app.add_stack(stage, "Central");
/// let central = CentralSecurity::new(&mut app.scope(stack), "Central",
///     CentralSecurityProps { organization_id: "o-a1b2c3d4e5".into(), ..Default::default() });
/// assert!(central.log_bucket_arn().as_literal().is_none());
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct CentralSecurity {
    node: NodeId,
    bucket_name: Token<kinds::BucketName>,
    bucket_arn: Token<kinds::Arn>,
    key_arn: Token<kinds::Arn>,
    bus_arn: Token<kinds::Arn>,
    bucket_policy: NodeId,
}

fn with<V: Into<Value>>(
    s: Statement,
    op: &str,
    key: &str,
    values: impl IntoIterator<Item = V>,
) -> Statement {
    s.clone().condition(op, key, values).unwrap_or(s)
}

impl CentralSecurity {
    /// Create the central pieces under `scope` (a stack of the log-archive account).
    pub fn new(scope: &mut Scope<'_>, id: &str, props: CentralSecurityProps) -> Self {
        let mut inner = scope.child(id, "CentralSecurity");
        parse_or_report(
            &mut inner,
            "CentralSecurity",
            "organization_id",
            &props.organization_id,
            |v| OrganizationId::try_from(v),
        );
        let org = Value::from(props.organization_id.as_str());
        let service_writes = |sid: &str, services: &[&str]| {
            let s = Statement::allow()
                .sid(sid)
                .principal(Principal::Service(
                    services.iter().map(|s| Value::from(*s)).collect(),
                ))
                .actions(["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"])
                .resources(["*"]);
            with(s, "StringEquals", "aws:SourceOrgID", [org.clone()])
        };
        let key_policy = PolicyDocument::new()
            .statement(key_admin_statement())
            .statement(service_writes(
                "OrganizationLogDeliveryUsesKey",
                &[
                    "cloudtrail.amazonaws.com",
                    "config.amazonaws.com",
                    "delivery.logs.amazonaws.com",
                ],
            ));
        let key = inner.add_resource(
            "LogKey",
            Resource::from(
                kms::Key::default()
                    .description("Landform: encrypts the organization's central logs")
                    .enable_key_rotation(true)
                    .key_policy(key_policy),
            )
            .removal_policy(RemovalPolicy::Retain),
        );
        inner.add_resource(
            "LogKeyAlias",
            kms::Alias::default()
                .alias_name("alias/landform-central-logs")
                .target_key_id(key.ref_value()),
        );
        let access_logs = access_log_bucket(&mut inner, "AccessLogs");
        let bucket = inner.add_resource(
            "LogBucket",
            Resource::from(
                s3::Bucket::default()
                    .bucket_encryption(bucket_encryption(Some(key.get_att("Arn"))))
                    .versioning_configuration(versioning())
                    .public_access_block_configuration(public_access_block())
                    .ownership_controls(ownership_enforced())
                    .logging_configuration(
                        bucket::LoggingConfiguration::default()
                            .destination_bucket_name(access_logs.bucket.ref_value())
                            .log_file_prefix("central-logs/"),
                    ),
            )
            // S3 takes the logging configuration once the target's policy lets the
            // logging service write (InvalidTargetBucketForLogging before).
            .depends_on(access_logs.policy.node())
            .removal_policy(RemovalPolicy::Retain),
        );
        let bucket_arn = bucket.get_att("Arn");
        let objects = Value::join("", [bucket_arn.clone(), Value::from("/AWSLogs/*")]);
        let deny_delete = Statement::deny()
            .sid("DenyLogDeletion")
            .any_principal()
            .actions([
                "s3:DeleteBucket",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
            ])
            .resources([
                bucket_arn.clone(),
                Value::join("", [bucket_arn.clone(), Value::from("/*")]),
            ]);
        let read_acl = with(
            Statement::allow()
                .sid("LogDeliveryChecksBucket")
                .principal(Principal::Service(
                    [
                        "cloudtrail.amazonaws.com",
                        "config.amazonaws.com",
                        "delivery.logs.amazonaws.com",
                    ]
                    .into_iter()
                    .map(Value::from)
                    .collect(),
                ))
                .actions(["s3:GetBucketAcl", "s3:ListBucket"])
                .resources([bucket_arn.clone()]),
            "StringEquals",
            "aws:SourceOrgID",
            [org.clone()],
        );
        let write = with(
            Statement::allow()
                .sid("LogDeliveryWrites")
                .principal(Principal::Service(
                    [
                        "cloudtrail.amazonaws.com",
                        "config.amazonaws.com",
                        "delivery.logs.amazonaws.com",
                    ]
                    .into_iter()
                    .map(Value::from)
                    .collect(),
                ))
                .actions(["s3:PutObject"])
                .resources([objects]),
            "StringEquals",
            "aws:SourceOrgID",
            [org.clone()],
        );
        let bucket_policy = inner.add_resource(
            "LogBucketPolicy",
            s3::BucketPolicy::default()
                .bucket(bucket.ref_value())
                .policy_document(doc([
                    deny_insecure_transport(&bucket_arn),
                    deny_delete,
                    read_acl,
                    write,
                ])),
        );
        let bus = inner.add_resource(
            "FindingsBus",
            events::EventBus::default().name(props.event_bus_name.as_str()),
        );
        let put_events = with(
            Statement::allow()
                .sid("OrganizationSendsFindings")
                .any_principal()
                .actions(["events:PutEvents"])
                .resources([bus.get_att("Arn")]),
            "StringEquals",
            "aws:PrincipalOrgID",
            [org],
        );
        inner.add_resource(
            "FindingsBusPolicy",
            events::EventBusPolicy::default()
                .event_bus_name(bus.ref_value())
                .statement_id("OrganizationSendsFindings")
                .statement(put_events.to_value()),
        );
        let aggregator_role = inner.add_resource(
            "AggregatorRole",
            iam::Role::default()
                .assume_role_policy_document(service_trust("config.amazonaws.com"))
                .managed_policy_arns([arn([text(
                    "iam::aws:policy/service-role/AWSConfigRoleForOrganizations",
                )])]),
        );
        inner.add_resource(
            "Aggregator",
            config::ConfigurationAggregator::default()
                .configuration_aggregator_name(props.aggregator_name.as_str())
                .organization_aggregation_source(
                    configuration_aggregator::OrganizationAggregationSource::default()
                        .all_aws_regions(true)
                        .role_arn(aggregator_role.get_att("Arn")),
                ),
        );
        CentralSecurity {
            node: inner.node(),
            bucket_name: bucket.ref_token(),
            bucket_arn: bucket.att_token("Arn"),
            key_arn: key.att_token("Arn"),
            bus_arn: bus.att_token("Arn"),
            bucket_policy: bucket_policy.node(),
        }
    }

    /// The central log bucket's policy, which grants CloudTrail and AWS Config their writes:
    /// a trail or delivery channel writing to the bucket is created after it (both services
    /// check the grant when they are set up: InsufficientS3BucketPolicyException,
    /// InsufficientDeliveryPolicyException).
    pub fn log_bucket_policy(&self) -> NodeId {
        self.bucket_policy
    }

    /// The central log bucket's name.
    ///
    /// ```
    /// # use landform_constructs::{CentralSecurity, CentralSecurityProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Security", Environment::new("222222222222", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Central");
    /// let central = CentralSecurity::new(&mut app.scope(stack), "Central", CentralSecurityProps { organization_id: "o-a1b2c3d4e5".into(), ..Default::default() });
    /// assert!(central.log_bucket_name().as_literal().is_none());
    /// ```
    pub fn log_bucket_name(&self) -> Token<kinds::BucketName> {
        self.bucket_name.clone()
    }
    /// The central log bucket's ARN.
    ///
    /// ```
    /// # use landform_constructs::{CentralSecurity, CentralSecurityProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Security", Environment::new("222222222222", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Central");
    /// let central = CentralSecurity::new(&mut app.scope(stack), "Central", CentralSecurityProps { organization_id: "o-a1b2c3d4e5".into(), ..Default::default() });
    /// assert!(central.log_bucket_arn().as_literal().is_none());
    /// ```
    pub fn log_bucket_arn(&self) -> Token<kinds::Arn> {
        self.bucket_arn.clone()
    }
    /// The log key's ARN.
    ///
    /// ```
    /// # use landform_constructs::{CentralSecurity, CentralSecurityProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Security", Environment::new("222222222222", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Central");
    /// let central = CentralSecurity::new(&mut app.scope(stack), "Central", CentralSecurityProps { organization_id: "o-a1b2c3d4e5".into(), ..Default::default() });
    /// assert!(central.log_key_arn().as_literal().is_none());
    /// ```
    pub fn log_key_arn(&self) -> Token<kinds::Arn> {
        self.key_arn.clone()
    }
    /// The findings bus ARN.
    ///
    /// ```
    /// # use landform_constructs::{CentralSecurity, CentralSecurityProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Security", Environment::new("222222222222", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Central");
    /// let central = CentralSecurity::new(&mut app.scope(stack), "Central", CentralSecurityProps { organization_id: "o-a1b2c3d4e5".into(), ..Default::default() });
    /// assert!(central.findings_bus_arn().as_literal().is_none());
    /// ```
    pub fn findings_bus_arn(&self) -> Token<kinds::Arn> {
        self.bus_arn.clone()
    }
    /// The construct's node.
    ///
    /// ```
    /// # use landform_constructs::{CentralSecurity, CentralSecurityProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Security", Environment::new("222222222222", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Central");
    /// let central = CentralSecurity::new(&mut app.scope(stack), "Central", CentralSecurityProps { organization_id: "o-a1b2c3d4e5".into(), ..Default::default() });
    /// assert_eq!(app.tree().path(central.node()).to_string(), "App/Security/Central/Central");
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}
