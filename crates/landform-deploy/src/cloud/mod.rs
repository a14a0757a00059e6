//! `InMemoryCloud`: a full in-memory AWS for the resource types the constructs emit, so
//! everything runs on a laptop with no account. It behaves like AWS where it matters
//! (asynchronous account creation, unique names, RAM and Transit Gateway account checks,
//! IAM limits, non-empty buckets), injects latency through a [`Clock`], fails chosen calls,
//! counts calls, and can persist itself to a JSON file after every call.

mod cost;
mod data;
mod identity;
mod rules;
mod seed;
mod types;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value as Json;

pub use data::{CloudAccount, CloudResource};
pub use seed::OrganizationSeed;
pub use types::supported_types;

use crate::error::{DeployError, ErrorCode, ProviderError};
use crate::layer::{Clock, RateLimit, Retry, RetryPolicy, TokioClock};
use crate::provider::{
    CreateRequest, Provider, ProviderRegistry, ResourceState, Session, Sessions, UpdateRequest,
};
use crate::state::{read_json, to_pretty_json, write_atomic};
use data::CloudData;

/// How an injected failure behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultMode {
    /// The call fails before doing anything.
    Before,
    /// The call takes effect, then the answer is lost (a timeout as the caller sees it).
    AfterEffect,
    /// The call is throttled (retryable, no effect).
    Throttle,
}

/// One finished call, as an observer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// The call's number (1-based, over the cloud's life).
    pub number: u64,
    /// `create`, `read`, `update`, `delete` or `find`.
    pub operation: &'static str,
    /// The CloudFormation type.
    pub type_name: String,
    /// Whether it succeeded.
    pub ok: bool,
}

type Observer = Arc<dyn Fn(&CallRecord) + Send + Sync>;

struct Inner {
    data: Mutex<CloudData>,
    latency: Mutex<Duration>,
    faults: Mutex<BTreeMap<u64, FaultMode>>,
    clock: Mutex<Arc<dyn Clock>>,
    persist: Mutex<Option<PathBuf>>,
    observer: Mutex<Option<Observer>>,
}

/// Everything the cloud holds, without counters: what tests compare.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inventory {
    /// Accounts of the organization.
    pub accounts: Vec<CloudAccount>,
    /// Resources, ordered by account, region, type and id.
    pub resources: Vec<CloudResource>,
}

impl Inventory {
    /// Resources created more than once for the same logical resource (same account, type
    /// and `landform:resource` tag), as `account type tag`.
    pub fn duplicates(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut dups = Vec::new();
        for r in &self.resources {
            let key = format!("{} {} {}", r.account, r.type_name, r.tag);
            if !seen.insert(key.clone()) {
                dups.push(key);
            }
        }
        dups
    }
}

/// The in-memory AWS. Cloning shares the same cloud.
///
/// ```
/// use landform_deploy::InMemoryCloud;
/// let cloud = InMemoryCloud::new();
/// assert_eq!(cloud.calls(), 0);
/// assert_eq!(cloud.inventory().accounts.len(), 1); // the management account
/// ```
#[derive(Clone)]
pub struct InMemoryCloud {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for InMemoryCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryCloud")
            .field("calls", &self.calls())
            .finish()
    }
}

impl Default for InMemoryCloud {
    fn default() -> Self {
        Self::new()
    }
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl InMemoryCloud {
    /// The management account of a new cloud.
    pub const MANAGEMENT_ACCOUNT: &'static str = "111111111111";
    /// The organization root id.
    pub const ROOT_ID: &'static str = "r-lf00";

    /// A cloud with an organization whose management account is [`Self::MANAGEMENT_ACCOUNT`]
    /// and whose root is [`Self::ROOT_ID`].
    pub fn new() -> Self {
        Self::with_organization(&OrganizationSeed::default())
    }

    /// A cloud whose organization has this management account and root id.
    pub fn with_organization(seed: &OrganizationSeed) -> Self {
        Self::from_data(CloudData::new(&seed.management_account, &seed.root_id))
    }

    /// Like [`Self::persistent`], but a new cloud starts with the organization `seed`.
    pub fn persistent_with(
        path: impl Into<PathBuf>,
        seed: &OrganizationSeed,
    ) -> Result<Self, DeployError> {
        let path = path.into();
        let data: CloudData = read_json(&path)?
            .unwrap_or_else(|| CloudData::new(&seed.management_account, &seed.root_id));
        let cloud = Self::from_data(data);
        *locked(&cloud.inner.persist) = Some(path);
        cloud.save()?;
        Ok(cloud)
    }

    fn from_data(data: CloudData) -> Self {
        InMemoryCloud {
            inner: Arc::new(Inner {
                data: Mutex::new(data),
                latency: Mutex::new(Duration::ZERO),
                faults: Mutex::new(BTreeMap::new()),
                clock: Mutex::new(Arc::new(TokioClock::new())),
                persist: Mutex::new(None),
                observer: Mutex::new(None),
            }),
        }
    }

    /// A cloud saved to `path` after every call, loaded from it when it exists.
    pub fn persistent(path: impl Into<PathBuf>) -> Result<Self, DeployError> {
        Self::persistent_with(path, &OrganizationSeed::default())
    }

    /// Wait `latency` (on the clock) in every call.
    pub fn set_latency(&self, latency: Duration) {
        *locked(&self.inner.latency) = latency;
    }
    /// Use another clock (the default is tokio's, virtual under paused time).
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        *locked(&self.inner.clock) = clock;
    }
    /// Fail call number `n` (counted over the cloud's life, see [`Self::calls`]).
    pub fn fail_call(&self, n: u64, mode: FaultMode) {
        locked(&self.inner.faults).insert(n, mode);
    }
    /// Remove every injected failure.
    pub fn clear_faults(&self) {
        locked(&self.inner.faults).clear();
    }
    /// How many status polls a `CreateAccount` request takes before it succeeds, and how
    /// long (ms) the caller is told to wait between polls.
    pub fn set_account_creation(&self, polls: u32, interval_ms: u64) {
        let mut d = locked(&self.inner.data);
        d.account_polls = polls;
        d.poll_ms = interval_ms;
    }
    /// Call `observer` after every call, once its effect is saved.
    pub fn set_observer(&self, observer: impl Fn(&CallRecord) + Send + Sync + 'static) {
        *locked(&self.inner.observer) = Some(Arc::new(observer));
    }
    /// Calls so far (failed ones included).
    pub fn calls(&self) -> u64 {
        locked(&self.inner.data).calls
    }
    /// Write calls so far (create, update, delete).
    pub fn writes(&self) -> u64 {
        locked(&self.inner.data).writes
    }
    /// Reset the call counters.
    pub fn reset_counters(&self) {
        let mut d = locked(&self.inner.data);
        d.calls = 0;
        d.writes = 0;
    }
    /// The organization's root id.
    pub fn root_id(&self) -> String {
        locked(&self.inner.data).root_id.clone()
    }
    /// Everything held, in a stable order.
    pub fn inventory(&self) -> Inventory {
        let d = locked(&self.inner.data);
        Inventory {
            accounts: d.accounts.values().cloned().collect(),
            resources: d.resources.values().cloned().collect(),
        }
    }
    /// Put an object into a bucket (buckets holding objects cannot be deleted).
    pub fn put_object(&self, bucket: &str, key: &str) -> Result<(), ProviderError> {
        let done = {
            let mut d = locked(&self.inner.data);
            let b = d
                .resources
                .values_mut()
                .find(|r| r.type_name == "AWS::S3::Bucket" && r.physical_id == bucket);
            match b {
                Some(b) => {
                    b.objects.push(key.to_owned());
                    Ok(())
                }
                None => Err(
                    ProviderError::new(ErrorCode::NotFound, format!("no bucket {bucket}"))
                        .with_service_code("NoSuchBucket"),
                ),
            }
        };
        done?;
        self.save()
            .map_err(|e| ProviderError::new(ErrorCode::ServiceInternal, e.to_string()))
    }
    /// Change a resource behind the engine's back (to test drift).
    pub fn tamper(&self, physical_id: &str, change: impl FnOnce(&mut CloudResource)) -> bool {
        let mut d = locked(&self.inner.data);
        match d
            .resources
            .values_mut()
            .find(|r| r.physical_id == physical_id)
        {
            Some(r) => {
                change(r);
                true
            }
            None => false,
        }
    }
    /// Delete a resource behind the engine's back (to test drift).
    pub fn remove(&self, physical_id: &str) -> bool {
        let mut d = locked(&self.inner.data);
        let before = d.resources.len();
        d.resources.retain(|_, r| r.physical_id != physical_id);
        before != d.resources.len()
    }

    /// Routes every supported type (and `Custom::*`) to this cloud, without layers.
    pub fn bare_registry(&self) -> ProviderRegistry {
        let mut registry = ProviderRegistry::new();
        let me: Arc<dyn Provider> = Arc::new(self.clone());
        for t in supported_types() {
            registry.register(t, me.clone());
        }
        registry.register("AWS::CloudFormation::CustomResource", me.clone());
        registry.register_prefix("Custom::", me);
        registry
    }

    /// [`Self::bare_registry`] with the default layers: Organizations writes serialised,
    /// retries with backoff on throttling, on this cloud's clock.
    pub fn registry(&self) -> ProviderRegistry {
        let clock = locked(&self.inner.clock).clone();
        self.bare_registry().layer(move |p| {
            let limited: Arc<dyn Provider> = Arc::new(RateLimit::aws_defaults(p));
            Arc::new(Retry::new(limited, RetryPolicy::default(), clock.clone()))
        })
    }

    /// Sessions that switch account, refusing accounts that are not (yet) in the
    /// organization.
    pub fn sessions(&self) -> InMemorySessions {
        InMemorySessions {
            cloud: self.clone(),
        }
    }

    fn save(&self) -> Result<(), DeployError> {
        let path = locked(&self.inner.persist).clone();
        if let Some(path) = path {
            let bytes = to_pretty_json(&*locked(&self.inner.data));
            write_atomic(&path, &bytes)?;
        }
        Ok(())
    }

    async fn call<T>(
        &self,
        operation: &'static str,
        type_name: &str,
        write: bool,
        f: impl FnOnce(&mut CloudData) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let (number, fault) = {
            let mut d = locked(&self.inner.data);
            d.calls += 1;
            if write {
                d.writes += 1;
            }
            (d.calls, locked(&self.inner.faults).get(&d.calls).copied())
        };
        let request_id = format!("lf-{number:08}");
        let latency = *locked(&self.inner.latency);
        if !latency.is_zero() {
            let clock = locked(&self.inner.clock).clone();
            clock.sleep(latency).await;
        }
        let result = match fault {
            Some(FaultMode::Before) => Err(ProviderError::new(
                ErrorCode::ServiceInternal,
                "injected failure",
            )
            .with_service_code("InternalFailure")),
            Some(FaultMode::Throttle) => Err(ProviderError::new(
                ErrorCode::Throttling,
                "injected throttling",
            )
            .with_service_code("ThrottlingException")),
            _ => f(&mut locked(&self.inner.data)),
        };
        let result = match (fault, result) {
            (Some(FaultMode::AfterEffect), _) => Err(ProviderError::new(
                ErrorCode::ServiceInternal,
                "injected failure after the call took effect",
            )
            .with_service_code("InternalFailure")),
            (_, r) => r,
        };
        self.save()
            .map_err(|e| ProviderError::new(ErrorCode::ServiceInternal, e.to_string()))?;
        let observer = locked(&self.inner.observer).clone();
        if let Some(observer) = observer {
            observer(&CallRecord {
                number,
                operation,
                type_name: type_name.to_owned(),
                ok: result.is_ok(),
            });
        }
        result.map_err(|e| e.with_request_id(request_id))
    }
}

#[async_trait]
impl Provider for InMemoryCloud {
    fn replacement_properties(&self, type_name: &str) -> Vec<String> {
        types::spec_of(type_name)
            .map(|s| s.create_only.iter().map(|p| (*p).to_owned()).collect())
            .unwrap_or_default()
    }
    async fn create(&self, s: &Session, r: &CreateRequest) -> Result<ResourceState, ProviderError> {
        self.call("create", &r.type_name, true, |d| d.create(s, r))
            .await
    }
    async fn read(
        &self,
        s: &Session,
        t: &str,
        id: &str,
        _p: &Json,
    ) -> Result<ResourceState, ProviderError> {
        self.call("read", t, false, |d| d.read(s, t, id)).await
    }
    async fn update(&self, s: &Session, r: &UpdateRequest) -> Result<ResourceState, ProviderError> {
        self.call("update", &r.type_name, true, |d| {
            d.update(s, &r.type_name, &r.physical_id, &r.properties)
        })
        .await
    }
    async fn delete(&self, s: &Session, t: &str, id: &str, _p: &Json) -> Result<(), ProviderError> {
        self.call("delete", t, true, |d| d.delete(s, t, id)).await
    }
    async fn find(
        &self,
        s: &Session,
        r: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        self.call("find", &r.type_name, false, |d| d.find(s, r))
            .await
    }
}

/// Sessions of the in-memory cloud: any account of the organization, in any region.
#[derive(Debug, Clone)]
pub struct InMemorySessions {
    cloud: InMemoryCloud,
}

#[async_trait]
impl Sessions for InMemorySessions {
    async fn session(&self, account: &str, region: &str) -> Result<Session, DeployError> {
        if locked(&self.cloud.inner.data).is_member(account) {
            Ok(Session::new(account, region))
        } else {
            Err(DeployError::Session {
                account: account.to_owned(),
                region: region.to_owned(),
                reason: "the account is not in the organization (not created yet?)".into(),
            })
        }
    }
}
