//! `InMemoryCloud`: a full in-memory AWS for the resource types the constructs emit, so
//! everything runs on a laptop with no account. It behaves like AWS where it matters
//! (asynchronous account creation, unique names, RAM and Transit Gateway account checks,
//! IAM limits, non-empty buckets), injects latency through a [`Clock`], fails chosen calls,
//! counts calls, and can persist itself: a JSON snapshot plus an append-only log of what each
//! call changed (see [`InMemoryCloud::persistent`]).

mod accounts;
mod cost;
mod data;
mod generic;
mod identity;
mod persist;
mod rules;
mod seed;
mod table;
mod types;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value as Json;

pub use data::{CloudAccount, CloudResource};
pub use seed::OrganizationSeed;
pub use types::supported_types;

use crate::error::{DeployError, ErrorCode, ProviderError};
use crate::layer::{Clock, RetryPolicy, TokioClock};
use crate::limits::RateLimits;
use crate::provider::{
    CreateRequest, Provider, ProviderRegistry, ResourceState, Session, Sessions, UpdateRequest,
};
use data::CloudData;
use persist::Persist;

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
    /// The handler error code when it failed (`NotFound` on a delete means the resource was
    /// already gone, which the engine takes as done).
    pub error: Option<ErrorCode>,
}

type Observer = Arc<dyn Fn(&CallRecord) + Send + Sync>;

struct Inner {
    data: Mutex<CloudData>,
    latency: Mutex<Duration>,
    faults: Mutex<BTreeMap<u64, FaultMode>>,
    clock: Mutex<Arc<dyn Clock>>,
    persist: Mutex<Option<Persist>>,
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
        Self::from_data(CloudData::seeded(seed))
    }

    /// Like [`Self::persistent`], but a new cloud starts with the organization `seed`.
    pub fn persistent_with(
        path: impl Into<PathBuf>,
        seed: &OrganizationSeed,
    ) -> Result<Self, DeployError> {
        let (data, persist) = Persist::open(path.into(), || CloudData::seeded(seed))?;
        let cloud = Self::from_data(data);
        *locked(&cloud.inner.persist) = Some(persist);
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

    /// A cloud kept at `path`, loaded from it when it exists.
    ///
    /// `path` holds a JSON snapshot of the whole cloud; `<path>.log` beside it gets one JSON
    /// line per call that changed something, holding just what changed, written before the
    /// call returns (and before the observer hears of it), so another process (or this one,
    /// killed and started again) loads every reported effect. The log is folded into the
    /// snapshot once it outgrows it, and by [`Self::compact`]; a deploy therefore costs time
    /// in proportion to its writes, not to the writes times the size of the cloud.
    ///
    /// ```
    /// use landform_deploy::InMemoryCloud;
    /// let dir = std::env::temp_dir().join(format!("landform-doc-cloud-{}", std::process::id()));
    /// let path = dir.join("cloud.json");
    /// let cloud = InMemoryCloud::persistent(&path).unwrap();
    /// cloud.set_account_creation(3, 0);
    /// drop(cloud);
    /// let again = InMemoryCloud::persistent(&path).unwrap();
    /// assert_eq!(again.create_cost("AWS::Organizations::Account").polls, 4);
    /// # std::fs::remove_dir_all(dir).unwrap();
    /// ```
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
        d.dirty.settings = true;
        // Best effort: a setting that fails to persist still holds for this process.
        let _ = self.record(&mut d);
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
    /// Make a resource as a tool other than Landform would (no engine, no state): create it
    /// in `account`/`region` and poll an account creation to its end. What seeds a cloud
    /// with an organization that exists before the app (to rehearse `adopt`).
    ///
    /// ```
    /// use landform_deploy::InMemoryCloud;
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// let cloud = InMemoryCloud::new();
    /// cloud.set_account_creation(1, 0);
    /// let ou = cloud.make(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1", "AWS::Organizations::OrganizationalUnit",
    ///     serde_json::json!({"Name": "Sandbox", "ParentId": cloud.root_id()})).await.unwrap();
    /// assert!(ou.physical_id.starts_with("ou-"));
    /// # });
    /// ```
    pub async fn make(
        &self,
        account: &str,
        region: &str,
        type_name: &str,
        properties: Json,
    ) -> Result<ResourceState, ProviderError> {
        let session = Session::new(account, region);
        let key = format!("made-outside/{type_name}/{properties}");
        let request = CreateRequest {
            type_name: type_name.to_owned(),
            stack: "made-outside".to_owned(),
            logical_id: "Resource".to_owned(),
            properties: properties.clone(),
            physical_name: crate::engine::physical_name("made-outside", &key),
            idempotency_key: key,
        };
        let mut state = self.create(&session, &request).await?;
        while state.in_progress_retry_ms.is_some() {
            state = self
                .read(&session, type_name, &state.physical_id, &properties)
                .await?;
        }
        Ok(state)
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
            resources: d.resources.values().map(|r| r.to_resource()).collect(),
        }
    }
    /// Put an object into a bucket (buckets holding objects cannot be deleted).
    pub fn put_object(&self, bucket: &str, key: &str) -> Result<(), ProviderError> {
        let mut d = locked(&self.inner.data);
        let found = d
            .resources
            .with_id("AWS::S3::Bucket", bucket)
            .next()
            .map(|r| data::res_key(&r.account, &r.region, &r.type_name, &r.physical_id));
        let Some(found) = found else {
            return Err(
                ProviderError::new(ErrorCode::NotFound, format!("no bucket {bucket}"))
                    .with_service_code("NoSuchBucket"),
            );
        };
        d.resources
            .modify(&found, |b| b.objects.push(key.to_owned()));
        self.record(&mut d)
            .map_err(|e| ProviderError::new(ErrorCode::ServiceInternal, e.to_string()))
    }
    /// Change a resource behind the engine's back (to test drift). Persisted like a call.
    pub fn tamper(&self, physical_id: &str, change: impl FnOnce(&mut CloudResource)) -> bool {
        let mut d = locked(&self.inner.data);
        let found = d
            .resources
            .values()
            .find(|r| r.physical_id == physical_id)
            .map(|r| data::res_key(&r.account, &r.region, &r.type_name, &r.physical_id));
        let changed = found.is_some_and(|k| {
            d.resources.modify(&k, |stored| {
                let mut r = stored.to_resource();
                change(&mut r);
                *stored = r.into();
            })
        });
        changed && self.record(&mut d).is_ok()
    }
    /// Delete a resource behind the engine's back (to test drift). Persisted like a call.
    pub fn remove(&self, physical_id: &str) -> bool {
        let mut d = locked(&self.inner.data);
        let doomed: Vec<String> = d
            .resources
            .values()
            .filter(|r| r.physical_id == physical_id)
            .map(|r| data::res_key(&r.account, &r.region, &r.type_name, &r.physical_id))
            .collect();
        for k in &doomed {
            d.resources.remove(k);
        }
        !doomed.is_empty() && self.record(&mut d).is_ok()
    }
    /// Fold the persisted log into the snapshot, so the snapshot alone is the whole cloud
    /// (a no-op for a cloud that is not persisted, or whose log is empty).
    pub fn compact(&self) -> Result<(), DeployError> {
        let d = locked(&self.inner.data);
        match &mut *locked(&self.inner.persist) {
            Some(p) if p.has_log() => p.compact(&d),
            _ => Ok(()),
        }
    }
    /// The file of the persisted log beside a cloud's snapshot at `path`.
    pub fn log_path(path: &Path) -> PathBuf {
        Persist::log_path(path)
    }

    /// Routes every supported type (and `Custom::*`) to this cloud, without layers.
    pub fn bare_registry(&self) -> ProviderRegistry {
        let mut registry = ProviderRegistry::new();
        let me: Arc<dyn Provider> = Arc::new(self.clone());
        for t in supported_types() {
            registry.register(t, me.clone());
        }
        registry.register("AWS::CloudFormation::CustomResource", me.clone());
        // Every other type with a registry schema is served from the schema alone.
        for t in landform_core::schema::type_names() {
            if registry.provider(t).is_none() {
                registry.register(t, me.clone());
            }
        }
        registry.register_prefix("Custom::", me);
        registry
    }

    /// [`Self::bare_registry`] with the default layers: Organizations writes serialised
    /// ([`RateLimits::in_memory`]: no request rates, this cloud never throttles), retries with
    /// jittered backoff on throttling (injected faults), on this cloud's clock.
    pub fn registry(&self) -> ProviderRegistry {
        self.layered(self.bare_registry())
    }

    /// `registry` (this cloud's [`Self::bare_registry`], with handlers of a deployer's own
    /// added) with the layers of [`Self::registry`].
    pub fn layered(&self, registry: ProviderRegistry) -> ProviderRegistry {
        let clock = locked(&self.inner.clock).clone();
        registry.with_engine_layers(RateLimits::in_memory(), RetryPolicy::default(), clock)
    }

    /// Sessions that switch account, refusing accounts that are not (yet) in the
    /// organization.
    pub fn sessions(&self) -> InMemorySessions {
        InMemorySessions {
            cloud: self.clone(),
        }
    }

    /// Persist what changed in `d` (held locked, so log lines follow the order of changes).
    fn record(&self, d: &mut CloudData) -> Result<(), DeployError> {
        match &mut *locked(&self.inner.persist) {
            Some(p) => p.record(d),
            None => Ok(()),
        }
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
            _ => {
                let mut d = locked(&self.inner.data);
                let result = f(&mut d);
                self.record(&mut d)
                    .map_err(|e| ProviderError::new(ErrorCode::ServiceInternal, e.to_string()))?;
                result
            }
        };
        let result = match (fault, result) {
            (Some(FaultMode::AfterEffect), _) => Err(ProviderError::new(
                ErrorCode::ServiceInternal,
                "injected failure after the call took effect",
            )
            .with_service_code("InternalFailure")),
            (_, r) => r,
        };
        let observer = locked(&self.inner.observer).clone();
        if let Some(observer) = observer {
            observer(&CallRecord {
                number,
                operation,
                type_name: type_name.to_owned(),
                ok: result.is_ok(),
                error: result.as_ref().err().map(|e| e.code),
            });
        }
        result.map_err(|e| e.with_request_id(request_id))
    }
}

#[async_trait]
impl Provider for InMemoryCloud {
    fn replacement_properties(&self, type_name: &str) -> Vec<String> {
        types::spec_of(type_name)
            .map(|s| s.also_replaced_by.iter().map(|p| (*p).to_owned()).collect())
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
    /// One call for the batch, as a listing would be.
    async fn find_many(
        &self,
        s: &Session,
        r: &[CreateRequest],
    ) -> Result<Vec<Option<ResourceState>>, ProviderError> {
        let type_name = r.first().map(|r| r.type_name.as_str()).unwrap_or_default();
        self.call("find", type_name, false, |d| {
            r.iter().map(|r| d.find(s, r)).collect()
        })
        .await
    }
    async fn list(
        &self,
        s: &Session,
        t: &str,
    ) -> Result<Option<Vec<ResourceState>>, ProviderError> {
        self.call("list", t, false, |d| Ok(d.list(s, t))).await
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
