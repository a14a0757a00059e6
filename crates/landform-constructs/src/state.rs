//! Terraform-style state backends: an S3 bucket and a DynamoDB lock table, per account or
//! central with per-workload key prefixes.

use landform_cfn::dynamodb::{self, table};
use landform_cfn::kms;
use landform_cfn::s3::{self, bucket};
use landform_core::iam::{PolicyDocument, Principal, Statement};
use landform_core::{
    kinds, text, Issue, NodeId, Pseudo, RemovalPolicy, Resource, ResourceHandle, Scope, SubPart,
    Token, Value,
};

use crate::names::BucketName;
use crate::util::{
    access_log_bucket, bucket_encryption, checkov_skips, deny_insecure_transport, doc,
    key_admin_statement, public_access_block, versioning,
};

/// How the state bucket and table are encrypted.
///
/// ```
/// use landform_constructs::StateEncryption;
/// assert_eq!(StateEncryption::default(), StateEncryption::Kms);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateEncryption {
    /// A customer managed KMS key (rotated) created with the backend.
    #[default]
    Kms,
    /// SSE-S3 for the bucket and the AWS owned key for the table.
    SseS3,
}

/// One workload of a central backend: its key prefix and the role that deploys it.
///
/// ```
/// use landform_constructs::StateWorkload;
/// use landform_core::Token;
/// let w = StateWorkload { key_prefix: "house-escort-prod".into(), deploy_role_arn: Token::literal("arn:aws:iam::333333333333:role/deploy") };
/// assert_eq!(w.key_prefix, "house-escort-prod");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateWorkload {
    /// Key prefix in the bucket (`house-escort-prod`): the role may touch only
    /// `<prefix>/*` objects and `<bucket>/<prefix>/*` lock items.
    pub key_prefix: String,
    /// The deploy role's ARN.
    pub deploy_role_arn: Token<kinds::Arn>,
}

/// Per-account or central.
///
/// ```
/// use landform_constructs::StateMode;
/// assert!(matches!(StateMode::default(), StateMode::PerAccount));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StateMode {
    /// The account owns its state; nothing crosses accounts.
    #[default]
    PerAccount,
    /// One backend for many workloads, each limited to its key prefix.
    Central {
        /// The workloads.
        workloads: Vec<StateWorkload>,
    },
}

/// Options of a [`StateBackend`].
///
/// ```
/// use landform_constructs::StateBackendProps;
/// let p = StateBackendProps { prefix: "docustack".into(), ..Default::default() };
/// assert_eq!(p.prefix, "docustack");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StateBackendProps {
    /// Name prefix: the bucket is `<prefix>-terraform-state-<account-id>`, the table
    /// `<prefix>-terraform-locks`. Required.
    pub prefix: String,
    /// Per-account or central.
    pub mode: StateMode,
    /// Encryption.
    pub encryption: StateEncryption,
}

/// The state bucket (versioned, encrypted, public access blocked, TLS only, retained, access
/// logged) and the lock table (`LockID`, on-demand, point-in-time recovery, retained).
///
/// ```
/// use landform_constructs::{StateBackend, StateBackendProps};
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let stage = app.add_stage("Dev", Environment::new("333333333333", "us-east-1"));
/// let stack = app.add_stack(stage, "State");
/// let state = StateBackend::new(&mut app.scope(stack), "State", StateBackendProps { prefix: "docustack".into(), ..Default::default() });
/// assert_eq!(state.bucket_name_text(), "docustack-terraform-state-333333333333");
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct StateBackend {
    node: NodeId,
    bucket: ResourceHandle,
    table: ResourceHandle,
    bucket_name: String,
}

impl StateBackend {
    /// Create the backend under `scope` (a stack of the account that holds the state).
    pub fn new(scope: &mut Scope<'_>, id: &str, props: StateBackendProps) -> Self {
        let account = scope
            .environment()
            .and_then(|e| e.account.as_literal().map(str::to_owned));
        let mut inner = scope.child(id, "StateBackend");
        // The name is checked with the account id when known, else with a 12-digit stand-in.
        let shown_account = account.clone().unwrap_or_else(|| "000000000000".into());
        let checked = format!("{}-terraform-state-{shown_account}", props.prefix);
        if let Err(err) = BucketName::try_from(checked.as_str()) {
            inner.report(Issue::new(
                format!("StateBackend.{}", err.rule()),
                "prefix",
                &checked,
                err.message(),
            ));
        }
        let bucket_name_value = match &account {
            Some(_) => Value::from(checked.as_str()),
            None => Value::sub([
                text(format!("{}-terraform-state-", props.prefix)),
                SubPart::Value(Pseudo::AccountId.into()),
            ]),
        };
        let table_name = format!("{}-terraform-locks", props.prefix);
        let table_ok = (3..=255).contains(&table_name.len())
            && table_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !table_ok {
            inner.report(Issue::new(
                "StateBackend.TableName",
                "prefix",
                crate::error::shorten(&table_name),
                "a DynamoDB table name has 3 to 255 letters, digits, '_', '.' or '-'",
            ));
        }
        let workloads = match &props.mode {
            StateMode::PerAccount => Vec::new(),
            StateMode::Central { workloads } => workloads.clone(),
        };
        check_prefixes(&mut inner, &workloads);

        let key = match props.encryption {
            StateEncryption::Kms => {
                let mut policy = PolicyDocument::new().statement(key_admin_statement());
                if !workloads.is_empty() {
                    let use_key = Statement::allow()
                        .sid("DeployRolesUseKeyThroughS3AndDynamoDB")
                        .principal(Principal::Aws(
                            workloads
                                .iter()
                                .map(|w| Value::from(&w.deploy_role_arn))
                                .collect(),
                        ))
                        .actions([
                            "kms:Decrypt",
                            "kms:DescribeKey",
                            "kms:Encrypt",
                            "kms:GenerateDataKey*",
                        ])
                        .resources(["*"]);
                    let via = |service: &str| {
                        Value::sub([
                            text(format!("{service}.")),
                            SubPart::Value(Pseudo::Region.into()),
                            text(".amazonaws.com"),
                        ])
                    };
                    let use_key = use_key
                        .clone()
                        .condition(
                            "StringEquals",
                            "kms:ViaService",
                            [via("s3"), via("dynamodb")],
                        )
                        .unwrap_or(use_key);
                    policy = policy.statement(use_key);
                }
                let key = inner.add_resource(
                    "Key",
                    Resource::from(
                        kms::Key::default()
                            .description(format!(
                                "Landform: encrypts {} Terraform state",
                                props.prefix
                            ))
                            .enable_key_rotation(true)
                            .key_policy(policy),
                    )
                    .removal_policy(RemovalPolicy::Retain),
                );
                inner.add_resource(
                    "KeyAlias",
                    kms::Alias::default()
                        .alias_name(format!("alias/{}-terraform-state", props.prefix))
                        .target_key_id(key.ref_value()),
                );
                Some(key)
            }
            StateEncryption::SseS3 => None,
        };
        let logs = access_log_bucket(&mut inner, "AccessLogs");
        let bucket = inner.add_resource(
            "Bucket",
            Resource::from(
                s3::Bucket::default()
                    .bucket_name(bucket_name_value)
                    .bucket_encryption(bucket_encryption(key.map(|k| k.get_att("Arn"))))
                    .versioning_configuration(versioning())
                    .public_access_block_configuration(public_access_block())
                    .logging_configuration(
                        bucket::LoggingConfiguration::default()
                            .destination_bucket_name(logs.bucket.ref_value())
                            .log_file_prefix("state/"),
                    ),
            )
            // S3 takes the logging configuration once the target's policy lets the
            // logging service write (InvalidTargetBucketForLogging before).
            .depends_on(logs.policy.node())
            .removal_policy(RemovalPolicy::Retain),
        );
        let bucket_arn = bucket.get_att("Arn");
        let mut statements = vec![deny_insecure_transport(&bucket_arn)];
        for (n, w) in workloads.iter().enumerate() {
            let role = Principal::aws(Value::from(&w.deploy_role_arn));
            let list = Statement::allow()
                .sid(format!("Workload{n}ListsItsPrefix"))
                .principal(role.clone())
                .actions(["s3:ListBucket"])
                .resources([bucket_arn.clone()]);
            statements.push(
                list.clone()
                    .condition("StringLike", "s3:prefix", [format!("{}/*", w.key_prefix)])
                    .unwrap_or(list),
            );
            statements.push(
                Statement::allow()
                    .sid(format!("Workload{n}UsesItsObjects"))
                    .principal(role)
                    .actions(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"])
                    .resources([Value::join(
                        "",
                        [
                            bucket_arn.clone(),
                            Value::from(format!("/{}/*", w.key_prefix)),
                        ],
                    )]),
            );
        }
        inner.add_resource(
            "BucketPolicy",
            s3::BucketPolicy::default()
                .bucket(bucket.ref_value())
                .policy_document(doc(statements)),
        );
        let mut sse = table::SSESpecification::default().sse_enabled(key.is_some());
        if let Some(k) = key {
            sse = sse
                .sse_type(table::SSEType::Kms)
                .kms_master_key_id(k.get_att("Arn"));
        }
        let mut lock_table = dynamodb::Table::default()
            .table_name(table_name.as_str())
            .billing_mode(table::BillingMode::PayPerRequest)
            .attribute_definitions([table::AttributeDefinition::default()
                .attribute_name("LockID")
                .attribute_type(table::AttributeType::S)])
            // The schema leaves KeySchema untyped (a list, or an object for old templates).
            .key_schema(Value::array([Value::object([
                ("AttributeName", Value::from("LockID")),
                ("KeyType", Value::from("HASH")),
            ])]))
            .point_in_time_recovery_specification(
                table::PointInTimeRecoverySpecification::default()
                    .point_in_time_recovery_enabled(true),
            )
            .deletion_protection_enabled(true)
            .sse_specification(sse);
        let checkov = key.is_none().then(|| {
            checkov_skips(&[(
                    "CKV_AWS_119",
                    "SseS3 mode was chosen: the table holds only lock ids and state digests, never state content, and is encrypted with the AWS owned key",
            )])
        });
        if !workloads.is_empty() {
            let table_arn = Value::sub([
                text("arn:"),
                SubPart::Value(Pseudo::Partition.into()),
                text(":dynamodb:"),
                SubPart::Value(Pseudo::Region.into()),
                text(":"),
                SubPart::Value(Pseudo::AccountId.into()),
                text(format!(":table/{table_name}")),
            ]);
            let statements = workloads.iter().enumerate().map(|(n, w)| {
                let s = Statement::allow()
                    .sid(format!("Workload{n}LocksItsPrefix"))
                    .principal(Principal::aws(Value::from(&w.deploy_role_arn)))
                    .actions([
                        "dynamodb:DeleteItem",
                        "dynamodb:GetItem",
                        "dynamodb:PutItem",
                    ])
                    .resources([table_arn.clone()]);
                let leading = match &account {
                    Some(_) => Value::from(format!("{checked}/{}/*", w.key_prefix)),
                    None => Value::sub([
                        text(format!("{}-terraform-state-", props.prefix)),
                        SubPart::Value(Pseudo::AccountId.into()),
                        text(format!("/{}/*", w.key_prefix)),
                    ]),
                };
                s.clone()
                    .condition("ForAllValues:StringLike", "dynamodb:LeadingKeys", [leading])
                    .unwrap_or(s)
            });
            lock_table = lock_table.resource_policy(
                table::ResourcePolicy::default().policy_document(doc(statements).to_value()),
            );
        }
        let mut resource = Resource::from(lock_table).removal_policy(RemovalPolicy::Retain);
        if let Some(metadata) = checkov {
            resource = resource.metadata("checkov", metadata);
        }
        let table = inner.add_resource("LockTable", resource);
        StateBackend {
            node: inner.node(),
            bucket,
            table,
            bucket_name: checked,
        }
    }

    /// The bucket name as checked (with `000000000000` standing for an account id that is
    /// only known at deploy time).
    ///
    /// ```
    /// # use landform_constructs::{StateBackend, StateBackendProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Dev", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "State");
    /// let s = StateBackend::new(&mut app.scope(stack), "State", StateBackendProps { prefix: "acme".into(), ..Default::default() });
    /// assert!(s.bucket_name_text().starts_with("acme-terraform-state-"));
    /// ```
    pub fn bucket_name_text(&self) -> &str {
        &self.bucket_name
    }
    /// The bucket's name as a token.
    ///
    /// ```
    /// # use landform_constructs::{StateBackend, StateBackendProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Dev", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "State");
    /// let s = StateBackend::new(&mut app.scope(stack), "State", StateBackendProps { prefix: "acme".into(), ..Default::default() });
    /// assert!(s.bucket_name().as_literal().is_none());
    /// ```
    pub fn bucket_name(&self) -> Token<kinds::BucketName> {
        self.bucket.ref_token()
    }
    /// The lock table's name as a token.
    ///
    /// ```
    /// # use landform_constructs::{StateBackend, StateBackendProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Dev", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "State");
    /// let s = StateBackend::new(&mut app.scope(stack), "State", StateBackendProps { prefix: "acme".into(), ..Default::default() });
    /// assert!(s.table_name().as_literal().is_none());
    /// ```
    pub fn table_name(&self) -> Token<kinds::TableName> {
        self.table.ref_token()
    }
    /// The construct's node.
    ///
    /// ```
    /// # use landform_constructs::{StateBackend, StateBackendProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Dev", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "State");
    /// let s = StateBackend::new(&mut app.scope(stack), "State", StateBackendProps { prefix: "acme".into(), ..Default::default() });
    /// assert_eq!(app.tree().path(s.node()).to_string(), "App/Dev/State/State");
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}

fn role_label(role: &Token<kinds::Arn>) -> String {
    role.as_literal()
        .map(str::to_owned)
        .unwrap_or_else(|| "the same role reference".to_owned())
}

fn check_prefixes(scope: &mut Scope<'_>, workloads: &[StateWorkload]) {
    for (n, w) in workloads.iter().enumerate() {
        let p = &w.key_prefix;
        let ok = !p.is_empty()
            && p.len() <= 512
            && !p.starts_with('/')
            && !p.ends_with('/')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            && !p.contains("//");
        if !ok {
            scope.report(Issue::new(
                "StateBackend.KeyPrefix",
                "mode.workloads.key_prefix",
                crate::error::shorten(p),
                "a key prefix is non-empty, has only letters, digits, '-', '_', '.' and inner '/', and does not start or end with '/'",
            ));
            continue;
        }
        for other in &workloads[..n] {
            if other.deploy_role_arn == w.deploy_role_arn {
                scope.report(Issue::new(
                    "StateBackend.SharedDeployRole",
                    "mode.workloads.deploy_role_arn",
                    format!("{} ({} and {})", role_label(&w.deploy_role_arn), other.key_prefix, p),
                    "each workload of a central backend has its own deploy role: a role given to two workloads reads and writes both prefixes, so one pipeline can change the other's state",
                ));
            }
            let q = &other.key_prefix;
            if q == p {
                scope.report(Issue::new(
                    "StateBackend.DuplicateKeyPrefix",
                    "mode.workloads.key_prefix",
                    p,
                    "each workload has its own key prefix",
                ));
            } else if p.starts_with(&format!("{q}/")) || q.starts_with(&format!("{p}/")) {
                scope.report(Issue::new(
                    "StateBackend.OverlappingKeyPrefix",
                    "mode.workloads.key_prefix",
                    format!("{p} and {q}"),
                    "one workload's key prefix may not contain another's, or the outer one reaches the inner one's state",
                ));
            }
        }
    }
}
