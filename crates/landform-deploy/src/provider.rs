//! The provider seam: one object-safe async trait shaped like the CloudFormation resource
//! handler contract, a registry routing type names to providers, and per-account sessions.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::error::{DeployError, ProviderError};

/// The client context of one account and region: what every provider call runs in. A real
/// provider assumes a role here; the in-memory cloud switches account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The 12-digit account id.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// The partition (`aws`, `aws-us-gov`).
    pub partition: String,
}

impl Session {
    /// A session in the `aws` partition.
    pub fn new(account_id: impl Into<String>, region: impl Into<String>) -> Self {
        Session {
            account_id: account_id.into(),
            region: region.into(),
            partition: "aws".to_owned(),
        }
    }
}

/// Hands out a client context per account and region.
#[async_trait]
pub trait Sessions: Send + Sync {
    /// The session for `account` in `region`, or an error when the account cannot be reached
    /// (not created yet, role not assumable).
    async fn session(&self, account: &str, region: &str) -> Result<Session, DeployError>;
}

/// Sessions for any account, without checks (for providers that need none).
#[derive(Debug, Clone, Default)]
pub struct AnyAccountSessions;

#[async_trait]
impl Sessions for AnyAccountSessions {
    async fn session(&self, account: &str, region: &str) -> Result<Session, DeployError> {
        Ok(Session::new(account, region))
    }
}

/// What a create (or a look-up before creating again) needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateRequest {
    /// The CloudFormation type.
    pub type_name: String,
    /// The stack.
    pub stack: String,
    /// The logical id.
    pub logical_id: String,
    /// The properties, every intrinsic resolved.
    pub properties: Json,
    /// A name derived from stack name and logical id, used when the name property is unset.
    /// No randomness: a retried create targets the same name.
    pub physical_name: String,
    /// Client token / idempotency key for APIs that take one, and the tag value the
    /// provider looks resources up by where they have no name.
    pub idempotency_key: String,
}

/// What an update needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateRequest {
    /// The CloudFormation type.
    pub type_name: String,
    /// The physical id.
    pub physical_id: String,
    /// The properties as last applied.
    pub previous: Json,
    /// The desired properties.
    pub properties: Json,
}

/// A resource as the provider sees it: physical id (what `Ref` returns), the attributes
/// `Fn::GetAtt` reads, and the properties read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    /// The physical id.
    pub physical_id: String,
    /// Attributes by name (`Arn`, `AccountId`...). `Ref` is kept here too when it is not the
    /// physical id.
    pub attributes: BTreeMap<String, Json>,
    /// The properties as read back.
    pub properties: Json,
    /// Set while the operation is still running (CloudFormation's `IN_PROGRESS` event): the
    /// engine waits this many milliseconds, then calls [`Provider::read`] with
    /// `physical_id` (a request id until the resource exists) until it is unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_progress_retry_ms: Option<u64>,
}

impl ResourceState {
    /// A finished resource.
    pub fn ready(
        physical_id: impl Into<String>,
        attributes: BTreeMap<String, Json>,
        properties: Json,
    ) -> Self {
        ResourceState {
            physical_id: physical_id.into(),
            attributes,
            properties,
            in_progress_retry_ms: None,
        }
    }
}

/// Create / read / update / delete for one family of resource types.
///
/// Implementations must be idempotent on [`CreateRequest::idempotency_key`] where the API
/// allows, and must answer [`Provider::find`] so the engine can look up a resource whose
/// create was started but never recorded.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Properties of `type_name` whose change this provider can only make by replacing the
    /// resource, beyond the type's `createOnlyProperties` (which come from its registry
    /// schema: see [`replacement_properties`]). Usually none: a table's `KeySchema`, which no
    /// API can change in place although the schema does not say so, is one.
    fn replacement_properties(&self, _type_name: &str) -> Vec<String> {
        Vec::new()
    }
    /// Create the resource.
    async fn create(
        &self,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError>;
    /// Read the resource back. `NotFound` when it is gone.
    async fn read(
        &self,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError>;
    /// Update the resource in place.
    async fn update(
        &self,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError>;
    /// Delete the resource. `NotFound` when it is already gone.
    async fn delete(
        &self,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<(), ProviderError>;
    /// Look up a resource a create may have made, by name, tag or idempotency key.
    async fn find(
        &self,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError>;
    /// [`Provider::find`] for many requests of one type in one session, answers in request
    /// order: what adoption and the check before a deploy's creates call. The default asks
    /// one by one; a provider whose look-up lists (every account of the organization, every
    /// OU under a parent) overrides it to list once for the whole batch, so looking up N
    /// accounts costs one listing, not N.
    async fn find_many(
        &self,
        session: &Session,
        requests: &[CreateRequest],
    ) -> Result<Vec<Option<ResourceState>>, ProviderError> {
        let mut found = Vec::with_capacity(requests.len());
        for request in requests {
            found.push(self.find(session, request).await?);
        }
        Ok(found)
    }
    /// Every resource of `type_name` that `session` reaches (the organization's OUs,
    /// accounts and service control policies from the management account), each with its
    /// natural key among its properties (`Name`, `Email`, `ParentId`): what adoption lists as
    /// existing but not in the app. `None` (the default) when the provider does not list the
    /// type.
    async fn list(
        &self,
        session: &Session,
        type_name: &str,
    ) -> Result<Option<Vec<ResourceState>>, ProviderError> {
        let _ = (session, type_name);
        Ok(None)
    }
}

/// Routes a CloudFormation type name to its provider. Exact names win over prefixes
/// (`Custom::` routes every custom resource).
///
/// ```
/// use std::sync::Arc;
/// use landform_deploy::{InMemoryCloud, ProviderRegistry};
/// let cloud = InMemoryCloud::new();
/// let mut registry = ProviderRegistry::new();
/// registry.register("AWS::S3::Bucket", Arc::new(cloud.clone()));
/// assert!(registry.provider("AWS::S3::Bucket").is_some());
/// assert!(registry.provider("AWS::SQS::Queue").is_none());
/// ```
#[derive(Clone, Default)]
pub struct ProviderRegistry {
    exact: BTreeMap<String, Arc<dyn Provider>>,
    prefixes: Vec<(String, Arc<dyn Provider>)>,
}

impl std::fmt::Debug for ProviderRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderRegistry")
            .field("types", &self.exact.keys().collect::<Vec<_>>())
            .field(
                "prefixes",
                &self.prefixes.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ProviderRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }
    /// Route `type_name` to `provider` (replacing an earlier registration).
    pub fn register(&mut self, type_name: impl Into<String>, provider: Arc<dyn Provider>) {
        self.exact.insert(type_name.into(), provider);
    }
    /// Route every type starting with `prefix` (`Custom::`) to `provider`.
    pub fn register_prefix(&mut self, prefix: impl Into<String>, provider: Arc<dyn Provider>) {
        let prefix = prefix.into();
        self.prefixes.retain(|(p, _)| *p != prefix);
        self.prefixes.push((prefix, provider));
    }
    /// The provider of a type.
    pub fn provider(&self, type_name: &str) -> Option<Arc<dyn Provider>> {
        if let Some(p) = self.exact.get(type_name) {
            return Some(p.clone());
        }
        self.prefixes
            .iter()
            .filter(|(p, _)| type_name.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, provider)| provider.clone())
    }
    /// Wrap every registered provider in a layer (retries, rate limits, tracing).
    pub fn layer(mut self, wrap: impl Fn(Arc<dyn Provider>) -> Arc<dyn Provider>) -> Self {
        // Wrap each distinct provider once so a provider shared by many types keeps one
        // layer instance (one rate limiter, not one per type).
        let mut wrapped: Vec<(Arc<dyn Provider>, Arc<dyn Provider>)> = Vec::new();
        let mut wrap_once = |p: &Arc<dyn Provider>| {
            if let Some((_, w)) = wrapped.iter().find(|(o, _)| Arc::ptr_eq(o, p)) {
                return w.clone();
            }
            let w = wrap(p.clone());
            wrapped.push((p.clone(), w.clone()));
            w
        };
        for p in self.exact.values_mut() {
            *p = wrap_once(p);
        }
        for (_, p) in self.prefixes.iter_mut() {
            *p = wrap_once(p);
        }
        self
    }
}

/// The properties whose change replaces a resource of `type_name`: its `createOnlyProperties`
/// from the registry schema ([`landform_core::schema`]), then those the provider adds
/// ([`Provider::replacement_properties`]).
///
/// ```
/// use landform_deploy::{replacement_properties, InMemoryCloud};
/// let cloud = InMemoryCloud::new();
/// let registry = cloud.registry();
/// let provider = registry.provider("AWS::DynamoDB::Table").unwrap();
/// let replacing = replacement_properties(provider.as_ref(), "AWS::DynamoDB::Table");
/// // From the schema, and from what no API can change in place.
/// assert!(replacing.contains(&"TableName".to_owned()));
/// assert!(replacing.contains(&"KeySchema".to_owned()));
/// ```
pub fn replacement_properties(provider: &dyn Provider, type_name: &str) -> Vec<String> {
    let mut replacing: Vec<String> = landform_core::schema::lookup(type_name)
        .map(|s| s.create_only_properties().map(str::to_owned).collect())
        .unwrap_or_default();
    for extra in provider.replacement_properties(type_name) {
        if !replacing.contains(&extra) {
            replacing.push(extra);
        }
    }
    replacing
}
