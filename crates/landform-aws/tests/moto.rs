//! The AWS provider, state store, lock and sessions against moto_server (never real AWS).
//!
//! The first test to run starts moto through `scripts/moto.sh start` (a no-op when it is
//! already running, e.g. started by `scripts/test.sh`); it is left running for the other
//! test binaries and stopped by `scripts/moto.sh stop`. Tests share one moto, so every
//! test names its resources uniquely.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use landform_aws::{
    AwsConfig, AwsProvider, AwsSessions, ClientSource, DynamoDbLock, S3Lock, S3StateStore,
    WallClock,
};
use landform_core::{App, Environment, Resource};
use landform_deploy::{
    lock_conformance, state_store_conformance, CreateRequest, DeployError, Engine, ErrorCode, Lock,
    MemoryLock, MemoryStateStore, Provider, RetryPolicy, Session, StateStore, TokioClock,
};
use serde_json::{json, Value as Json};

mod common;
use common::*;

#[tokio::test]
async fn s3_state_store_conforms_and_refuses_a_lost_update() {
    let sessions = sessions().await;
    let bucket = unique("state");
    let s3 = sessions.s3(&management()).await.unwrap();
    s3.create_bucket(&bucket, REGION).await.unwrap();
    let store = S3StateStore::new(&sessions, MANAGEMENT, REGION, &bucket, "org/state.json")
        .await
        .unwrap();
    state_store_conformance(&store).await;

    // Two appliers load the same state; the second save is refused by the ETag.
    let other = S3StateStore::new(&sessions, MANAGEMENT, REGION, &bucket, "org/state.json")
        .await
        .unwrap();
    let a = store.load().await.unwrap();
    let mut b = other.load().await.unwrap();
    b.version = 7;
    other.save(&b).await.unwrap();
    let err = store.save(&a).await.unwrap_err();
    assert!(
        err.to_string().contains("changed since it was loaded"),
        "{err}"
    );
}

#[tokio::test]
async fn dynamodb_lock_conforms() {
    let sessions = sessions().await;
    let table = lock_table(&sessions).await;
    let lock = DynamoDbLock::new(&sessions, MANAGEMENT, REGION, &table, "org/state.json")
        .await
        .unwrap();
    lock_conformance(&lock).await;
}

/// A versioned bucket, as the StateBackend construct makes it.
async fn versioned_bucket(sessions: &AwsSessions, prefix: &str) -> String {
    let bucket = unique(prefix);
    let s3 = sessions.s3(&management()).await.unwrap();
    s3.create_bucket(&bucket, REGION).await.unwrap();
    s3.put_bucket_versioning(&bucket, true).await.unwrap();
    bucket
}

#[tokio::test]
async fn s3_lock_conforms_in_a_versioned_bucket() {
    let sessions = sessions().await;
    let bucket = versioned_bucket(&sessions, "lock").await;
    let lock = S3Lock::new(
        &sessions,
        MANAGEMENT,
        REGION,
        &bucket,
        "org/state.json.lock",
    )
    .await
    .unwrap();
    lock_conformance(&lock).await;
    // Taken again after a release left a delete marker behind.
    lock.acquire("again").await.unwrap();
    assert_eq!(lock.holder().await.unwrap().unwrap().holder, "again");
    lock.release("again").await.unwrap();
}

/// Two holders race for the same lock: exactly one wins, the other is told who won.
async fn race(a: &dyn Lock, b: &dyn Lock) {
    let (ra, rb) = tokio::join!(a.acquire("apply-a"), b.acquire("apply-b"));
    let (won, lost) = match (ra, rb) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        other => panic!("exactly one holder must win, got {other:?}"),
    };
    match lost {
        DeployError::Locked { holder, since, .. } => {
            assert_eq!(holder, won.holder);
            assert_eq!(since, won.acquired_at);
        }
        other => panic!("expected Locked, got {other}"),
    }
    // The loser cannot release the winner's lock.
    let loser = if won.holder == "apply-a" {
        "apply-b"
    } else {
        "apply-a"
    };
    assert!(matches!(
        b.release(loser).await,
        Err(DeployError::Locked { .. })
    ));
    a.release(&won.holder).await.unwrap();
    assert_eq!(b.holder().await.unwrap(), None);
}

#[tokio::test]
async fn two_racing_holders_of_a_dynamodb_lock_exactly_one_wins_and_the_other_learns_who() {
    let sessions = sessions().await;
    let table = lock_table(&sessions).await;
    let a = DynamoDbLock::new(&sessions, MANAGEMENT, REGION, &table, "race")
        .await
        .unwrap();
    let b = DynamoDbLock::new(&sessions, MANAGEMENT, REGION, &table, "race")
        .await
        .unwrap();
    race(&a, &b).await;
}

#[tokio::test]
async fn two_racing_holders_of_an_s3_lock_exactly_one_wins_and_the_other_learns_who() {
    let sessions = sessions().await;
    let bucket = versioned_bucket(&sessions, "race").await;
    let a = S3Lock::new(&sessions, MANAGEMENT, REGION, &bucket, "race.lock")
        .await
        .unwrap();
    let b = S3Lock::new(&sessions, MANAGEMENT, REGION, &bucket, "race.lock")
        .await
        .unwrap();
    race(&a, &b).await;
}

#[tokio::test]
async fn an_engine_holding_an_s3_lock_keeps_a_second_applier_out() {
    let sessions = sessions().await;
    let bucket = versioned_bucket(&sessions, "held").await;
    let lock = S3Lock::new(&sessions, MANAGEMENT, REGION, &bucket, "held.lock")
        .await
        .unwrap();
    lock.acquire("ci-pipeline-42").await.unwrap();
    let other = S3Lock::new(&sessions, MANAGEMENT, REGION, &bucket, "held.lock")
        .await
        .unwrap();
    let engine = Engine::new(
        landform_deploy::ProviderRegistry::new(),
        Arc::new(MemoryStateStore::default()),
        Arc::new(other),
        Arc::new(landform_deploy::AnyAccountSessions),
    );
    let err = engine
        .apply(&App::new().synth().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DeployError::Locked { holder, .. } if holder == "ci-pipeline-42"),
        "{err}"
    );
    lock.release("ci-pipeline-42").await.unwrap();
    engine.apply(&App::new().synth().unwrap()).await.unwrap();
}

/// A bucket's versioning status read with boto3 from the project venv.
fn boto3_versioning(bucket: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(
        std::env::var_os("LANDFORM_VENV")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root.join(".venv"))
            .join("bin/python"),
    )
    .arg("-c")
    .arg(
        "import sys, boto3; c = boto3.client('s3', endpoint_url=sys.argv[1], \
             region_name='us-east-1', aws_access_key_id='testing', \
             aws_secret_access_key='testing'); \
             print(c.get_bucket_versioning(Bucket=sys.argv[2]).get('Status', ''))",
    )
    .arg(moto_url())
    .arg(bucket)
    .output()
    .expect("run boto3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

struct FakeClock(Mutex<SystemTime>);

impl WallClock for FakeClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

async fn member_account(provider: &AwsProvider, email: &str) -> String {
    let req = create_request(
        "AWS::Organizations::Account",
        "Member",
        json!({"AccountName": email, "Email": email}),
    );
    let mut state = provider.create(&management(), &req).await.unwrap();
    while state.in_progress_retry_ms.is_some() {
        state = provider
            .read(
                &management(),
                &req.type_name,
                &state.physical_id,
                &req.properties,
            )
            .await
            .unwrap();
    }
    state.physical_id
}

#[tokio::test]
async fn assumed_credentials_are_cached_until_near_expiry() {
    organization().await;
    let clock = Arc::new(FakeClock(Mutex::new(SystemTime::now())));
    let config = AwsConfig::new(REGION).with_endpoint_url(moto_url());
    let sessions = Arc::new(AwsSessions::new(config).await.with_clock(clock.clone()));
    let provider = AwsProvider::new(sessions.clone());
    let member = member_account(&provider, &format!("{}@example.com", unique("cache"))).await;

    let first = sessions.access_key_id(&member).await.unwrap();
    assert_eq!(sessions.access_key_id(&member).await.unwrap(), first);
    // moto's assumed credentials last an hour: 58 minutes on, they are within the margin.
    *clock.0.lock().unwrap() += Duration::from_secs(58 * 60);
    let refreshed = sessions.access_key_id(&member).await.unwrap();
    assert_ne!(refreshed, first, "refreshed near expiry");

    // The member session really is the member account: its bucket is not the
    // management account's.
    let bucket = unique("member-bucket");
    let member_s3 = sessions.s3(&Session::new(&member, REGION)).await.unwrap();
    member_s3.create_bucket(&bucket, REGION).await.unwrap();
    member_s3.head_bucket(&bucket).await.unwrap();
    // (moto answers HeadBucket for any account's bucket, so isolation is not checked here.)
}

#[tokio::test]
async fn bucket_and_bucket_policy_create_read_update_delete() {
    let sessions = sessions().await;
    let provider = AwsProvider::new(sessions.clone());
    let s3 = sessions.s3(&management()).await.unwrap();
    let s = management();
    let bucket = unique("bucket");
    // The access-log bucket: moto (like S3's documented rule) wants the logging service
    // allowed to write there before PutBucketLogging.
    let logs = unique("logs");
    s3.create_bucket(&logs, REGION).await.unwrap();
    s3.put_bucket_policy(
        &logs,
        &json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": ["s3:PutObject"], "Resource": format!("arn:aws:s3:::{logs}/*")
        }]})
        .to_string(),
    )
    .await
    .unwrap();
    let props = json!({
        "BucketName": bucket,
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "LoggingConfiguration": {"DestinationBucketName": logs, "LogFilePrefix": "state/"},
        "VersioningConfiguration": {"Status": "Enabled"},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/state"}}
        ]},
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": true, "IgnorePublicAcls": true,
            "BlockPublicPolicy": true, "RestrictPublicBuckets": true
        },
        "Tags": [{"Key": "team", "Value": "platform"}]
    });
    let req = create_request("AWS::S3::Bucket", "Bucket", props.clone());
    let created = provider.create(&s, &req).await.unwrap();
    assert_eq!(created.physical_id, bucket);
    assert_eq!(
        created.attributes["Arn"],
        json!(format!("arn:aws:s3:::{bucket}"))
    );

    // moto answers GetBucketVersioning with a <GetBucketVersioningResponse> root that the
    // Rust SDK refuses (AWS sends <VersioningConfiguration>): read it through boto3.
    assert_eq!(boto3_versioning(&bucket), "Enabled");
    let enc = s3.get_bucket_encryption(&bucket).await.unwrap().unwrap();
    assert_eq!(enc.algorithm, "aws:kms");
    assert_eq!(enc.kms_key_id.as_deref(), Some("alias/state"));
    let pab = s3.get_public_access_block(&bucket).await.unwrap().unwrap();
    assert!(pab.block_public_acls && pab.restrict_public_buckets);
    assert_eq!(
        s3.get_bucket_tagging(&bucket).await.unwrap(),
        vec![("team".to_owned(), "platform".to_owned())]
    );

    let read = provider
        .read(&s, &req.type_name, &bucket, &props)
        .await
        .unwrap();
    for key in ["OwnershipControls", "LoggingConfiguration"] {
        assert_eq!(read.properties[key], props[key], "{key}");
    }
    let unsupported = create_request(
        "AWS::S3::Bucket",
        "Other",
        json!({"BucketName": unique("other"), "ObjectLockEnabled": true}),
    );
    let refused = provider.create(&s, &unsupported).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidRequest);

    let mut next = props.clone();
    next["VersioningConfiguration"]["Status"] = json!("Suspended");
    next["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] = json!(false);
    next["LoggingConfiguration"]["LogFilePrefix"] = json!("other/");
    next["OwnershipControls"]["Rules"][0]["ObjectOwnership"] = json!("BucketOwnerPreferred");
    provider
        .update(
            &s,
            &update_request(&req.type_name, &bucket, &props, next.clone()),
        )
        .await
        .unwrap();
    let read = provider
        .read(&s, &req.type_name, &bucket, &next)
        .await
        .unwrap();
    for key in ["OwnershipControls", "LoggingConfiguration"] {
        assert_eq!(read.properties[key], next[key], "{key}");
    }
    assert_eq!(boto3_versioning(&bucket), "Suspended");
    assert!(
        !s3.get_public_access_block(&bucket)
            .await
            .unwrap()
            .unwrap()
            .block_public_policy
    );

    // The policy: bucket calls only (moto evaluates bucket policies on object calls without
    // condition keys, see moto-coverage.md).
    let policy = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    }]});
    let preq = create_request(
        "AWS::S3::BucketPolicy",
        "Policy",
        json!({"Bucket": bucket, "PolicyDocument": policy}),
    );
    assert!(provider.find(&s, &preq).await.unwrap().is_none());
    provider.create(&s, &preq).await.unwrap();
    let stored = s3.get_bucket_policy(&bucket).await.unwrap().unwrap();
    assert_eq!(serde_json::from_str::<Json>(&stored).unwrap(), policy);
    assert!(provider.find(&s, &preq).await.unwrap().is_some());
    provider
        .delete(&s, &preq.type_name, &bucket, &preq.properties)
        .await
        .unwrap();
    assert_eq!(s3.get_bucket_policy(&bucket).await.unwrap(), None);

    provider
        .delete(&s, &req.type_name, &bucket, &props)
        .await
        .unwrap();
    let gone = provider
        .read(&s, &req.type_name, &bucket, &props)
        .await
        .unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotFound);
    assert_eq!(
        s3.head_bucket(&bucket).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert!(provider.find(&s, &req).await.unwrap().is_none());
}

/// A lock-table resource policy; `sid` tells versions apart.
fn lock_policy(table: &str, sid: &str) -> Json {
    json!({"Version": "2012-10-17", "Statement": [{
        "Sid": sid, "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
        "Resource": format!("arn:aws:dynamodb:us-east-1:111111111111:table/{table}")
    }]})
}

#[tokio::test]
async fn table_with_point_in_time_recovery_create_read_update_delete() {
    let sessions = sessions().await;
    let provider = AwsProvider::new(sessions.clone());
    let dynamodb = sessions.dynamodb(&management()).await.unwrap();
    let s = management();
    let name = unique("table");
    let props = json!({
        "TableName": name,
        "KeySchema": [{"AttributeName": "LockID", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "LockID", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
        "DeletionProtectionEnabled": true,
        "SSESpecification": {
            "SSEEnabled": true, "SSEType": "KMS",
            "KMSMasterKeyId": "arn:aws:kms:us-east-1:111111111111:key/5f0e8c1e-0000-4000-8000-000000000001"
        },
        "ResourcePolicy": {"PolicyDocument": lock_policy(&name, "Locks")}
    });
    let req = create_request("AWS::DynamoDB::Table", "Table", props.clone());
    let created = provider.create(&s, &req).await.unwrap();
    assert!(created.attributes["Arn"].as_str().unwrap().ends_with(&name));
    assert!(dynamodb.describe_continuous_backups(&name).await.unwrap());
    let read = provider
        .read(&s, &req.type_name, &name, &props)
        .await
        .unwrap();
    for key in [
        "KeySchema",
        "AttributeDefinitions",
        "BillingMode",
        "PointInTimeRecoverySpecification",
        "DeletionProtectionEnabled",
        "SSESpecification",
    ] {
        assert_eq!(read.properties[key], props[key], "{key}");
    }
    // moto 5.2.5's CreateTable drops ResourcePolicy (AWS applies it): the policy at create
    // is checked with mocks (provider/dynamodb.rs tests); here through PutResourcePolicy.
    let mut next = props.clone();
    next["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] = json!(false);
    next["DeletionProtectionEnabled"] = json!(false);
    next["ResourcePolicy"]["PolicyDocument"] = lock_policy(&name, "Other");
    provider
        .update(
            &s,
            &update_request(&req.type_name, &name, &props, next.clone()),
        )
        .await
        .unwrap();
    assert!(!dynamodb.describe_continuous_backups(&name).await.unwrap());
    let read = provider
        .read(&s, &req.type_name, &name, &next)
        .await
        .unwrap();
    for key in [
        "PointInTimeRecoverySpecification",
        "DeletionProtectionEnabled",
        "SSESpecification",
        "ResourcePolicy",
    ] {
        assert_eq!(read.properties[key], next[key], "{key}");
    }
    let mut billing = next.clone();
    billing["BillingMode"] = json!("PROVISIONED");
    let refused = provider
        .update(&s, &update_request(&req.type_name, &name, &next, billing))
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::NotUpdatable);

    provider
        .delete(&s, &req.type_name, &name, &next)
        .await
        .unwrap();
    assert_eq!(
        dynamodb.describe_table(&name).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn role_and_oidc_provider_create_read_update_delete() {
    let sessions = sessions().await;
    let provider = AwsProvider::new(sessions.clone());
    let iam = sessions.iam(&management()).await.unwrap();
    let s = management();
    let name = unique("deploy");
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{MANAGEMENT}:oidc-provider/gitlab.com")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            "gitlab.com:sub": "project_path:group/infrastructure:ref_type:branch:ref:main",
            "gitlab.com:aud": "https://gitlab.com"
        }}
    }]});
    let logs = |action: &str| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": "*"}
        ]})
    };
    // Not in alphabetical order: the read-back keeps the template's order.
    let props = json!({
        "RoleName": name,
        "AssumeRolePolicyDocument": trust,
        "MaxSessionDuration": 3600,
        "Policies": [
            {"PolicyName": "write-logs", "PolicyDocument": logs("logs:PutLogEvents")},
            {"PolicyName": "read-logs", "PolicyDocument": logs("logs:GetLogEvents")}
        ],
        "Tags": [{"Key": "product", "Value": "house-escort"}, {"Key": "env", "Value": "prod"}]
    });
    let mut unsupported = props.clone();
    unsupported["RoleTitle"] = json!("x");
    let refused = provider
        .create(&s, &create_request("AWS::IAM::Role", "Role", unsupported))
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidRequest, "{refused:?}");
    let req = create_request("AWS::IAM::Role", "Role", props.clone());
    let created = provider.create(&s, &req).await.unwrap();
    let read = provider
        .read(&s, &req.type_name, &name, &props)
        .await
        .unwrap();
    for (k, v) in props.as_object().unwrap() {
        assert_eq!(read.properties.get(k), Some(v), "read back {k}");
    }
    assert_eq!(
        created.attributes["Arn"],
        json!(format!("arn:aws:iam::{MANAGEMENT}:role/{name}"))
    );
    let role = iam.get_role(&name).await.unwrap();
    assert_eq!(
        role.assume_role_policy,
        trust.to_string(),
        "byte-equal trust policy"
    );
    assert_eq!(role.max_session_duration, Some(3600));

    let mut next = props.clone();
    next["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
        ["gitlab.com:sub"] = json!("project_path:group/infrastructure:ref_type:branch:ref:prod");
    provider
        .update(
            &s,
            &update_request(&req.type_name, &name, &props, next.clone()),
        )
        .await
        .unwrap();
    let role = iam.get_role(&name).await.unwrap();
    assert_eq!(
        role.assume_role_policy,
        next["AssumeRolePolicyDocument"].to_string()
    );
    // Inline policies and tags change in place: one changed, one removed, one added.
    let mut third = next.clone();
    third["Policies"] = json!([
        {"PolicyName": "write-logs", "PolicyDocument": logs("logs:CreateLogStream")},
        {"PolicyName": "describe-logs", "PolicyDocument": logs("logs:DescribeLogGroups")}
    ]);
    third["Tags"] =
        json!([{"Key": "product", "Value": "house-escort-2"}, {"Key": "team", "Value": "infra"}]);
    provider
        .update(
            &s,
            &update_request(&req.type_name, &name, &next, third.clone()),
        )
        .await
        .unwrap();
    let read = provider
        .read(&s, &req.type_name, &name, &third)
        .await
        .unwrap();
    for (k, v) in third.as_object().unwrap() {
        assert_eq!(
            read.properties.get(k),
            Some(v),
            "read back after update {k}"
        );
    }
    let mut inline = iam.list_role_policies(&name).await.unwrap();
    inline.sort();
    assert_eq!(inline, vec!["describe-logs", "write-logs"]);
    let next = third;
    provider
        .delete(&s, &req.type_name, &name, &next)
        .await
        .unwrap();
    assert_eq!(
        iam.get_role(&name).await.unwrap_err().code,
        ErrorCode::NotFound
    );

    let url = format!("https://{}.example.com", unique("oidc"));
    let oidc = json!({"Url": url, "ClientIdList": ["sts.amazonaws.com"]});
    let oreq = create_request("AWS::IAM::OIDCProvider", "Oidc", oidc.clone());
    assert!(provider.find(&s, &oreq).await.unwrap().is_none());
    let arn = provider.create(&s, &oreq).await.unwrap().physical_id;
    assert_eq!(
        provider.find(&s, &oreq).await.unwrap().unwrap().physical_id,
        arn
    );
    let mut onext = oidc.clone();
    // moto 5.2.5 answers AddClientIDToOpenIDConnectProvider with a 500: change the
    // thumbprints instead.
    onext["ThumbprintList"] = json!(["a031c46782e6e6c662c2c87c76da9aa62ccabd8e"]);
    provider
        .update(
            &s,
            &update_request(&oreq.type_name, &arn, &oidc, onext.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        iam.get_open_id_connect_provider(&arn)
            .await
            .unwrap()
            .thumbprints,
        vec!["a031c46782e6e6c662c2c87c76da9aa62ccabd8e".to_owned()]
    );
    provider
        .delete(&s, &oreq.type_name, &arn, &onext)
        .await
        .unwrap();
    assert!(provider.find(&s, &oreq).await.unwrap().is_none());
}

#[tokio::test]
async fn organizational_unit_policy_and_account() {
    organization().await;
    let sessions = sessions().await;
    let provider = AwsProvider::new(sessions.clone());
    let orgs = sessions.organizations(&management()).await.unwrap();
    let s = management();

    let ou_name = unique("Workloads");
    let oreq = create_request(
        "AWS::Organizations::OrganizationalUnit",
        "Workloads",
        json!({"Name": ou_name}),
    );
    let ou = provider.create(&s, &oreq).await.unwrap();
    assert!(ou.physical_id.starts_with("ou-"));
    assert_eq!(
        provider.find(&s, &oreq).await.unwrap().unwrap().physical_id,
        ou.physical_id
    );
    let read = provider
        .read(&s, &oreq.type_name, &ou.physical_id, &oreq.properties)
        .await
        .unwrap();
    assert_eq!(read.properties["Name"], json!(ou_name));
    let renamed = json!({"Name": format!("{ou_name}-2")});
    provider
        .update(
            &s,
            &update_request(&oreq.type_name, &ou.physical_id, &oreq.properties, renamed),
        )
        .await
        .unwrap();
    assert_eq!(
        orgs.describe_organizational_unit(&ou.physical_id)
            .await
            .unwrap()
            .name,
        format!("{ou_name}-2")
    );

    let content = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*"}
    ]});
    let preq = create_request(
        "AWS::Organizations::Policy",
        "ProtectTrail",
        json!({"Name": unique("protect-trail"), "Type": "SERVICE_CONTROL_POLICY",
               "Content": content, "TargetIds": [ou.physical_id]}),
    );
    let policy = provider.create(&s, &preq).await.unwrap();
    assert_eq!(
        orgs.list_targets_for_policy(&policy.physical_id)
            .await
            .unwrap(),
        vec![ou.physical_id.clone()]
    );
    assert_eq!(
        provider.find(&s, &preq).await.unwrap().unwrap().physical_id,
        policy.physical_id
    );
    let mut pnext = preq.properties.clone();
    pnext["Content"]["Statement"][0]["Action"] = json!("cloudtrail:DeleteTrail");
    pnext["TargetIds"] = json!([]);
    provider
        .update(
            &s,
            &update_request(
                &preq.type_name,
                &policy.physical_id,
                &preq.properties,
                pnext.clone(),
            ),
        )
        .await
        .unwrap();
    let described = orgs.describe_policy(&policy.physical_id).await.unwrap();
    assert_eq!(described.content, pnext["Content"].to_string());
    assert!(orgs
        .list_targets_for_policy(&policy.physical_id)
        .await
        .unwrap()
        .is_empty());
    provider
        .delete(&s, &preq.type_name, &policy.physical_id, &pnext)
        .await
        .unwrap();
    assert_eq!(
        orgs.describe_policy(&policy.physical_id)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );

    // Accounts are idempotent by email: moto would create a duplicate (AWS fails late with
    // EMAIL_ALREADY_EXISTS), the provider finds the first one instead.
    let email = format!("{}@example.com", unique("prod"));
    let areq = create_request(
        "AWS::Organizations::Account",
        "Prod",
        json!({"AccountName": "prod", "Email": email, "ParentIds": [ou.physical_id],
               "Tags": [{"Key": "product", "Value": "house-escort"}, {"Key": "env", "Value": "prod"}]}),
    );
    let first = member_account_with(&provider, &areq).await;
    let second = member_account_with(&provider, &areq).await;
    assert_eq!(first, second);
    let same_email: Vec<_> = orgs
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.email == email)
        .collect();
    assert_eq!(same_email.len(), 1);
    let read = provider
        .read(&s, &areq.type_name, &first, &areq.properties)
        .await
        .unwrap();
    assert_eq!(read.properties, areq.properties);
    // A tag set outside the template is left alone and not read back as Landform's.
    orgs.tag_resource(&first, vec![("owner".into(), "finance".into())])
        .await
        .unwrap();
    let mut anext = areq.properties.clone();
    anext["Tags"] = json!([{"Key": "product", "Value": "house-escort-2"}]);
    provider
        .update(
            &s,
            &update_request(&areq.type_name, &first, &areq.properties, anext.clone()),
        )
        .await
        .unwrap();
    let read = provider
        .read(&s, &areq.type_name, &first, &anext)
        .await
        .unwrap();
    assert_eq!(
        read.properties["Tags"],
        json!([{"Key": "product", "Value": "house-escort-2"}, {"Key": "owner", "Value": "finance"}])
    );
    let mut tags = orgs.list_tags_for_resource(&first).await.unwrap();
    tags.sort();
    assert_eq!(
        tags,
        vec![
            ("owner".to_owned(), "finance".to_owned()),
            ("product".to_owned(), "house-escort-2".to_owned())
        ]
    );

    // An OU that still holds an account is not deleted (the project's moto refuses it as AWS
    // does; moto alone left the account without a parent), and stays readable.
    let refused = provider
        .delete(&s, &oreq.type_name, &ou.physical_id, &oreq.properties)
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::ResourceConflict, "{refused}");
    assert!(
        refused
            .to_string()
            .contains("OrganizationalUnitNotEmptyException"),
        "{refused}"
    );
    assert!(provider
        .read(&s, &oreq.type_name, &ou.physical_id, &oreq.properties)
        .await
        .is_ok());
    assert!(provider
        .read(&s, &areq.type_name, &first, &anext)
        .await
        .is_ok());
}

async fn member_account_with(provider: &AwsProvider, req: &CreateRequest) -> String {
    let mut state = provider.create(&management(), req).await.unwrap();
    while state.in_progress_retry_ms.is_some() {
        state = provider
            .read(
                &management(),
                &req.type_name,
                &state.physical_id,
                &req.properties,
            )
            .await
            .unwrap();
    }
    state.physical_id
}

#[tokio::test]
async fn a_second_apply_of_the_same_resources_makes_no_write() {
    let sessions = sessions().await;
    let mut app = App::new();
    let stage = app.add_stage("Management", Environment::new(MANAGEMENT, REGION));
    let stack = app.add_stack(stage, "StateBackend");
    let bucket = unique("engine-state");
    let table = unique("engine-locks");
    let role = unique("engine-role");
    let mut scope = app.scope(stack);
    scope.add_resource(
        "Bucket",
        Resource::new("AWS::S3::Bucket")
            .property("BucketName", bucket.as_str())
            .property("VersioningConfiguration", json!({"Status": "Enabled"})),
    );
    scope.add_resource(
        "Locks",
        Resource::new("AWS::DynamoDB::Table")
            .property("TableName", table.as_str())
            .property(
                "KeySchema",
                json!([{"AttributeName": "LockID", "KeyType": "HASH"}]),
            )
            .property(
                "AttributeDefinitions",
                json!([{"AttributeName": "LockID", "AttributeType": "S"}]),
            )
            .property("BillingMode", "PAY_PER_REQUEST"),
    );
    scope.add_resource(
        "Role",
        Resource::new("AWS::IAM::Role")
            .property("RoleName", role.as_str())
            .property(
                "AssumeRolePolicyDocument",
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            ),
    );
    let assembly = app.synth().unwrap();
    let registry = AwsProvider::new(sessions.clone())
        .layered_registry(RetryPolicy::default(), Arc::new(TokioClock::new()));
    let state: Arc<dyn StateStore> = Arc::new(MemoryStateStore::new());
    let engine = Engine::new(
        registry,
        state,
        Arc::new(MemoryLock::new()),
        sessions.clone(),
    );

    let first = engine.apply(&assembly).await.unwrap();
    assert_eq!(first.created, 3, "{first}");
    let second = engine.apply(&assembly).await.unwrap();
    assert_eq!(second.writes, 0, "{second}");
    assert_eq!(second.unchanged, 3, "{second}");

    let destroyed = engine.destroy().await.unwrap();
    assert_eq!(destroyed.deleted, 3, "{destroyed}");
    let s3 = sessions.s3(&management()).await.unwrap();
    assert_eq!(
        s3.head_bucket(&bucket).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}
