//! The generic handler: every resource type without a dedicated handler whose registry
//! schema has create, read and delete handlers goes through the AWS Cloud Control API.
//!
//! - Create sends the resolved properties as the desired state, with a client token made
//!   from the engine's idempotency key (a retried create is the same request). A request
//!   still running is handed to the engine as in progress, its physical id the request
//!   token (`cloudcontrol-request:...`), and the engine reads it back until it is done, so
//!   an interrupted create resumes by asking about the request instead of creating again.
//! - Read is GetResource; the read-only properties it returns are the attributes.
//! - Update sends an RFC 6902 JSON Patch of the top-level properties that changed (never a
//!   create-only one: the engine replaces for those), then waits for the request.
//! - Delete is DeleteResource, then waits; `NotFound` means already gone.
//! - A failed request is a handler-contract error with Cloud Control's code
//!   (`NotUpdatable`, `AlreadyExists`, `Throttling`...) and the request token as request id.
//!   Waits are bounded ([`CloudControlProvider::with_wait`]) and honour `RetryAfter`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use landform_core::schema::{self, TypeSchema};
use landform_deploy::{
    CreateRequest, ErrorCode, Provider, ProviderError, ResourceState, Session, UpdateRequest,
};
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};

use super::ClientSource;
use crate::api::{CloudControlApi, ProgressEvent, RequestStatus};

#[cfg(test)]
#[path = "cloudcontrol_tests.rs"]
mod tests;

/// The prefix of a physical id that is still a Cloud Control request token.
pub const REQUEST_PREFIX: &str = "cloudcontrol-request:";

/// Whether Cloud Control can manage `type_name`: its schema has the handlers it needs.
pub fn manages(type_name: &str) -> bool {
    schema::lookup(type_name).is_some_and(|s| {
        !type_name.starts_with("Custom::")
            && s.supports("create")
            && s.supports("read")
            && s.supports("delete")
    })
}

/// The generic handler over the Cloud Control API.
#[derive(Clone)]
pub struct CloudControlProvider {
    clients: Arc<dyn ClientSource>,
    poll: Duration,
    max_wait: Duration,
}

impl CloudControlProvider {
    /// A handler making its clients from `clients`; it asks about a running request every 5 s
    /// (or when Cloud Control says) for at most 30 minutes.
    pub fn new(clients: Arc<dyn ClientSource>) -> Self {
        CloudControlProvider {
            clients,
            poll: Duration::from_secs(5),
            max_wait: Duration::from_secs(30 * 60),
        }
    }

    /// Ask every `poll`, for at most `max_wait`.
    pub fn with_wait(mut self, poll: Duration, max_wait: Duration) -> Self {
        self.poll = poll;
        self.max_wait = max_wait;
        self
    }

    async fn api(&self, session: &Session) -> Result<Arc<dyn CloudControlApi>, ProviderError> {
        self.clients.cloudcontrol(session).await
    }

    fn delay(&self, event: &ProgressEvent) -> Duration {
        event
            .retry_after_ms
            .map(Duration::from_millis)
            .unwrap_or(self.poll)
            .clamp(
                Duration::from_millis(100),
                self.poll.max(Duration::from_millis(100)),
            )
    }

    /// Ask about `event`'s request until it succeeds or fails, within the bound.
    async fn wait(
        &self,
        api: &dyn CloudControlApi,
        type_name: &str,
        mut event: ProgressEvent,
    ) -> Result<ProgressEvent, ProviderError> {
        let mut waited = Duration::ZERO;
        loop {
            match event.status {
                RequestStatus::Success => return Ok(event),
                RequestStatus::Failed | RequestStatus::Cancelled => {
                    return Err(failure(type_name, &event))
                }
                RequestStatus::Pending | RequestStatus::InProgress => {}
            }
            if waited >= self.max_wait {
                return Err(ProviderError::new(
                    ErrorCode::GeneralServiceException,
                    format!(
                        "the Cloud Control request for {type_name} was still running after {} s; ask about it with GetResourceRequestStatus",
                        waited.as_secs()
                    ),
                )
                .with_request_id(event.request_token));
            }
            let delay = self.delay(&event);
            tokio::time::sleep(delay).await;
            waited += delay;
            event = api.request_status(&event.request_token).await?;
        }
    }

    async fn read_state(
        &self,
        api: &dyn CloudControlApi,
        type_name: &str,
        identifier: &str,
    ) -> Result<ResourceState, ProviderError> {
        let (identifier, properties) = api.get_resource(type_name, identifier).await?;
        Ok(state(schema::lookup(type_name), identifier, properties))
    }

    /// The state of a request the engine is waiting for: done (read back), still running
    /// (in progress again), or failed.
    async fn request_state(
        &self,
        api: &dyn CloudControlApi,
        type_name: &str,
        event: ProgressEvent,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        match event.status {
            RequestStatus::Success => {
                let identifier = event.identifier.clone().ok_or_else(|| {
                    ProviderError::new(
                        ErrorCode::GeneralServiceException,
                        format!("the Cloud Control create of {type_name} succeeded without an identifier"),
                    )
                    .with_request_id(event.request_token.clone())
                })?;
                self.read_state(api, type_name, &identifier).await
            }
            RequestStatus::Pending | RequestStatus::InProgress => Ok(ResourceState {
                physical_id: format!("{REQUEST_PREFIX}{}", event.request_token),
                attributes: Default::default(),
                properties: properties.clone(),
                in_progress_retry_ms: Some(self.delay(&event).as_millis() as u64),
            }),
            RequestStatus::Failed | RequestStatus::Cancelled => Err(failure(type_name, &event)),
        }
    }
}

/// A failed or cancelled request as a handler-contract error.
fn failure(type_name: &str, event: &ProgressEvent) -> ProviderError {
    match event.status {
        RequestStatus::Cancelled => ProviderError::new(
            ErrorCode::GeneralServiceException,
            format!("the Cloud Control request for {type_name} was cancelled"),
        )
        .with_request_id(event.request_token.clone()),
        _ => event.error(type_name),
    }
}

/// A client token for Cloud Control (`[-A-Za-z0-9+/=]+`, at most 128): the SHA-256 of what
/// makes the request itself, so a retry is the same request and another request is not.
pub fn client_token(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A resource as the engine records it: the identifier as physical id, the read-only
/// properties as attributes.
fn state(schema: Option<&TypeSchema>, identifier: String, properties: Json) -> ResourceState {
    let attributes = schema
        .map(|s| {
            s.read_only_properties()
                .filter_map(|name| properties.get(name).map(|v| (name.to_owned(), v.clone())))
                .collect()
        })
        .unwrap_or_default();
    ResourceState::ready(identifier, attributes, properties)
}

/// The JSON Patch from `previous` to `desired` over the top-level properties, leaving out
/// what cannot be patched (create-only properties, which the engine replaces for, and
/// read-only ones).
pub fn json_patch(schema: Option<&TypeSchema>, previous: &Json, desired: &Json) -> Json {
    let empty = Map::new();
    let before = previous.as_object().unwrap_or(&empty);
    let after = desired.as_object().unwrap_or(&empty);
    let skip = |name: &str| schema.is_some_and(|s| s.is_create_only(name) || s.is_read_only(name));
    let pointer = |name: &str| format!("/{}", name.replace('~', "~0").replace('/', "~1"));
    let mut ops = Vec::new();
    for (name, value) in after {
        if skip(name) || before.get(name) == Some(value) {
            continue;
        }
        let op = if before.contains_key(name) {
            "replace"
        } else {
            "add"
        };
        ops.push(json!({"op": op, "path": pointer(name), "value": value}));
    }
    for name in before.keys() {
        if !after.contains_key(name) && !skip(name) {
            ops.push(json!({"op": "remove", "path": pointer(name)}));
        }
    }
    Json::Array(ops)
}

#[async_trait]
impl Provider for CloudControlProvider {
    async fn create(
        &self,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let api = self.api(session).await?;
        let token = client_token(&[&request.idempotency_key, "create"]);
        let event = api
            .create_resource(&request.type_name, &request.properties, &token)
            .await?;
        self.request_state(api.as_ref(), &request.type_name, event, &request.properties)
            .await
    }

    async fn read(
        &self,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        let api = self.api(session).await?;
        match physical_id.strip_prefix(REQUEST_PREFIX) {
            Some(token) => {
                let event = api.request_status(token).await?;
                self.request_state(api.as_ref(), type_name, event, properties)
                    .await
            }
            None => self.read_state(api.as_ref(), type_name, physical_id).await,
        }
    }

    async fn update(
        &self,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let api = self.api(session).await?;
        let patch = json_patch(
            schema::lookup(&request.type_name),
            &request.previous,
            &request.properties,
        );
        if patch.as_array().is_some_and(|ops| !ops.is_empty()) {
            let token = client_token(&[&request.physical_id, &patch.to_string(), "update"]);
            let event = api
                .update_resource(&request.type_name, &request.physical_id, &patch, &token)
                .await?;
            self.wait(api.as_ref(), &request.type_name, event).await?;
        }
        self.read_state(api.as_ref(), &request.type_name, &request.physical_id)
            .await
    }

    async fn delete(
        &self,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        let api = self.api(session).await?;
        let token = client_token(&[physical_id, type_name, "delete"]);
        let event = api.delete_resource(type_name, physical_id, &token).await?;
        self.wait(api.as_ref(), type_name, event).await.map(|_| ())
    }

    async fn find(
        &self,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        // A resource is found by its primary identifier when the template sets it (a
        // repository's name); one AWS names (an ARN, an id) cannot be looked up, and the
        // create's client token keeps a retry from making a second.
        let Some(schema) = schema::lookup(&request.type_name) else {
            return Ok(None);
        };
        let identifier: Option<Vec<String>> = schema
            .primary_identifier()
            .into_iter()
            .map(|name| {
                (!schema.is_read_only(name))
                    .then(|| request.properties.get(name))
                    .flatten()
                    .and_then(|v| v.as_str().map(str::to_owned))
            })
            .collect();
        let Some(parts) = identifier.filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let api = self.api(session).await?;
        match self
            .read_state(api.as_ref(), &request.type_name, &parts.join("|"))
            .await
        {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}
