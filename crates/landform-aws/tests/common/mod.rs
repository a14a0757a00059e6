//! What every moto test binary shares: the one moto_server (started through
//! `scripts/moto.sh start`, a no-op when running), sessions against it, unique names, the
//! management session, the organization, and request builders.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use landform_aws::api::TableSpec;
use landform_aws::{AwsConfig, AwsSessions, ClientSource};
use landform_deploy::{CreateRequest, Session, UpdateRequest};
use serde_json::Value as Json;

pub const MANAGEMENT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub fn moto_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let out = Command::new("bash")
            .arg("scripts/moto.sh")
            .arg("start")
            .current_dir(&root)
            .output()
            .expect("run scripts/moto.sh");
        assert!(
            out.status.success(),
            "scripts/moto.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "moto url: {url}");
        // Dummy credentials: never reach real AWS.
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_SESSION_TOKEN", "testing");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::remove_var("AWS_PROFILE");
        url
    })
}

pub async fn sessions() -> Arc<AwsSessions> {
    let config = AwsConfig::new(REGION).with_endpoint_url(moto_url());
    Arc::new(AwsSessions::new(config).await)
}

pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{nanos:x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn management() -> Session {
    Session::new(MANAGEMENT, REGION)
}

/// An SDK configuration for moto, as the management account, for a test's own calls.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(moto_url())
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                    aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https(),
        )
        .load()
        .await
}

pub async fn organization() {
    let config = sdk_config().await;
    let orgs = aws_sdk_organizations::Client::new(&config);
    // Already in an organization is fine: tests share one moto.
    let _ = orgs
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await;
    let _ = orgs
        .enable_policy_type()
        .root_id(
            orgs.list_roots().send().await.unwrap().roots.unwrap()[0]
                .id
                .clone()
                .unwrap(),
        )
        .policy_type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await;
}

pub fn create_request(type_name: &str, logical_id: &str, properties: Json) -> CreateRequest {
    CreateRequest {
        type_name: type_name.into(),
        stack: "Moto".into(),
        logical_id: logical_id.into(),
        properties,
        physical_name: landform_deploy::physical_name("Moto", logical_id),
        idempotency_key: unique("key"),
    }
}

pub fn update_request(
    type_name: &str,
    id: &str,
    previous: &Json,
    properties: Json,
) -> UpdateRequest {
    UpdateRequest {
        type_name: type_name.into(),
        physical_id: id.into(),
        previous: previous.clone(),
        properties,
    }
}

pub async fn lock_table(sessions: &AwsSessions) -> String {
    let table = unique("locks");
    sessions
        .dynamodb(&management())
        .await
        .unwrap()
        .create_table(&TableSpec {
            name: table.clone(),
            key_schema: vec![("LockID".into(), "HASH".into())],
            attribute_definitions: vec![("LockID".into(), "S".into())],
            billing_mode: "PAY_PER_REQUEST".into(),
            ..TableSpec::default()
        })
        .await
        .unwrap();
    table
}
