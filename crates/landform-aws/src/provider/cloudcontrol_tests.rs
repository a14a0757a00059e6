//! Call sequences of the generic Cloud Control handler against a mocked
//! [`CloudControlApi`] (moto has no Cloud Control API): create, the in-progress hand-off and
//! its polling, update by JSON Patch, delete, failures with their handler codes, throttling
//! retried by the engine's layer, and bounded waits. Time is tokio's, paused.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use landform_deploy::{
    CreateRequest, ErrorCode, Provider, ProviderError, Retry, RetryPolicy, Session, TokioClock,
    UpdateRequest,
};
use mockall::predicate::eq;
use mockall::Sequence;
use serde_json::json;

use super::*;
use crate::api::{DynamoDbApi, IamApi, MockCloudControlApi, OrganizationsApi, S3Api};
use crate::provider::{permissions, AwsProvider, CLOUD_CONTROL_PERMISSIONS};

struct Clients(Arc<dyn CloudControlApi>);

fn none() -> ProviderError {
    ProviderError::new(ErrorCode::InvalidRequest, "no such mock")
}

#[async_trait]
impl ClientSource for Clients {
    async fn s3(&self, _: &Session) -> Result<Arc<dyn S3Api>, ProviderError> {
        Err(none())
    }
    async fn dynamodb(&self, _: &Session) -> Result<Arc<dyn DynamoDbApi>, ProviderError> {
        Err(none())
    }
    async fn iam(&self, _: &Session) -> Result<Arc<dyn IamApi>, ProviderError> {
        Err(none())
    }
    async fn organizations(&self, _: &Session) -> Result<Arc<dyn OrganizationsApi>, ProviderError> {
        Err(none())
    }
    async fn cloudcontrol(&self, _: &Session) -> Result<Arc<dyn CloudControlApi>, ProviderError> {
        Ok(self.0.clone())
    }
}

fn handler(api: MockCloudControlApi) -> CloudControlProvider {
    CloudControlProvider::new(Arc::new(Clients(Arc::new(api))))
        .with_wait(Duration::from_secs(2), Duration::from_secs(60))
}

fn session() -> Session {
    Session::new("111111111111", "us-east-1")
}

fn event(status: RequestStatus, token: &str, identifier: Option<&str>) -> ProgressEvent {
    ProgressEvent {
        status,
        request_token: token.to_owned(),
        identifier: identifier.map(str::to_owned),
        error_code: None,
        status_message: None,
        retry_after_ms: None,
    }
}

fn failed(token: &str, code: &str, message: &str) -> ProgressEvent {
    ProgressEvent {
        error_code: Some(code.to_owned()),
        status_message: Some(message.to_owned()),
        ..event(RequestStatus::Failed, token, None)
    }
}

fn repository_request() -> CreateRequest {
    CreateRequest {
        type_name: "AWS::ECR::Repository".into(),
        stack: "Management-Delivery".into(),
        logical_id: "Images".into(),
        properties: json!({"RepositoryName": "app", "ImageTagMutability": "IMMUTABLE"}),
        physical_name: "Management-Delivery-Images".into(),
        idempotency_key: "Management-Delivery/Images".into(),
    }
}

fn live_repository() -> (String, serde_json::Value) {
    (
        "app".into(),
        json!({
            "RepositoryName": "app",
            "ImageTagMutability": "IMMUTABLE",
            "Arn": "arn:aws:ecr:us-east-1:111111111111:repository/app",
            "RepositoryUri": "111111111111.dkr.ecr.us-east-1.amazonaws.com/app"
        }),
    )
}

#[tokio::test(start_paused = true)]
async fn create_sends_the_desired_state_with_a_stable_token_and_reads_the_resource_back() {
    let mut api = MockCloudControlApi::new();
    let mut seq = Sequence::new();
    let token = client_token(&["Management-Delivery/Images", "create"]);
    api.expect_create_resource()
        .with(
            eq("AWS::ECR::Repository"),
            eq(json!({"RepositoryName": "app", "ImageTagMutability": "IMMUTABLE"})),
            eq(token.clone()),
        )
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(event(RequestStatus::Success, "r1", Some("app"))));
    api.expect_get_resource()
        .with(eq("AWS::ECR::Repository"), eq("app"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(live_repository()));
    let state = handler(api)
        .create(&session(), &repository_request())
        .await
        .unwrap();
    assert_eq!(state.physical_id, "app");
    assert!(state.in_progress_retry_ms.is_none());
    // The read-only properties are the attributes Fn::GetAtt reads.
    assert_eq!(
        state.attributes["RepositoryUri"],
        "111111111111.dkr.ecr.us-east-1.amazonaws.com/app"
    );
    assert!(state.attributes.contains_key("Arn"));
    assert!(!state.attributes.contains_key("ImageTagMutability"));
    assert!(token.len() <= 128 && token.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[tokio::test(start_paused = true)]
async fn a_running_create_is_handed_to_the_engine_and_read_by_its_request_token() {
    let mut api = MockCloudControlApi::new();
    let mut seq = Sequence::new();
    api.expect_create_resource()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| {
            Ok(ProgressEvent {
                retry_after_ms: Some(1_500),
                ..event(RequestStatus::InProgress, "r1", None)
            })
        });
    api.expect_request_status()
        .with(eq("r1"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(event(RequestStatus::InProgress, "r1", Some("app"))));
    api.expect_request_status()
        .with(eq("r1"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(event(RequestStatus::Success, "r1", Some("app"))));
    api.expect_get_resource()
        .with(eq("AWS::ECR::Repository"), eq("app"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(live_repository()));
    let h = handler(api);
    let request = repository_request();
    let started = h.create(&session(), &request).await.unwrap();
    // The engine records the request token and waits as Cloud Control asked.
    assert_eq!(started.physical_id, format!("{REQUEST_PREFIX}r1"));
    assert_eq!(started.in_progress_retry_ms, Some(1_500));
    let again = h
        .read(
            &session(),
            &request.type_name,
            &started.physical_id,
            &request.properties,
        )
        .await
        .unwrap();
    assert!(again.in_progress_retry_ms.is_some(), "still running");
    let done = h
        .read(
            &session(),
            &request.type_name,
            &again.physical_id,
            &request.properties,
        )
        .await
        .unwrap();
    assert_eq!(done.physical_id, "app");
    assert!(done.in_progress_retry_ms.is_none());
}

#[tokio::test(start_paused = true)]
async fn update_sends_a_json_patch_of_what_changed_and_waits_for_the_request() {
    let mut api = MockCloudControlApi::new();
    let mut seq = Sequence::new();
    let patch = json!([
        {"op": "replace", "path": "/DisplayName", "value": "Alarms"},
        {"op": "add", "path": "/ContentBasedDeduplication", "value": true},
        {"op": "remove", "path": "/Tags"}
    ]);
    let arn = "arn:aws:sns:us-east-1:111111111111:alerts";
    api.expect_update_resource()
        .with(
            eq("AWS::SNS::Topic"),
            eq(arn),
            eq(patch.clone()),
            mockall::predicate::always(),
        )
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _| Ok(event(RequestStatus::InProgress, "u1", None)));
    api.expect_request_status()
        .with(eq("u1"))
        .times(2)
        .in_sequence(&mut seq)
        .returning(|_| Ok(event(RequestStatus::InProgress, "u1", None)));
    api.expect_request_status()
        .with(eq("u1"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(event(RequestStatus::Success, "u1", None)));
    api.expect_get_resource()
        .with(eq("AWS::SNS::Topic"), eq(arn))
        .times(1)
        .in_sequence(&mut seq)
        .returning(move |_, _| {
            Ok((
                arn.to_owned(),
                json!({"TopicName": "alerts", "DisplayName": "Alarms", "TopicArn": arn}),
            ))
        });
    let start = tokio::time::Instant::now();
    let state = handler(api)
        .update(
            &session(),
            &UpdateRequest {
                type_name: "AWS::SNS::Topic".into(),
                physical_id: arn.into(),
                // TopicName is create-only: never patched (the engine replaces for it).
                previous: json!({"TopicName": "alerts", "DisplayName": "Alerts", "Tags": []}),
                properties: json!({"TopicName": "renamed", "DisplayName": "Alarms", "ContentBasedDeduplication": true}),
            },
        )
        .await
        .unwrap();
    assert_eq!(state.attributes["TopicArn"], arn);
    // Three polls, two seconds apart, on tokio's paused clock.
    assert_eq!(start.elapsed(), Duration::from_secs(6));
}

#[tokio::test(start_paused = true)]
async fn an_unchanged_update_sends_no_patch() {
    let mut api = MockCloudControlApi::new();
    api.expect_update_resource().never();
    api.expect_get_resource()
        .times(1)
        .returning(|_, _| Ok(live_repository()));
    let props = json!({"RepositoryName": "app"});
    handler(api)
        .update(
            &session(),
            &UpdateRequest {
                type_name: "AWS::ECR::Repository".into(),
                physical_id: "app".into(),
                previous: props.clone(),
                properties: props,
            },
        )
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn delete_waits_and_a_failure_keeps_its_handler_code_and_request_token() {
    let mut api = MockCloudControlApi::new();
    let mut seq = Sequence::new();
    api.expect_delete_resource()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(event(RequestStatus::Pending, "d1", Some("app"))));
    api.expect_request_status()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(event(RequestStatus::Success, "d1", Some("app"))));
    let h = handler(api);
    h.delete(&session(), "AWS::ECR::Repository", "app", &json!({}))
        .await
        .unwrap();

    // Already gone: NotFound, which the engine takes as deleted.
    let mut api = MockCloudControlApi::new();
    api.expect_delete_resource()
        .returning(|_, _, _| Ok(failed("d2", "NotFound", "Repository app does not exist")));
    let gone = handler(api)
        .delete(&session(), "AWS::ECR::Repository", "app", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotFound);
    assert_eq!(gone.request_id.as_deref(), Some("d2"));
    assert_eq!(gone.service_code.as_deref(), Some("NotFound"));

    // A create whose name is taken fails with AlreadyExists and the handler's message.
    let mut api = MockCloudControlApi::new();
    api.expect_create_resource()
        .returning(|_, _, _| Ok(failed("c1", "AlreadyExists", "app already exists")));
    let taken = handler(api)
        .create(&session(), &repository_request())
        .await
        .unwrap_err();
    assert_eq!(taken.code, ErrorCode::AlreadyExists);
    assert!(taken.message.contains("app already exists"), "{taken}");
}

#[tokio::test(start_paused = true)]
async fn read_of_a_deleted_resource_is_not_found() {
    let mut api = MockCloudControlApi::new();
    api.expect_get_resource().returning(|_, _| {
        Err(ProviderError::new(ErrorCode::NotFound, "gone")
            .with_service_code("ResourceNotFoundException"))
    });
    let err = handler(api)
        .read(&session(), "AWS::ECR::Repository", "app", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_by_the_engine_s_layer_with_the_same_token() {
    let mut api = MockCloudControlApi::new();
    let mut seq = Sequence::new();
    let token = client_token(&["Management-Delivery/Images", "create"]);
    api.expect_create_resource()
        .with(
            mockall::predicate::always(),
            mockall::predicate::always(),
            eq(token.clone()),
        )
        .times(2)
        .in_sequence(&mut seq)
        .returning(|_, _, _| {
            Err(ProviderError::new(ErrorCode::Throttling, "Rate exceeded")
                .with_service_code("ThrottlingException"))
        });
    api.expect_create_resource()
        .with(
            mockall::predicate::always(),
            mockall::predicate::always(),
            eq(token),
        )
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(event(RequestStatus::Success, "r1", Some("app"))));
    api.expect_get_resource()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(live_repository()));
    let layered = Retry::new(
        Arc::new(handler(api)),
        RetryPolicy::default(),
        Arc::new(TokioClock::new()),
    );
    let state = layered
        .create(&session(), &repository_request())
        .await
        .unwrap();
    assert_eq!(state.physical_id, "app");
}

#[tokio::test(start_paused = true)]
async fn a_request_that_never_finishes_is_an_error_after_the_bound_not_a_hang() {
    let mut api = MockCloudControlApi::new();
    api.expect_delete_resource()
        .returning(|_, _, _| Ok(event(RequestStatus::InProgress, "d1", None)));
    api.expect_request_status()
        .returning(|_| Ok(event(RequestStatus::InProgress, "d1", None)));
    let start = tokio::time::Instant::now();
    let err = handler(api)
        .delete(&session(), "AWS::ECR::Repository", "app", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.request_id.as_deref(), Some("d1"));
    assert!(err.message.contains("still running"), "{err}");
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn find_looks_a_named_resource_up_and_never_one_aws_names() {
    let mut api = MockCloudControlApi::new();
    api.expect_get_resource()
        .with(eq("AWS::ECR::Repository"), eq("app"))
        .times(1)
        .returning(|_, _| Ok(live_repository()));
    let h = handler(api);
    let found = h.find(&session(), &repository_request()).await.unwrap();
    assert_eq!(found.unwrap().physical_id, "app");
    // A topic's identifier is its ARN, which AWS makes: nothing to look up by.
    let topic = CreateRequest {
        type_name: "AWS::SNS::Topic".into(),
        properties: json!({"TopicName": "alerts"}),
        ..repository_request()
    };
    assert!(h.find(&session(), &topic).await.unwrap().is_none());
}

#[test]
fn the_patch_skips_create_only_and_read_only_properties_and_escapes_pointers() {
    let topic = landform_core::schema::lookup("AWS::SNS::Topic");
    let patch = json_patch(
        topic,
        &json!({"TopicName": "a", "TopicArn": "x"}),
        &json!({"TopicName": "b", "TopicArn": "y", "a/b~c": 1}),
    );
    assert_eq!(
        patch,
        json!([{"op": "add", "path": "/a~1b~0c", "value": 1}])
    );
}

#[test]
fn every_type_without_a_dedicated_handler_that_cloud_control_manages_is_routed_to_it() {
    assert!(manages("AWS::SNS::Topic") && manages("AWS::ECR::Repository"));
    assert!(!manages("Custom::AccountPasswordPolicy"));
    assert!(!manages("AWS::No::Such"));
    let registry =
        AwsProvider::new(Arc::new(Clients(Arc::new(MockCloudControlApi::new())))).registry();
    assert!(registry.provider("AWS::SNS::Topic").is_some());
    assert!(registry.provider("AWS::ECR::Repository").is_some());
    assert!(registry.provider("AWS::S3::Bucket").is_some());
    assert_eq!(
        permissions("AWS::SNS::Topic"),
        CLOUD_CONTROL_PERMISSIONS,
        "the generic handler's calls"
    );
    assert!(permissions("AWS::S3::Bucket").contains(&"s3:CreateBucket"));
}
