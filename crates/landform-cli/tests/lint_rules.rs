//! Every lint rule: one failing fixture (the rule fires, at the right construct path) and one
//! passing fixture (it does not), built from landform-core resources and synthesised.

use landform_cli::lint::{self, suppress, LintReport, Rule, Severity, Suppressions};
use landform_core::{App, Environment, Resource, ResourceHandle, Scope, Value};
use serde_json::{json, Value as Json};

/// A resource of `type_name` with the top-level properties of `props`.
fn res(type_name: &str, props: Json) -> Resource {
    let mut r = Resource::new(type_name);
    if let Json::Object(map) = props {
        for (k, v) in map {
            r.set_property(k, Value::from(v));
        }
    }
    r
}

/// One stage, one stack `App/Mgmt/Main`, built by `build`.
fn single(build: impl FnOnce(&mut Scope<'_>)) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "Main");
    build(&mut app.scope(stack));
    app
}

fn lint(app: &App) -> LintReport {
    let assembly = app.synth().expect("fixture synthesises");
    lint::check(&assembly, &Suppressions::from_tree(app.tree()))
}

fn fired(app: &App, rule: Rule) -> Vec<String> {
    lint(app)
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.path.to_string())
        .collect()
}

fn assert_fires(app: &App, rule: Rule, path: &str) {
    let paths = fired(app, rule);
    assert!(
        paths.iter().any(|p| p == path),
        "{rule} should fire at {path}, fired at {paths:?}"
    );
}

fn assert_quiet(app: &App, rule: Rule) {
    let paths = fired(app, rule);
    assert!(
        paths.is_empty(),
        "{rule} should not fire, fired at {paths:?}"
    );
}

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
                json!({"Policies": [{"PolicyName": "admin", "PolicyDocument": {"Statement": [
                    {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}
                ]}}]}),
            ),
        );
    });
    assert_fires(&inline, Rule::IamAdminStatement, "App/Mgmt/Main/Role");
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
    let table = |pitr: bool| {
        single(|s| {
            s.add_resource(
                "Locks",
                res("AWS::DynamoDB::Table", json!({"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": pitr}})),
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

// ---------- Network ----------

fn tgw(association: &str, propagation: &str) -> App {
    single(|s| {
        s.add_resource(
            "Tgw",
            res("AWS::EC2::TransitGateway", json!({"DefaultRouteTableAssociation": association, "DefaultRouteTablePropagation": propagation})),
        );
    })
}

#[test]
fn tgw_default_association() {
    assert_fires(
        &tgw("enable", "disable"),
        Rule::TransitGatewayDefaultAssociation,
        "App/Mgmt/Main/Tgw",
    );
    assert_quiet(
        &tgw("disable", "enable"),
        Rule::TransitGatewayDefaultAssociation,
    );
}

#[test]
fn tgw_default_propagation() {
    assert_fires(
        &tgw("disable", "enable"),
        Rule::TransitGatewayDefaultPropagation,
        "App/Mgmt/Main/Tgw",
    );
    assert_quiet(
        &tgw("enable", "disable"),
        Rule::TransitGatewayDefaultPropagation,
    );
    // Absent means enable (AWS's default).
    let bare = single(|s| {
        s.add_resource("Tgw", Resource::new("AWS::EC2::TransitGateway"));
    });
    assert_fires(
        &bare,
        Rule::TransitGatewayDefaultPropagation,
        "App/Mgmt/Main/Tgw",
    );
}

#[test]
fn vpc_cidr_overlap() {
    let vpcs = |a: &str, b: &str| {
        let mut app = App::new();
        for (stage, account, cidr) in [("One", "222222222222", a), ("Two", "333333333333", b)] {
            let st = app.add_stage(stage, Environment::new(account, "us-east-1"));
            let stack = app.add_stack(st, "Network");
            app.scope(stack)
                .add_resource("Vpc", res("AWS::EC2::VPC", json!({"CidrBlock": cidr})));
        }
        app
    };
    assert_fires(
        &vpcs("10.0.0.0/16", "10.0.128.0/17"),
        Rule::VpcCidrOverlap,
        "App/Two/Network/Vpc",
    );
    assert_quiet(&vpcs("10.0.0.0/16", "10.1.0.0/16"), Rule::VpcCidrOverlap);
}

/// A hub in account 1 with two workload VPCs in accounts 2 and 3. `isolated` gives each
/// workload its own route table with routes to a shared-services VPC only; otherwise both
/// workloads are associated with one table both propagate into.
fn hub(isolated: bool, defaults_on: bool) -> App {
    let mut app = App::new();
    let hub_stage = app.add_stage("Infra", Environment::new("111111111111", "us-east-1"));
    let hub = app.add_stack(hub_stage, "Hub");
    let setting = if defaults_on { "enable" } else { "disable" };
    let mut s = app.scope(hub);
    let tgw = s.add_resource(
        "Tgw",
        res("AWS::EC2::TransitGateway", json!({"DefaultRouteTableAssociation": setting, "DefaultRouteTablePropagation": setting})),
    );
    let shared_vpc = s.add_resource(
        "SharedVpc",
        res("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"})),
    );
    let shared_attachment = s.add_resource(
        "SharedAttachment",
        Resource::new("AWS::EC2::TransitGatewayAttachment")
            .property("TransitGatewayId", tgw.ref_value())
            .property("VpcId", shared_vpc.ref_value()),
    );
    let mut attachments = Vec::new();
    for (name, account, cidr) in [
        ("Prod", "222222222222", "10.1.0.0/16"),
        ("Staging", "333333333333", "10.2.0.0/16"),
    ] {
        let stage = app.add_stage(name, Environment::new(account, "us-east-1"));
        let net = app.add_stack(stage, "Network");
        let mut s = app.scope(net);
        let vpc = s.add_resource("Vpc", res("AWS::EC2::VPC", json!({"CidrBlock": cidr})));
        attachments.push((
            name,
            s.add_resource(
                "Attachment",
                Resource::new("AWS::EC2::TransitGatewayAttachment")
                    .property("TransitGatewayId", tgw.ref_value())
                    .property("VpcId", vpc.ref_value()),
            ),
        ));
    }
    if defaults_on {
        return app;
    }
    let routing = app.add_stack(hub_stage, "Routing");
    let mut s = app.scope(routing);
    let table = |s: &mut Scope<'_>, id: &str| {
        s.add_resource(
            id,
            Resource::new("AWS::EC2::TransitGatewayRouteTable")
                .property("TransitGatewayId", tgw.ref_value()),
        )
    };
    let link = |s: &mut Scope<'_>, kind: &str, id: &str, rt: ResourceHandle, at: ResourceHandle| {
        s.add_resource(
            id,
            Resource::new(kind)
                .property("TransitGatewayRouteTableId", rt.ref_value())
                .property("TransitGatewayAttachmentId", at.ref_value()),
        );
    };
    let shared_rt = table(&mut s, "SharedTable");
    link(
        &mut s,
        "AWS::EC2::TransitGatewayRouteTableAssociation",
        "SharedAssoc",
        shared_rt,
        shared_attachment,
    );
    if isolated {
        for (name, at) in &attachments {
            let rt = table(&mut s, &format!("{name}Table"));
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTableAssociation",
                &format!("{name}Assoc"),
                rt,
                *at,
            );
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTablePropagation",
                &format!("{name}SharedProp"),
                rt,
                shared_attachment,
            );
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTablePropagation",
                &format!("{name}ToShared"),
                shared_rt,
                *at,
            );
        }
    } else {
        let flat = table(&mut s, "FlatTable");
        for (name, at) in &attachments {
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTableAssociation",
                &format!("{name}Assoc"),
                flat,
                *at,
            );
            link(
                &mut s,
                "AWS::EC2::TransitGatewayRouteTablePropagation",
                &format!("{name}Prop"),
                flat,
                *at,
            );
        }
    }
    app
}

#[test]
fn workloads_connected_through_hub() {
    assert_fires(
        &hub(false, false),
        Rule::TransitGatewayWorkloadsConnected,
        "App/Prod/Network/Attachment",
    );
    assert_quiet(&hub(true, false), Rule::TransitGatewayWorkloadsConnected);
}

#[test]
fn workloads_connected_through_default_route_table() {
    assert_fires(
        &hub(false, true),
        Rule::TransitGatewayWorkloadsConnected,
        "App/Prod/Network/Attachment",
    );
}

#[test]
fn blackhole_route_cuts_a_workload_off() {
    let mut app = hub(false, false);
    let stage = app.tree().stages()[0];
    let routing = app
        .tree()
        .stacks()
        .into_iter()
        .find(|&s| app.tree().path(s).to_string() == "App/Infra/Routing")
        .unwrap();
    let flat = app
        .tree()
        .node(routing)
        .children()
        .iter()
        .copied()
        .find(|&c| app.tree().node(c).id() == "FlatTable")
        .unwrap();
    let _ = stage;
    app.scope(routing).add_resource(
        "BlockStaging",
        Resource::new("AWS::EC2::TransitGatewayRoute")
            .property(
                "TransitGatewayRouteTableId",
                Value::Ref(landform_core::Reference {
                    target: flat,
                    attribute: landform_core::Attribute::Ref,
                }),
            )
            .property("DestinationCidrBlock", "10.2.0.0/16")
            .property("Blackhole", true),
    );
    assert_quiet(&app, Rule::TransitGatewayWorkloadsConnected);
}

// ---------- Suppressions ----------

#[test]
fn suppression_moves_a_finding_to_the_suppressed_list() {
    let app = single(|s| {
        let mut construct = s.child("Keys", "KeyRing");
        construct.add_resource("Key", Resource::new("AWS::KMS::Key"));
        suppress(
            &mut construct,
            Rule::KmsKeyRotation,
            "imported key material cannot rotate",
        );
    });
    let report = lint(&app);
    assert!(report
        .findings
        .iter()
        .all(|f| f.rule != Rule::KmsKeyRotation));
    let s = &report.suppressed[0];
    assert_eq!(s.finding.rule, Rule::KmsKeyRotation);
    assert_eq!(s.finding.path.to_string(), "App/Mgmt/Main/Keys/Key");
    assert_eq!(s.suppressed_at.to_string(), "App/Mgmt/Main/Keys");
    assert_eq!(s.reason, "imported key material cannot rotate");
    assert!(!report.has_errors());
}

#[test]
fn suppression_of_another_rule_or_elsewhere_does_not_apply() {
    let app = single(|s| {
        s.add_resource("Key", Resource::new("AWS::KMS::Key"));
        let mut other = s.child("Other", "Thing");
        suppress(&mut other, Rule::KmsKeyRotation, "elsewhere");
    });
    assert_fires(&app, Rule::KmsKeyRotation, "App/Mgmt/Main/Key");
}

#[test]
fn suppression_without_reason_is_an_error() {
    let app = single(|s| {
        s.add_resource(
            "Key",
            Resource::new("AWS::KMS::Key").property("EnableKeyRotation", true),
        );
        s.set_metadata(
            lint::SUPPRESSIONS_METADATA_KEY,
            json!([{"rule": "LF-KMS-001", "reason": " "}, {"rule": "LF-NOPE-001", "reason": "x"}]),
        );
    });
    let report = lint(&app);
    let invalid: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::InvalidSuppression)
        .collect();
    assert_eq!(invalid.len(), 2, "{invalid:?}");
    assert!(invalid
        .iter()
        .all(|f| f.path.to_string() == "App/Mgmt/Main" && f.severity == Severity::Error));
    assert!(report.has_errors());
    // A valid one is quiet.
    let ok = single(|s| {
        s.add_resource(
            "Key",
            Resource::new("AWS::KMS::Key").property("EnableKeyRotation", true),
        );
        s.set_metadata(
            lint::SUPPRESSIONS_METADATA_KEY,
            json!([{"rule": "LF-KMS-001", "reason": "fine"}]),
        );
    });
    assert_quiet(&ok, Rule::InvalidSuppression);
}

#[test]
fn suppression_in_template_metadata_applies() {
    let app = single(|s| {
        s.add_resource(
            "Key",
            Resource::new("AWS::KMS::Key").metadata(
                lint::SUPPRESSIONS_METADATA_KEY,
                json!([{"rule": "LF-KMS-001", "reason": "set by a construct from another crate"}]),
            ),
        );
    });
    let report = lint(&app);
    assert_eq!(report.suppressed.len(), 1);
    assert_eq!(
        report.suppressed[0].reason,
        "set by a construct from another crate"
    );
}

#[test]
fn every_rule_has_a_fixture_here() {
    // Keeps this file honest when a rule is added: name it in a test above.
    let source = include_str!("lint_rules.rs");
    for rule in Rule::ALL {
        let name = format!("Rule::{rule:?}");
        assert!(source.matches(&name).count() >= 2, "{name} has no fixture");
    }
}
