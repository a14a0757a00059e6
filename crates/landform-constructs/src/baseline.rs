//! The security baseline every account gets: GuardDuty, Config, CloudTrail, the account
//! password policy and the account-level S3 public access block.

use landform_cfn::cloudtrail;
use landform_cfn::config::{self, config_rule, configuration_recorder, delivery_channel};
use landform_cfn::events::{self, rule};
use landform_cfn::guardduty::{self, detector};
use landform_cfn::iam::{self, role};
use landform_core::iam::Statement;
use landform_core::{text, Issue, NodeId, Resource, Scope, Value};

use crate::central::CentralSecurity;
use crate::settings::{add_account_settings, PasswordPolicy};
use crate::util::{arn, doc, service_trust};

/// The Config managed rules of the House Escort layout, the default.
pub const DEFAULT_CONFIG_RULES: [&str; 5] = [
    "s3-bucket-server-side-encryption-enabled",
    "ec2-security-group-attached-to-eni",
    "iam-user-no-policies-check",
    "root-account-mfa-enabled",
    "restricted-ssh",
];

/// Managed rules whose identifier is not their name upper-cased with `_` for `-`.
const IDENTIFIER_EXCEPTIONS: [(&str, &str); 3] = [
    ("restricted-ssh", "INCOMING_SSH_DISABLED"),
    ("restricted-common-ports", "RESTRICTED_INCOMING_TRAFFIC"),
    (
        "multi-region-cloudtrail-enabled",
        "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    ),
];

/// The source identifier of an AWS managed Config rule, from its name.
///
/// ```
/// use landform_constructs::baseline::managed_rule_identifier;
/// assert_eq!(managed_rule_identifier("root-account-mfa-enabled"), "ROOT_ACCOUNT_MFA_ENABLED");
/// assert_eq!(managed_rule_identifier("restricted-ssh"), "INCOMING_SSH_DISABLED");
/// ```
pub fn managed_rule_identifier(name: &str) -> String {
    IDENTIFIER_EXCEPTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, id)| (*id).to_owned())
        .unwrap_or_else(|| name.to_ascii_uppercase().replace('-', "_"))
}

/// Options of a [`SecurityBaseline`].
///
/// ```
/// use landform_constructs::SecurityBaselineProps;
/// let props = SecurityBaselineProps::default();
/// assert_eq!(props.config_rules.len(), 5);
/// assert!(props.forward_findings);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityBaselineProps {
    /// AWS managed Config rules by name (default: [`DEFAULT_CONFIG_RULES`]).
    pub config_rules: Vec<String>,
    /// Send GuardDuty findings to the central bus.
    pub forward_findings: bool,
    /// The IAM account password policy.
    pub password_policy: PasswordPolicy,
}

impl Default for SecurityBaselineProps {
    fn default() -> Self {
        SecurityBaselineProps {
            config_rules: DEFAULT_CONFIG_RULES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            forward_findings: true,
            password_policy: PasswordPolicy::default(),
        }
    }
}

/// The per-account security baseline, referencing the [`CentralSecurity`] pieces (across
/// accounts, through deploy-time parameters).
///
/// The IAM account password policy and the account-level S3 public access block have no
/// CloudFormation resource type; they are `Custom::AccountPasswordPolicy` and
/// `Custom::AccountPublicAccessBlock` resources served by one inline Lambda function in the
/// same stack (see [`settings`](crate::settings)). One baseline per account: its function role
/// has a fixed name so SCPs can exempt it.
///
/// ```
/// use landform_constructs::*;
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let security = app.add_stage("Security", Environment::new("222222222222", "us-east-1"));
/// let central_stack = app.add_stack(security, "Central");
/// let central = CentralSecurity::new(&mut app.scope(central_stack), "Central",
///     CentralSecurityProps { organization_id: "o-a1b2c3d4e5".into(), ..Default::default() });
/// let workload = app.add_stage("Workload", Environment::new("333333333333", "us-east-1"));
/// let stack = app.add_stack(workload, "Baseline");
/// SecurityBaseline::new(&mut app.scope(stack), "Baseline", &central, SecurityBaselineProps::default());
/// let assembly = app.synth().unwrap();
/// assert!(!assembly.stack("Workload-Baseline").unwrap().parameters.is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct SecurityBaseline {
    node: NodeId,
}

impl SecurityBaseline {
    /// Create the baseline under `scope` (a stack of the account).
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        central: &CentralSecurity,
        props: SecurityBaselineProps,
    ) -> Self {
        let mut inner = scope.child(id, "SecurityBaseline");
        let detector = inner.add_resource(
            "Detector",
            guardduty::Detector::default()
                .enable(true)
                .finding_publishing_frequency(detector::FindingPublishingFrequency::FifteenMinutes),
        );
        if props.forward_findings {
            let bus = Value::from(central.findings_bus_arn());
            let role = inner.add_resource(
                "FindingsRole",
                iam::Role::default()
                    .assume_role_policy_document(service_trust("events.amazonaws.com"))
                    .policies([role::Policy::default()
                        .policy_name("forward-findings")
                        .policy_document(doc([Statement::allow()
                            .actions(["events:PutEvents"])
                            .resources([bus.clone()])]))]),
            );
            inner.add_resource(
                "FindingsRule",
                Resource::from(
                    events::Rule::default()
                        .description("Landform: GuardDuty findings to the central security bus")
                        .state(rule::State::Enabled)
                        .event_pattern(Value::object([
                            ("source", Value::array([Value::from("aws.guardduty")])),
                            (
                                "detail-type",
                                Value::array([Value::from("GuardDuty Finding")]),
                            ),
                        ]))
                        .targets([rule::Target::default()
                            .id("CentralSecurityBus")
                            .arn(bus)
                            .role_arn(role.get_att("Arn"))]),
                )
                .depends_on(detector.node()),
            );
        }
        let config_role = inner.add_resource(
            "ConfigRole",
            iam::Role::default()
                .assume_role_policy_document(service_trust("config.amazonaws.com"))
                .managed_policy_arns([arn([text("iam::aws:policy/service-role/AWS_ConfigRole")])]),
        );
        let recorder = inner.add_resource(
            "ConfigRecorder",
            config::ConfigurationRecorder::default()
                .role_arn(config_role.get_att("Arn"))
                .recording_group(
                    configuration_recorder::RecordingGroup::default()
                        .all_supported(true)
                        .include_global_resource_types(true),
                ),
        );
        inner.add_resource(
            "ConfigDelivery",
            Resource::from(
                config::DeliveryChannel::default()
                    .s3_bucket_name(central.log_bucket_name())
                    .s3_kms_key_arn(central.log_key_arn())
                    .config_snapshot_delivery_properties(
                        delivery_channel::ConfigSnapshotDeliveryProperties::default()
                            .delivery_frequency(
                                delivery_channel::DeliveryFrequency::TwentyFourHours,
                            ),
                    ),
            )
            // AWS Config checks the bucket policy's grant when the channel is made.
            .depends_on(central.log_bucket_policy())
            .depends_on(recorder.node()),
        );
        let mut seen: Vec<&str> = Vec::new();
        for name in &props.config_rules {
            let valid = (1..=128).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                inner.report(Issue::new(
                    "SecurityBaseline.ConfigRuleName",
                    "config_rules",
                    crate::error::shorten(name),
                    "a Config rule name has 1 to 128 letters, digits, '-' or '_' (use the managed rule's name, such as restricted-ssh)",
                ));
                continue;
            }
            if seen.contains(&name.as_str()) {
                inner.report(Issue::new(
                    "SecurityBaseline.DuplicateConfigRule",
                    "config_rules",
                    name,
                    "each Config rule is named once per account",
                ));
                continue;
            }
            seen.push(name);
            inner.add_resource(
                &format!("Rule-{name}"),
                Resource::from(
                    config::ConfigRule::default()
                        .config_rule_name(name.as_str())
                        .source(
                            config_rule::Source::default()
                                .owner("AWS")
                                .source_identifier(managed_rule_identifier(name)),
                        ),
                )
                .depends_on(recorder.node()),
            );
        }
        inner.add_resource(
            "Trail",
            Resource::from(
                cloudtrail::Trail::default()
                    .is_logging(true)
                    .is_multi_region_trail(true)
                    .include_global_service_events(true)
                    .enable_log_file_validation(true)
                    .s3_bucket_name(central.log_bucket_name())
                    .kms_key_id(central.log_key_arn()),
            )
            // CloudTrail checks the bucket policy's grant when the trail is made.
            .depends_on(central.log_bucket_policy()),
        );
        add_account_settings(&mut inner, &props.password_policy);
        SecurityBaseline { node: inner.node() }
    }

    /// The construct's node.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let security = app.add_stage("Security", Environment::new("222222222222", "us-east-1"));
    /// # let central_stack = app.add_stack(security, "Central");
    /// # let central = CentralSecurity::new(&mut app.scope(central_stack), "Central", CentralSecurityProps { organization_id: "o-a1b2c3d4e5".into(), ..Default::default() });
    /// let base = SecurityBaseline::new(&mut app.scope(central_stack), "Baseline", &central, SecurityBaselineProps::default());
    /// assert_eq!(app.tree().path(base.node()).to_string(), "App/Security/Central/Baseline");
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}
