//! Lint fixtures, identity, organizations, storage and audit rules: one failing fixture (the
//! rule fires at the right construct path) and one passing fixture (it does not) per rule.

mod common;

use common::{assert_fires, assert_quiet, fired, res, single};
use landform_cli::lint::{self, Rule};
use landform_core::{App, Environment, Resource, ResourceHandle, Scope, Value};
use serde_json::{json, Value as Json};

// ---------- OIDC ----------

fn oidc_role(condition: Json) -> App {
    single(|s| {
        let provider = s.add_resource(
            "Provider",
            res(
                "AWS::IAM::OIDCProvider",
                json!({"Url": "https://gitlab.com"}),
            ),
        );
        s.add_resource(
            "DeployRole",
            Resource::new("AWS::IAM::Role").property(
                "AssumeRolePolicyDocument",
                Value::object([(
                    "Statement",
                    Value::array([Value::object([
                        ("Effect", Value::from("Allow")),
                        ("Action", Value::from("sts:AssumeRoleWithWebIdentity")),
                        (
                            "Principal",
                            Value::object([("Federated", provider.ref_value())]),
                        ),
                        ("Condition", Value::from(condition)),
                    ])]),
                )]),
            ),
        );
    })
}

const ROLE: &str = "App/Mgmt/Main/DeployRole";
const PINNED_SUB: &str = "project_path:group/infrastructure:ref_type:branch:ref:main";

fn pinned() -> App {
    oidc_role(
        json!({"StringEquals": {"gitlab.com:sub": PINNED_SUB, "gitlab.com:aud": "https://gitlab.com"}}),
    )
}

#[test]
fn oidc_without_sub() {
    let app = oidc_role(json!({"StringEquals": {"gitlab.com:aud": "https://gitlab.com"}}));
    assert_fires(&app, Rule::OidcTrustWithoutSubject, ROLE);
    assert_quiet(&pinned(), Rule::OidcTrustWithoutSubject);
}

#[test]
fn oidc_without_aud() {
    let app = oidc_role(json!({"StringEquals": {"gitlab.com:sub": PINNED_SUB}}));
    assert_fires(&app, Rule::OidcTrustWithoutAudience, ROLE);
    assert_quiet(&pinned(), Rule::OidcTrustWithoutAudience);
}

#[test]
fn oidc_wildcard_sub() {
    let app = oidc_role(json!({
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"},
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    }));
    assert_fires(&app, Rule::OidcWildcardSubject, ROLE);
    // StringLike with an exact value is no wildcard.
    let exact = oidc_role(json!({
        "StringLike": {"gitlab.com:sub": PINNED_SUB},
        "StringEquals": {"gitlab.com:aud": "https://gitlab.com"}
    }));
    assert_quiet(&exact, Rule::OidcWildcardSubject);
    assert_quiet(&pinned(), Rule::OidcWildcardSubject);
}

#[test]
fn oidc_for_all_values_sub() {
    let app = oidc_role(json!({
        "ForAllValues:StringEquals": {"gitlab.com:sub": [PINNED_SUB]},
        "StringEquals": {"gitlab.com:aud": "https://gitlab.com"}
    }));
    assert_fires(&app, Rule::OidcForAllValuesSubject, ROLE);
    assert_quiet(&pinned(), Rule::OidcForAllValuesSubject);
}

#[test]
fn non_web_identity_trust_is_not_an_oidc_finding() {
    let app = single(|s| {
        s.add_resource(
            "ServiceRole",
            res("AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
            ]}})),
        );
    });
    assert_quiet(&app, Rule::OidcTrustWithoutSubject);
    assert_quiet(&app, Rule::OidcTrustWithoutAudience);
}

// ---------- IAM ----------

fn managed_policy(action: &str, resource: &str) -> App {
    single(|s| {
        s.add_resource(
            "Policy",
            res(
                "AWS::IAM::ManagedPolicy",
                json!({"PolicyDocument": {"Statement": [
                    {"Effect": "Allow", "Action": action, "Resource": resource}
                ]}}),
            ),
        );
    })
}

#[test]
fn iam_admin_statement() {
    assert_fires(
        &managed_policy("*", "*"),
        Rule::IamAdminStatement,
        "App/Mgmt/Main/Policy",
    );
    assert_quiet(
        &managed_policy("s3:GetObject", "*"),
        Rule::IamAdminStatement,
    );
    assert_quiet(
        &managed_policy("*", "arn:aws:s3:::bucket"),
        Rule::IamAdminStatement,
    );
    // Inline role policies are checked too.
    let inline = single(|s| {
        s.add_resource(
            "Role",
            res(
                "AWS::IAM::Role",
                json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ]}, "Policies": [{"PolicyName": "admin", "PolicyDocument": {"Statement": [
                    {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}
                ]}}]}),
            ),
        );
    });
    assert_fires(&inline, Rule::IamAdminStatement, "App/Mgmt/Main/Role");
}

#[test]
fn iam_condition_type() {
    let bucket_policy = |operator: &str| {
        single(|s| {
            s.add_resource(
                "Policy",
                res(
                    "AWS::S3::BucketPolicy",
                    json!({"Bucket": "b", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
                         "Condition": {operator: {"aws:SecureTransport": "false"}}}
                    ]}}),
                ),
            );
        })
    };
    assert_fires(
        &bucket_policy("StringEquals"),
        Rule::IamConditionType,
        "App/Mgmt/Main/Policy",
    );
    assert_quiet(&bucket_policy("Bool"), Rule::IamConditionType);
}

fn statement_app(type_name: &'static str, property: &str, statement: Json) -> App {
    let mut props = json!({property: {"Version": "2012-10-17", "Statement": [statement]}});
    if type_name == "AWS::S3::BucketPolicy" {
        props["Bucket"] = json!("b");
    }
    single(|s| {
        s.add_resource("Policy", res(type_name, props));
    })
}

#[test]
fn iam_security_warnings() {
    let managed =
        |statement: Json| statement_app("AWS::IAM::ManagedPolicy", "PolicyDocument", statement);
    let bucket =
        |statement: Json| statement_app("AWS::S3::BucketPolicy", "PolicyDocument", statement);
    let at = "App/Mgmt/Main/Policy";
    assert_fires(
        &managed(json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})),
        Rule::IamPassRoleEveryRole,
        at,
    );
    assert_quiet(
        &managed(
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111111111111:role/Deploy"}),
        ),
        Rule::IamPassRoleEveryRole,
    );
    assert_fires(
        &managed(
            json!({"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}),
        ),
        Rule::IamCreateSlrEveryService,
        at,
    );
    assert_quiet(
        &managed(
            json!({"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "guardduty.amazonaws.com"}}}),
        ),
        Rule::IamCreateSlrEveryService,
    );
    assert_fires(
        &bucket(
            json!({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}),
        ),
        Rule::IamAllowNotPrincipal,
        at,
    );
    assert_quiet(
        &bucket(
            json!({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}),
        ),
        Rule::IamAllowNotPrincipal,
    );
    assert_fires(
        &bucket(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}),
        ),
        Rule::IamAnyPrincipal,
        at,
    );
    assert_quiet(
        &bucket(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}),
        ),
        Rule::IamAnyPrincipal,
    );
    let for_all = |key: &str| {
        managed(
            json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {key: ["a", "b"]}}}),
        )
    };
    assert_fires(
        &for_all("aws:SourceVpc"),
        Rule::IamForAllValuesSingleValued,
        at,
    );
    assert_quiet(&for_all("aws:TagKeys"), Rule::IamForAllValuesSingleValued);
}

// ---------- SCP ----------

fn scp_content(statements: usize) -> Json {
    let statement = |i: usize| json!({"Sid": format!("Deny{i:04}"), "Effect": "Deny", "Action": ["ec2:RunInstances", "ec2:CreateVpc"], "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}});
    json!({"Version": "2012-10-17", "Statement": (0..statements).map(statement).collect::<Vec<_>>()})
}

fn scp_app(statements: usize) -> App {
    single(|s| {
        s.add_resource(
            "Scp",
            res(
                "AWS::Organizations::Policy",
                json!({"Name": "x", "Type": "SERVICE_CONTROL_POLICY", "Content": scp_content(statements), "TargetIds": ["r-root"]}),
            ),
        );
    })
}

fn statements_for(chars: usize) -> usize {
    // Smallest statement count whose minified content is at least `chars` long.
    (1..200)
        .find(|&n| lint::minified_len(&scp_content(n)) >= chars)
        .expect("200 statements is enough")
}

fn region_deny(statement: Json) -> App {
    single(|s| {
        s.add_resource(
            "Scp",
            res(
                "AWS::Organizations::Policy",
                json!({"Name": "regions", "Type": "SERVICE_CONTROL_POLICY", "TargetIds": ["r-root"],
                       "Content": {"Version": "2012-10-17", "Statement": [statement]}}),
            ),
        );
    })
}

#[test]
fn region_deny_without_the_global_service_exemptions() {
    let only = json!({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}});
    // Everything denied outside us-east-1, IAM and Organizations included.
    let everything = json!({"Sid": "Regions", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": only});
    assert_fires(
        &region_deny(everything),
        Rule::RegionDenyWithoutGlobalExemptions,
        "App/Mgmt/Main/Scp",
    );
    // Written by hand, forgetting STS among the exemptions.
    let mut exempt: Vec<&str> = landform_core::iam::GLOBAL_SERVICE_ACTIONS.to_vec();
    exempt.retain(|a| *a != "sts:*");
    let forgot = json!({"Effect": "Deny", "NotAction": exempt, "Resource": "*", "Condition": only});
    let findings = common::lint(&region_deny(forgot));
    let finding = findings
        .findings
        .iter()
        .find(|f| f.rule == Rule::RegionDenyWithoutGlobalExemptions)
        .expect("fires");
    assert!(finding.detail.contains("sts:*"), "{}", finding.detail);
    // Through the library: quiet. Denying only EC2 outside the region: quiet too.
    let library = landform_constructs::scp_library::deny_regions_except(&["us-east-1"], &[]);
    let library: Json = library.to_value().to_plain_json().expect("plain JSON");
    assert_quiet(
        &region_deny(library),
        Rule::RegionDenyWithoutGlobalExemptions,
    );
    assert_quiet(&scp_app(1), Rule::RegionDenyWithoutGlobalExemptions);
}

#[test]
fn member_account_without_retain() {
    let account = |retain: bool| {
        single(|s| {
            let mut r = res(
                "AWS::Organizations::Account",
                json!({"AccountName": "prod", "Email": "aws+prod@example.com"}),
            );
            if retain {
                r = r.removal_policy(landform_core::RemovalPolicy::Retain);
            }
            s.add_resource("Prod", r);
        })
    };
    assert_fires(
        &account(false),
        Rule::AccountWithoutRetain,
        "App/Mgmt/Main/Prod",
    );
    assert_quiet(&account(true), Rule::AccountWithoutRetain);
}

#[test]
fn scp_over_size() {
    let over = statements_for(lint::SCP_MAX_CHARS + 1);
    assert!(lint::minified_len(&scp_content(over)) > lint::SCP_MAX_CHARS);
    assert_fires(&scp_app(over), Rule::ScpOverSize, "App/Mgmt/Main/Scp");
    assert_quiet(&scp_app(over), Rule::ScpNearSize);
    assert_quiet(&scp_app(3), Rule::ScpOverSize);
}

#[test]
fn scp_near_size() {
    let near = statements_for(lint::SCP_MAX_CHARS * 9 / 10);
    let len = lint::minified_len(&scp_content(near));
    assert!(
        len * 10 >= lint::SCP_MAX_CHARS * 9 && len <= lint::SCP_MAX_CHARS,
        "{len}"
    );
    assert_fires(&scp_app(near), Rule::ScpNearSize, "App/Mgmt/Main/Scp");
    assert_quiet(&scp_app(near - 1), Rule::ScpNearSize);
}

#[test]
fn minified_len_matches_a_string_content() {
    let content = scp_content(2);
    let pretty = serde_json::to_string_pretty(&content).unwrap();
    assert_eq!(
        lint::minified_len(&Json::String(pretty)),
        lint::minified_len(&content)
    );
    assert_eq!(
        lint::minified_len(&content),
        content.to_string().chars().count()
    );
}

/// `count` SCPs on one OU created in another stack (targets wired across stacks).
fn scps_on_ou(count: usize) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let org = app.add_stack(stage, "Org");
    let ou = app.scope(org).add_resource(
        "WorkloadsOu",
        res(
            "AWS::Organizations::OrganizationalUnit",
            json!({"Name": "W", "ParentId": "r-root"}),
        ),
    );
    let policies = app.add_stack(stage, "Policies");
    let mut s = app.scope(policies);
    for i in 0..count {
        s.add_resource(
            &format!("Scp{i}"),
            res("AWS::Organizations::Policy", json!({"Name": format!("p{i}"), "Type": "SERVICE_CONTROL_POLICY", "Content": scp_content(1)}))
                .property("TargetIds", Value::array([ou.ref_value()])),
        );
    }
    app
}

#[test]
fn scp_count_per_target() {
    // FullAWSAccess counts: 5 of ours + 1 is over the limit of 5.
    assert_fires(
        &scps_on_ou(5),
        Rule::ScpTooManyOnTarget,
        "App/Mgmt/Org/WorkloadsOu",
    );
    assert_quiet(&scps_on_ou(4), Rule::ScpTooManyOnTarget);
    assert_quiet(&scps_on_ou(3), Rule::ScpTooManyOnTarget);
}

#[test]
fn scp_count_at_limit() {
    assert_fires(
        &scps_on_ou(4),
        Rule::ScpAtTargetLimit,
        "App/Mgmt/Org/WorkloadsOu",
    );
    assert_quiet(&scps_on_ou(3), Rule::ScpAtTargetLimit);
    assert_quiet(&scps_on_ou(5), Rule::ScpAtTargetLimit);
}

// ---------- S3 ----------

fn bucket_props() -> Json {
    json!({
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}
    })
}

fn bucket_app(props: Json, tls_policy: bool) -> App {
    single(|s| {
        let bucket = s.add_resource("Bucket", res("AWS::S3::Bucket", props));
        if tls_policy {
            add_tls_policy(s, bucket);
        }
    })
}

fn add_tls_policy(s: &mut Scope<'_>, bucket: ResourceHandle) {
    s.add_resource(
        "BucketPolicy",
        Resource::new("AWS::S3::BucketPolicy")
            .property("Bucket", bucket.ref_value())
            .property(
                "PolicyDocument",
                Value::from(json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})),
            ),
    );
}

fn without(key: &str) -> Json {
    let mut props = bucket_props();
    props.as_object_mut().unwrap().remove(key);
    props
}

const BUCKET: &str = "App/Mgmt/Main/Bucket";

#[test]
fn bucket_encryption() {
    assert_fires(
        &bucket_app(without("BucketEncryption"), true),
        Rule::BucketEncryption,
        BUCKET,
    );
    assert_quiet(&bucket_app(bucket_props(), true), Rule::BucketEncryption);
}

#[test]
fn bucket_versioning() {
    assert_fires(
        &bucket_app(without("VersioningConfiguration"), true),
        Rule::BucketVersioning,
        BUCKET,
    );
    let mut suspended = bucket_props();
    suspended["VersioningConfiguration"]["Status"] = json!("Suspended");
    assert_fires(&bucket_app(suspended, true), Rule::BucketVersioning, BUCKET);
    assert_quiet(&bucket_app(bucket_props(), true), Rule::BucketVersioning);
}

#[test]
fn bucket_public_access_block() {
    assert_fires(
        &bucket_app(without("PublicAccessBlockConfiguration"), true),
        Rule::BucketPublicAccessBlock,
        BUCKET,
    );
    let mut partial = bucket_props();
    partial["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] = json!(false);
    assert_fires(
        &bucket_app(partial, true),
        Rule::BucketPublicAccessBlock,
        BUCKET,
    );
    assert_quiet(
        &bucket_app(bucket_props(), true),
        Rule::BucketPublicAccessBlock,
    );
}

#[test]
fn bucket_tls_only() {
    assert_fires(
        &bucket_app(bucket_props(), false),
        Rule::BucketTlsOnly,
        BUCKET,
    );
    assert_quiet(&bucket_app(bucket_props(), true), Rule::BucketTlsOnly);
    // A policy on another bucket does not count.
    let other = single(|s| {
        s.add_resource("Bucket", res("AWS::S3::Bucket", bucket_props()));
        let other = s.add_resource("Other", res("AWS::S3::Bucket", bucket_props()));
        add_tls_policy(s, other);
    });
    assert_fires(&other, Rule::BucketTlsOnly, BUCKET);
    assert!(!fired(&other, Rule::BucketTlsOnly).contains(&"App/Mgmt/Main/Other".to_owned()));
}

// ---------- DynamoDB, CloudTrail, KMS ----------

#[test]
fn dynamodb_pitr() {
    let table =
        |pitr: bool| {
            single(|s| {
                s.add_resource(
                "Locks",
                res("AWS::DynamoDB::Table", json!({
                    "KeySchema": [{"AttributeName": "LockID", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "LockID", "AttributeType": "S"}],
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": pitr}
                })),
            );
            })
        };
    assert_fires(
        &table(false),
        Rule::DynamoDbPointInTimeRecovery,
        "App/Mgmt/Main/Locks",
    );
    assert_quiet(&table(true), Rule::DynamoDbPointInTimeRecovery);
}

fn trail(props: Json) -> App {
    single(|s| {
        s.add_resource("Trail", res("AWS::CloudTrail::Trail", props));
    })
}

fn good_trail() -> Json {
    json!({"IsLogging": true, "S3BucketName": "logs", "IsMultiRegionTrail": true, "EnableLogFileValidation": true, "KMSKeyId": "arn:aws:kms:us-east-1:111111111111:key/x"})
}

#[test]
fn trail_multi_region() {
    let mut props = good_trail();
    props["IsMultiRegionTrail"] = json!(false);
    assert_fires(&trail(props), Rule::TrailMultiRegion, "App/Mgmt/Main/Trail");
    assert_quiet(&trail(good_trail()), Rule::TrailMultiRegion);
}

#[test]
fn trail_log_file_validation() {
    let mut props = good_trail();
    props
        .as_object_mut()
        .unwrap()
        .remove("EnableLogFileValidation");
    assert_fires(
        &trail(props),
        Rule::TrailLogFileValidation,
        "App/Mgmt/Main/Trail",
    );
    assert_quiet(&trail(good_trail()), Rule::TrailLogFileValidation);
}

#[test]
fn trail_kms() {
    let mut props = good_trail();
    props.as_object_mut().unwrap().remove("KMSKeyId");
    assert_fires(&trail(props), Rule::TrailKms, "App/Mgmt/Main/Trail");
    assert_quiet(&trail(good_trail()), Rule::TrailKms);
}

#[test]
fn kms_key_rotation() {
    let key = |props: Json| {
        single(|s| {
            s.add_resource("Key", res("AWS::KMS::Key", props));
        })
    };
    assert_fires(&key(json!({})), Rule::KmsKeyRotation, "App/Mgmt/Main/Key");
    assert_quiet(
        &key(json!({"EnableKeyRotation": true})),
        Rule::KmsKeyRotation,
    );
    // Asymmetric keys cannot rotate: not a finding.
    assert_quiet(
        &key(json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"})),
        Rule::KmsKeyRotation,
    );
}

// ---------- Quotas ----------

/// `count` resources made by `make(i)`, 400 to a stack (`App/Mgmt/S<n>/R<iiiii>`).
fn many(count: usize, make: impl Fn(usize) -> Resource) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let mut stack = app.add_stack(stage, "S0");
    for i in 0..count {
        if i > 0 && i % 400 == 0 {
            stack = app.add_stack(stage, &format!("S{}", i / 400));
        }
        app.scope(stack).add_resource(&format!("R{i:05}"), make(i));
    }
    app
}

fn account(i: usize) -> Resource {
    res(
        "AWS::Organizations::Account",
        json!({"AccountName": format!("a{i}"), "Email": format!("aws+a{i}@example.com")}),
    )
    .removal_policy(landform_core::RemovalPolicy::Retain)
}

fn role_with(managed: usize, trust_principals: usize) -> Resource {
    let principals: Vec<String> = (0..trust_principals)
        .map(|i| format!("{}", 100_000_000_000u64 + i as u64))
        .collect();
    let arns: Vec<String> = (0..managed)
        .map(|i| format!("arn:aws:iam::aws:policy/P{i}"))
        .collect();
    let mut props = json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}]}});
    if managed > 0 {
        props["ManagedPolicyArns"] = json!(arns);
    }
    res("AWS::IAM::Role", props)
}

#[test]
fn adjustable_quotas_past_their_default_are_warnings_naming_the_quota() {
    // 10 member accounts and the management account: past the default 10.
    let app = many(10, account);
    assert_fires(&app, Rule::QuotaOverDefault, "App/Mgmt/S0/R00009");
    let report = common::lint(&app);
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::QuotaOverDefault)
        .unwrap();
    assert!(finding.detail.contains("\"Default maximum number of accounts\" (AWS Organizations): default 10, adjustable up to 10,000"), "{}", finding.detail);
    assert_quiet(&many(9, account), Rule::QuotaOverDefault);

    let one_role = |managed, principals| {
        single(|s| {
            s.add_resource("Role", role_with(managed, principals));
        })
    };
    assert_fires(
        &one_role(11, 1),
        Rule::QuotaOverDefault,
        "App/Mgmt/Main/Role",
    );
    assert_quiet(&one_role(10, 1), Rule::QuotaOverDefault);
    // 200 account ids are about 3,000 characters: past 2,048, within the 4,096 AWS grants.
    assert_fires(
        &one_role(0, 200),
        Rule::QuotaOverDefault,
        "App/Mgmt/Main/Role",
    );
    assert_quiet(&one_role(0, 100), Rule::QuotaOverDefault);
}

#[test]
fn roles_per_account_warn_past_the_default_and_fail_past_the_maximum() {
    let roles = |n| many(n, |_| role_with(0, 1));
    assert_fires(&roles(1_001), Rule::QuotaOverDefault, "App/Mgmt/S2/R01000");
    assert_quiet(&roles(1_000), Rule::QuotaOverDefault);
    assert_quiet(&roles(1_001), Rule::QuotaBeyondCeiling);
    let past = roles(5_001);
    assert_fires(&past, Rule::QuotaBeyondCeiling, "App/Mgmt/S12/R05000");
    assert_quiet(&past, Rule::QuotaOverDefault);
}
