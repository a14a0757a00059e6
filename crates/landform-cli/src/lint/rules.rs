//! The rule catalogue: stable ids, severities, and the why and how-to-fix of each rule.

use std::fmt;

use serde::{Serialize, Serializer};

use super::Severity;

macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $severity:ident, $title:literal, $why:literal, $fix:literal; )*) => {
        /// A lint rule. Ids (`LF-S3-001`) are stable: match on them, not on text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
        }

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable id (`LF-S3-001`).
            pub fn id(self) -> &'static str {
                match self { $(Rule::$variant => $id,)* }
            }
            /// The severity of its findings.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)* }
            }
            /// One line saying what the rule checks.
            pub fn title(self) -> &'static str {
                match self { $(Rule::$variant => $title,)* }
            }
            /// Why it matters.
            pub fn why(self) -> &'static str {
                match self { $(Rule::$variant => $why,)* }
            }
            /// How to fix a finding.
            pub fn fix(self) -> &'static str {
                match self { $(Rule::$variant => $fix,)* }
            }
            /// The rule with this id.
            pub fn from_id(id: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|r| r.id() == id)
            }
        }
    };
}

rules! {
    /// A web-identity (OIDC) trust policy without a `sub` condition.
    OidcTrustWithoutSubject = "LF-OIDC-001", Error,
        "OIDC role trust has no condition on the token's sub claim",
        "Without a sub condition any repository, branch or pipeline that can get a token from the identity provider (every GitHub or GitLab user) can assume the role.",
        "Add StringEquals on <provider>:sub pinned to one project and branch, e.g. project_path:group/infrastructure:ref_type:branch:ref:main.";
    /// A web-identity trust policy without an `aud` condition.
    OidcTrustWithoutAudience = "LF-OIDC-002", Error,
        "OIDC role trust has no condition on the token's aud claim",
        "Without an aud condition a token minted for another relying party (another cloud, another tool) is accepted by this role.",
        "Add StringEquals on <provider>:aud with the audience your pipeline requests (sts.amazonaws.com or your GitLab aud).";
    /// A wildcard in the `sub` condition.
    OidcWildcardSubject = "LF-OIDC-003", Error,
        "OIDC role trust matches the sub claim with a wildcard",
        "A wildcard in sub lets every branch, tag, pull request or project matching the pattern deploy, including ones any contributor can create.",
        "Use StringEquals with the exact sub of the protected branch or environment; list several exact values if needed.";
    /// `ForAllValues:` on the `sub` condition.
    OidcForAllValuesSubject = "LF-OIDC-004", Error,
        "OIDC role trust uses a ForAllValues: operator on the single-valued sub claim",
        "ForAllValues: is true when the key is missing from the request, so the condition does not restrict who assumes the role.",
        "Use a plain StringEquals (no set operator) on the sub claim.";
    /// An identity policy allowing every action on every resource.
    IamAdminStatement = "LF-IAM-001", Error,
        "IAM policy allows action * on resource *",
        "Full administrator rights on an identity turn any compromise of it into a compromise of the account.",
        "List the actions and resources the principal needs; grant admin only through a break-glass role outside automation.";
    /// A condition operator that compares another type than its key holds.
    IamConditionType = "LF-IAM-002", Warning,
        "IAM policy condition compares a key with an operator of another type",
        "IAM evaluates the condition, but rarely as meant: StringEquals on a Bool key such as aws:SecureTransport, or Bool on a string key, may never match (Access Analyzer: type mismatch).",
        "Use the operator family of the key's type: Bool for Bool keys, Numeric* for numbers, Date* for dates, IpAddress for IP keys, String* or Arn* for strings and ARNs.";
    /// `iam:PassRole` allowed on every role.
    IamPassRoleEveryRole = "LF-IAM-003", Error,
        "IAM policy allows iam:PassRole on every role (Access Analyzer security warning PASS_ROLE_WITH_STAR_IN_RESOURCE and kin)",
        "Whoever holds the policy can hand any role of the account, an administrator's included, to a service they control (a Lambda function, an EC2 instance) and act as that role: an escalation path to admin.",
        "Name the role ARNs the principal passes in Resource, and add a condition on iam:PassedToService for the service that receives them.";
    /// `iam:CreateServiceLinkedRole` allowed for every service.
    IamCreateSlrEveryService = "LF-IAM-004", Error,
        "IAM policy allows iam:CreateServiceLinkedRole for every service (Access Analyzer security warning CREATE_SLR_WITH_STAR_IN_RESOURCE and kin)",
        "Service-linked roles carry the permissions their service needs; creating any of them at will grants more than the task at hand.",
        "Add a condition on iam:AWSServiceName naming the services (guardduty.amazonaws.com...), or name the service-linked role ARNs in Resource.";
    /// `Allow` with `NotPrincipal`.
    IamAllowNotPrincipal = "LF-IAM-005", Error,
        "Policy statement allows with NotPrincipal (Access Analyzer security warning ALLOW_WITH_NOT_PRINCIPAL)",
        "Allow with NotPrincipal lets in every principal but the ones listed, anonymous callers and every other account included.",
        "Name the principals allowed in Principal; to exempt principals from a Deny, use a condition on aws:PrincipalArn instead.";
    /// A trust or resource policy open to every principal without a condition.
    IamAnyPrincipal = "LF-IAM-006", Error,
        "Trust or resource policy allows Principal * with no condition",
        "Every principal of every AWS account, and for some services anonymous callers, gets the access: what IAM Access Analyzer reports as public or external access.",
        "Name the accounts, roles or services in Principal, or keep Principal * and restrict it with a condition (aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn).";
    /// `ForAllValues:` on a key that holds one value.
    IamForAllValuesSingleValued = "LF-IAM-007", Error,
        "Policy condition uses ForAllValues: on a single-valued key (Access Analyzer security warning FORALLVALUES_WITH_SINGLE_VALUED_KEY)",
        "ForAllValues: is true when the request does not carry the key at all, so an Allow with it lets through requests that lack the key, and the key holds one value anyway.",
        "Drop the ForAllValues: prefix (StringEquals on aws:SourceVpc), or use ForAnyValue: with a Null check when the key is in fact multivalued.";
    /// An SCP larger than the AWS limit.
    ScpOverSize = "LF-SCP-001", Error,
        "Service control policy is over 5,120 characters minified",
        "AWS Organizations refuses a service control policy over 5,120 characters (whitespace excluded); the deploy fails.",
        "Split the policy in two, merge statements with the same effect and condition, or use wildcards in action names.";
    /// An SCP at 90 % or more of the size limit.
    ScpNearSize = "LF-SCP-002", Warning,
        "Service control policy is at 90 % or more of the 5,120 character limit",
        "The next statement added will push it over the limit and fail the deploy.",
        "Split the policy before it grows, or merge statements now.";
    /// More than five SCPs on one target.
    ScpTooManyOnTarget = "LF-SCP-003", Error,
        "More than 5 service control policies attached to one target (FullAWSAccess included)",
        "AWS allows at most 5 SCPs per root, OU or account, and FullAWSAccess counts; the attachment fails.",
        "Merge policies that apply to the same target, or attach some to a parent OU.";
    /// Exactly five SCPs on one target.
    ScpAtTargetLimit = "LF-SCP-004", Warning,
        "5 service control policies on one target (FullAWSAccess included): at the limit",
        "No further SCP can be attached to this target without merging policies first.",
        "Merge policies that apply to the same target, or attach some to a parent OU.";
    /// A bucket without default encryption settings.
    BucketEncryption = "LF-S3-001", Error,
        "S3 bucket has no BucketEncryption",
        "Default encryption settings in the template are what Config rule s3-bucket-server-side-encryption-enabled and auditors check; SSE-KMS also puts reads behind a key policy.",
        "Set BucketEncryption with ServerSideEncryptionByDefault (aws:kms with a key, or AES256).";
    /// A bucket without versioning.
    BucketVersioning = "LF-S3-002", Warning,
        "S3 bucket versioning is not enabled",
        "Without versioning an overwrite or delete (a bad state write, a compromised key) cannot be undone.",
        "Set VersioningConfiguration.Status to Enabled.";
    /// A bucket without all four public access block settings.
    BucketPublicAccessBlock = "LF-S3-003", Error,
        "S3 bucket does not block public access with all four settings",
        "A bucket policy or ACL mistake can then expose the data to the internet.",
        "Set PublicAccessBlockConfiguration with BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls and RestrictPublicBuckets all true.";
    /// A bucket without a TLS-only bucket policy.
    BucketTlsOnly = "LF-S3-004", Error,
        "S3 bucket has no policy denying requests without TLS",
        "Without it clients may read and write over plain HTTP, exposing data and credentials-signed requests on the wire.",
        "Add an AWS::S3::BucketPolicy with a Deny on s3:* for the bucket and its objects when aws:SecureTransport is false.";
    /// A DynamoDB table without point-in-time recovery.
    DynamoDbPointInTimeRecovery = "LF-DDB-001", Warning,
        "DynamoDB table has no point-in-time recovery",
        "Without PITR a bad write or delete (a corrupted lock or state table) can only be undone from manual backups, if any.",
        "Set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled to true.";
    /// A trail that is not multi-region.
    TrailMultiRegion = "LF-CT-001", Error,
        "CloudTrail trail is not multi-region",
        "Activity in other regions (an attacker's favourite place to mine or hide) is not recorded.",
        "Set IsMultiRegionTrail to true.";
    /// A trail without log file validation.
    TrailLogFileValidation = "LF-CT-002", Error,
        "CloudTrail log file validation is off",
        "Without digest files nobody can prove the logs were not modified or deleted after delivery.",
        "Set EnableLogFileValidation to true.";
    /// A trail without KMS encryption.
    TrailKms = "LF-CT-003", Warning,
        "CloudTrail logs are not encrypted with a KMS key",
        "With SSE-S3 anyone who can read the bucket reads the logs; a KMS key adds a second, audited permission.",
        "Set KMSKeyId to a customer managed key whose policy allows cloudtrail.amazonaws.com to encrypt.";
    /// A symmetric KMS key without rotation.
    KmsKeyRotation = "LF-KMS-001", Error,
        "KMS key rotation is off",
        "Without rotation the same key material protects data for ever, and compliance baselines (CIS 3.6) fail.",
        "Set EnableKeyRotation to true (symmetric keys only).";
    /// A transit gateway that associates attachments with its default route table.
    TransitGatewayDefaultAssociation = "LF-TGW-001", Error,
        "Transit gateway associates new attachments with its default route table",
        "Every new attachment lands in one shared routing domain, so isolation between workloads depends on nobody forgetting a step.",
        "Set DefaultRouteTableAssociation to disable and associate each attachment with its own route table.";
    /// A transit gateway that propagates every attachment into its default route table.
    TransitGatewayDefaultPropagation = "LF-TGW-002", Error,
        "Transit gateway propagates attachments into its default route table",
        "Every attachment's routes are learnt by the default route table, so every VPC can route to every other one.",
        "Set DefaultRouteTablePropagation to disable and propagate only the shared-services attachments where needed.";
    /// Two workloads that can reach each other through a transit gateway.
    TransitGatewayWorkloadsConnected = "LF-TGW-003", Error,
        "Two workload VPCs can reach each other through the transit gateway",
        "A compromise of one workload (or a mistaken call) reaches another workload's network; workloads should only reach shared services.",
        "Give each workload attachment its own route table holding routes to shared services only; do not propagate workload attachments into each other's tables.";
    /// Overlapping VPC CIDR blocks.
    VpcCidrOverlap = "LF-VPC-001", Error,
        "Two VPCs have overlapping CIDR blocks",
        "Overlapping VPCs cannot be routed to each other or to shared services through a hub, and peering them later is impossible.",
        "Allocate VPC CIDRs from one plan (an IPAM pool or a table in code) so they never overlap.";
    /// A member account without `DeletionPolicy: Retain`.
    AccountWithoutRetain = "LF-ORG-001", Error,
        "Organizations account resource without DeletionPolicy Retain",
        "Deleting an AWS::Organizations::Account resource (a destroy, a rename of its logical id, a replacement) closes or removes the account with everything in it; a landing zone keeps accounts when its code changes.",
        "Create accounts with AccountFactory (which retains them), or set .removal_policy(RemovalPolicy::Retain) on the raw resource.";
    /// A region deny SCP that does not exempt the global services.
    RegionDenyWithoutGlobalExemptions = "LF-SCP-005", Error,
        "Region deny SCP does not exempt the global services",
        "IAM, Organizations, STS, billing, support, CloudFront and Route 53 are served from us-east-1 whatever region a caller uses; a deny on aws:RequestedRegion without exempting them locks every account it reaches out of sign-in, IAM and support.",
        "Build the statement with scp_library::deny_regions_except, whose NotAction exempts the global services (GLOBAL_SERVICE_ACTIONS), adding your own exemptions as extra_exempt.";
    /// A transit gateway past a default (adjustable) quota.
    TransitGatewayQuota = "LF-TGW-004", Warning,
        "Transit gateway past a default quota",
        "Transit Gateway's default quotas (20 route tables and 5,000 attachments per gateway, 10,000 routes per route table) are adjustable, but a deploy past one fails until AWS raises it for the account.",
        "Request the quota increase in Service Quotas (service Amazon VPC / Transit Gateway) before deploying, or share route tables between workloads with the same reach.";
    /// An adjustable AWS quota past its default.
    QuotaOverDefault = "LF-QUOTA-001", Warning,
        "An adjustable AWS quota is past its default",
        "AWS raises the quota on request (Service Quotas), but until it does for this account the deploy fails part-way: the account, role or stack past the quota is refused.",
        "Request the increase named in the finding in Service Quotas (for Organizations, from the management account in us-east-1) before deploying.";
    /// An AWS quota past the most AWS grants.
    QuotaBeyondCeiling = "LF-QUOTA-002", Error,
        "An AWS quota is past the most AWS grants any account",
        "No quota request gets this many: the deploy fails whatever the account asks for.",
        "Spread the resources over more accounts or stacks (roles over workload accounts, stacks over regions), or share them.";
    /// A malformed suppression.
    InvalidSuppression = "LF-LINT-001", Error,
        "Lint suppression is malformed or has no reason",
        "A suppression without a reason cannot be reviewed; one naming an unknown rule silences nothing.",
        "Write suppressions as [{\"rule\": \"LF-S3-002\", \"reason\": \"why this is acceptable\"}] with a known rule id.";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
        for rule in Rule::ALL {
            assert_eq!(Rule::from_id(rule.id()), Some(*rule));
            assert!(!rule.why().is_empty() && !rule.fix().is_empty());
        }
    }
}
