//! Lambda functions (inline code) and their CloudWatch Logs log groups.

mod code;
mod log_group;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::{json, Value as Json};

use super::kms::{like, only_in_place, tags_like};
use super::{integer, required, string, strings, tags, unknown, ClientSource, Family};
use crate::api::{FunctionInfo, FunctionSpec, LambdaApi};
use crate::error::ErrorCode;

/// Lambda functions and CloudWatch Logs log groups.
pub(super) struct Lambda;

const FUNCTION: &str = "AWS::Lambda::Function";
const LOG_GROUP: &str = "AWS::Logs::LogGroup";

/// The function properties changed through UpdateFunctionConfiguration.
const CONFIGURATION: &[&str] = &[
    "Role",
    "Handler",
    "Runtime",
    "Timeout",
    "MemorySize",
    "Description",
    "Environment",
    "LoggingConfig",
];

#[async_trait]
impl Family for Lambda {
    fn types(&self) -> &'static [&'static str] {
        &[FUNCTION, LOG_GROUP]
    }
    fn permissions(&self, type_name: &str) -> &'static [&'static str] {
        match type_name {
            FUNCTION => &[
                "lambda:CreateFunction",
                "lambda:GetFunction",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
                "lambda:DeleteFunction",
                "lambda:TagResource",
                // CreateFunction and UpdateFunctionConfiguration pass the execution role.
                "iam:PassRole",
            ],
            LOG_GROUP => &[
                "logs:CreateLogGroup",
                "logs:DescribeLogGroups",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:AssociateKmsKey",
                "logs:DisassociateKmsKey",
                "logs:ListTagsForResource",
                "logs:TagResource",
                "logs:UntagResource",
                "logs:DeleteLogGroup",
            ],
            _ => &[],
        }
    }
    async fn create(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        match request.type_name.as_str() {
            FUNCTION => create_function(&*clients.lambda(session).await?, request).await,
            LOG_GROUP => log_group::create(&*clients.logs(session).await?, request).await,
            other => Err(unknown(other)),
        }
    }
    async fn read(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        match type_name {
            FUNCTION => {
                read_function(&*clients.lambda(session).await?, physical_id, properties).await
            }
            LOG_GROUP => {
                log_group::read(&*clients.logs(session).await?, physical_id, properties).await
            }
            other => Err(unknown(other)),
        }
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        match request.type_name.as_str() {
            FUNCTION => update_function(&*clients.lambda(session).await?, request).await,
            LOG_GROUP => log_group::update(&*clients.logs(session).await?, request).await,
            other => Err(unknown(other)),
        }
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        match type_name {
            FUNCTION => {
                clients
                    .lambda(session)
                    .await?
                    .delete_function(physical_id)
                    .await
            }
            LOG_GROUP => log_group::delete(&*clients.logs(session).await?, physical_id).await,
            other => Err(unknown(other)),
        }
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        // Both types are named (by the template or the engine's physical name).
        let name = match request.type_name.as_str() {
            FUNCTION => function_name(request),
            LOG_GROUP => log_group::name(request),
            other => return Err(unknown(other)),
        };
        match self
            .read(
                clients,
                session,
                &request.type_name,
                &name,
                &request.properties,
            )
            .await
        {
            Ok(state) => Ok(Some(state)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn function_name(request: &CreateRequest) -> String {
    string(&request.properties, "FunctionName").unwrap_or_else(|| request.physical_name.clone())
}

fn arn_attribute(arn: &str) -> BTreeMap<String, Json> {
    [("Arn".to_owned(), json!(arn))].into_iter().collect()
}

/// The inline source: only `Code.ZipFile` is supported (no S3 or image packages).
fn inline_source(name: &str, props: &Json) -> Result<String, ProviderError> {
    props
        .get("Code")
        .and_then(|c| c.get("ZipFile"))
        .and_then(Json::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            ProviderError::new(
                ErrorCode::InvalidRequest,
                format!("function {name}: only inline code (Code.ZipFile) is supported by this provider"),
            )
        })
}

fn spec(name: &str, p: &Json) -> Result<FunctionSpec, ProviderError> {
    let int = |key: &str| integer(p.get(key)).and_then(|v| i32::try_from(v).ok());
    Ok(FunctionSpec {
        name: name.to_owned(),
        role: string(p, "Role").ok_or_else(|| required(FUNCTION, "Role"))?,
        handler: string(p, "Handler").ok_or_else(|| required(FUNCTION, "Handler"))?,
        runtime: string(p, "Runtime").ok_or_else(|| required(FUNCTION, "Runtime"))?,
        timeout: int("Timeout"),
        memory_size: int("MemorySize"),
        description: string(p, "Description"),
        environment: p
            .pointer("/Environment/Variables")
            .and_then(Json::as_object)
            .map(|vars| {
                vars.iter()
                    .map(|(k, v)| {
                        let v = v
                            .as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string());
                        (k.clone(), v)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        architectures: strings(p, "Architectures"),
        log_group: p
            .pointer("/LoggingConfig/LogGroup")
            .and_then(Json::as_str)
            .map(str::to_owned),
    })
}

/// Wait until the function is no longer being created or updated: Lambda refuses a second
/// update while one runs. Lambda takes seconds; moto is done at once, so no wait there.
async fn wait_ready(lambda: &dyn LambdaApi, name: &str) -> Result<FunctionInfo, ProviderError> {
    for _ in 0..300 {
        let f = lambda.get_function(name).await?;
        let busy = f.state.as_deref() == Some("Pending")
            || f.last_update_status.as_deref() == Some("InProgress");
        if f.state.as_deref() == Some("Failed") || f.last_update_status.as_deref() == Some("Failed")
        {
            return Err(ProviderError::new(
                ErrorCode::GeneralServiceException,
                format!(
                    "function {name} failed to become ready (state {:?}, last update {:?})",
                    f.state, f.last_update_status
                ),
            ));
        }
        if !busy {
            return Ok(f);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Err(ProviderError::new(
        ErrorCode::ServiceInternal,
        format!("function {name} was still busy after five minutes"),
    ))
}

async fn create_function(
    lambda: &dyn LambdaApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let name = function_name(request);
    let spec = spec(&name, p)?;
    let package = code::archive(&spec.runtime, &inline_source(&name, p)?)?;
    let arn = lambda.create_function(&spec, package, tags(p)).await?;
    wait_ready(lambda, &name).await?;
    Ok(ResourceState::ready(name, arn_attribute(&arn), p.clone()))
}

async fn read_function(
    lambda: &dyn LambdaApi,
    name: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let f = lambda.get_function(name).await?;
    let s = &f.spec;
    let mut props = serde_json::Map::new();
    props.insert("FunctionName".into(), json!(s.name));
    props.insert("Role".into(), json!(s.role));
    props.insert("Handler".into(), json!(s.handler));
    props.insert("Runtime".into(), json!(s.runtime));
    if let Some(t) = s.timeout {
        props.insert("Timeout".into(), like(recorded.get("Timeout"), json!(t)));
    }
    if let Some(m) = s.memory_size {
        props.insert(
            "MemorySize".into(),
            like(recorded.get("MemorySize"), json!(m)),
        );
    }
    if let Some(d) = s.description.as_ref().filter(|d| !d.is_empty()) {
        props.insert("Description".into(), json!(d));
    }
    if !s.environment.is_empty() {
        props.insert("Environment".into(), json!({ "Variables": s.environment }));
    }
    if !s.architectures.is_empty() {
        props.insert("Architectures".into(), json!(s.architectures));
    }
    if let (Some(group), Some(_)) = (&s.log_group, recorded.get("LoggingConfig")) {
        props.insert("LoggingConfig".into(), json!({ "LogGroup": group }));
    }
    // The deployed package is the template's source when its hash is the hash of the archive
    // this provider makes of that source; otherwise report the hash, which differs.
    let unchanged = inline_source(name, recorded)
        .and_then(|source| code::archive(&s.runtime, &source))
        .map(|package| code::code_sha256(&package) == f.code_sha256)
        .unwrap_or(false);
    let code = match recorded.get("Code") {
        Some(c) if unchanged => c.clone(),
        _ => json!({ "CodeSha256": f.code_sha256 }),
    };
    props.insert("Code".into(), code);
    let function_tags = tags_like(f.tags.clone(), recorded);
    if recorded.get("Tags").is_some() || function_tags.as_array().is_some_and(|t| !t.is_empty()) {
        props.insert("Tags".into(), function_tags);
    }
    Ok(ResourceState::ready(
        name,
        arn_attribute(&f.arn),
        Json::Object(props),
    ))
}

async fn update_function(
    lambda: &dyn LambdaApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let mut in_place = CONFIGURATION.to_vec();
    in_place.extend(["Code", "Architectures"]);
    only_in_place(request, &in_place)?;
    let (prev, next, name) = (&request.previous, &request.properties, &request.physical_id);
    let spec = spec(name, next)?;
    let changed = |key: &str| prev.get(key) != next.get(key);
    // The package depends on the runtime too (index.py or index.js).
    if changed("Code") || changed("Architectures") || changed("Runtime") {
        let package = code::archive(&spec.runtime, &inline_source(name, next)?)?;
        lambda
            .update_function_code(name, package, spec.architectures.clone())
            .await?;
        wait_ready(lambda, name).await?;
    }
    if CONFIGURATION.iter().any(|k| changed(k)) {
        lambda.update_function_configuration(&spec).await?;
    }
    let f = wait_ready(lambda, name).await?;
    Ok(ResourceState::ready(
        name.clone(),
        arn_attribute(&f.arn),
        next.clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MockLambdaApi;
    use mockall::predicate::eq;
    use mockall::Sequence;

    const SOURCE: &str = "def handler(event, context):\n    return 1\n";

    fn props() -> Json {
        json!({
            "FunctionName": "f",
            "Role": "arn:aws:iam::1:role/r",
            "Handler": "index.handler",
            "Runtime": "python3.13",
            "Timeout": 60,
            "MemorySize": 128,
            "Architectures": ["arm64"],
            "Code": {"ZipFile": SOURCE},
        })
    }

    fn deployed(source: &str, status: &str) -> FunctionInfo {
        let package = code::archive("python3.13", source).unwrap();
        FunctionInfo {
            spec: spec("f", &props()).unwrap(),
            arn: "arn:aws:lambda:us-east-1:1:function:f".into(),
            code_sha256: code::code_sha256(&package),
            state: Some("Active".into()),
            last_update_status: Some(status.into()),
            tags: vec![],
        }
    }

    #[tokio::test]
    async fn create_sends_the_zipped_source_and_waits_until_active() {
        let mut lambda = MockLambdaApi::new();
        let expected = code::archive("python3.13", SOURCE).unwrap();
        lambda
            .expect_create_function()
            .withf(move |spec, package, _| {
                spec.name == "f" && spec.architectures == ["arm64"] && *package == expected
            })
            .times(1)
            .returning(|_, _, _| Ok("arn:aws:lambda:us-east-1:1:function:f".into()));
        lambda
            .expect_get_function()
            .times(1)
            .returning(|_| Ok(deployed(SOURCE, "Successful")));
        let request = CreateRequest {
            type_name: FUNCTION.into(),
            stack: "S".into(),
            logical_id: "L".into(),
            properties: props(),
            physical_name: "S-L".into(),
            idempotency_key: "k".into(),
        };
        let state = create_function(&lambda, &request).await.unwrap();
        assert_eq!(state.physical_id, "f");
        assert_eq!(
            state.attributes["Arn"],
            json!("arn:aws:lambda:us-east-1:1:function:f")
        );
    }

    #[tokio::test]
    async fn read_reports_the_code_unchanged_only_when_the_hash_matches() {
        let mut lambda = MockLambdaApi::new();
        lambda
            .expect_get_function()
            .times(1)
            .returning(|_| Ok(deployed(SOURCE, "Successful")));
        lambda
            .expect_get_function()
            .times(1)
            .returning(|_| Ok(deployed("changed behind our back", "Successful")));
        let same = read_function(&lambda, "f", &props()).await.unwrap();
        assert_eq!(same.properties, props());
        let drifted = read_function(&lambda, "f", &props()).await.unwrap();
        assert_ne!(drifted.properties["Code"], props()["Code"]);
        assert!(drifted.properties["Code"]["CodeSha256"].is_string());
    }

    #[tokio::test]
    async fn a_code_change_updates_the_code_then_waits_and_leaves_the_configuration() {
        let mut lambda = MockLambdaApi::new();
        let mut seq = Sequence::new();
        let mut next = props();
        next["Code"]["ZipFile"] = json!("def handler(e, c):\n    return 2\n");
        let expected = code::archive("python3.13", "def handler(e, c):\n    return 2\n").unwrap();
        lambda
            .expect_update_function_code()
            .with(eq("f"), eq(expected), eq(vec!["arm64".to_owned()]))
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(()));
        lambda
            .expect_get_function()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Ok(deployed(SOURCE, "Successful")));
        lambda.expect_update_function_configuration().never();
        lambda
            .expect_get_function()
            .returning(|_| Ok(deployed(SOURCE, "Successful")));
        update_function(
            &lambda,
            &UpdateRequest {
                type_name: FUNCTION.into(),
                physical_id: "f".into(),
                previous: props(),
                properties: next,
            },
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn a_failed_update_is_an_error() {
        let mut lambda = MockLambdaApi::new();
        lambda
            .expect_update_function_configuration()
            .returning(|_| Ok(()));
        lambda
            .expect_get_function()
            .returning(|_| Ok(deployed(SOURCE, "Failed")));
        let mut next = props();
        next["Timeout"] = json!(30);
        let err = update_function(
            &lambda,
            &UpdateRequest {
                type_name: FUNCTION.into(),
                physical_id: "f".into(),
                previous: props(),
                properties: next,
            },
        )
        .await
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::GeneralServiceException);
    }

    #[tokio::test]
    async fn tags_cannot_change_in_place_and_s3_code_is_refused() {
        let lambda = MockLambdaApi::new();
        let mut next = props();
        next["Tags"] = json!([{"Key": "a", "Value": "b"}]);
        let err = update_function(
            &lambda,
            &UpdateRequest {
                type_name: FUNCTION.into(),
                physical_id: "f".into(),
                previous: props(),
                properties: next,
            },
        )
        .await
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::NotUpdatable);
        let mut s3 = props();
        s3["Code"] = json!({"S3Bucket": "b", "S3Key": "k"});
        let request = CreateRequest {
            type_name: FUNCTION.into(),
            stack: "S".into(),
            logical_id: "L".into(),
            properties: s3,
            physical_name: "S-L".into(),
            idempotency_key: "k".into(),
        };
        assert_eq!(
            create_function(&lambda, &request).await.unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }
}
