//! [`RateLimit`]: request rates per service and per API as token buckets (governor's GCRA,
//! on the engine's injected [`Clock`], so tests stay in virtual time), and writes held to a
//! number at once per service (AWS Organizations refuses concurrent writes with
//! `ConcurrentModificationException`).

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use serde_json::Value as Json;
use tokio::sync::Semaphore;

use crate::error::ProviderError;
use crate::layer::{service_of, Clock, TokioClock};
use crate::provider::{CreateRequest, Provider, ResourceState, Session, UpdateRequest};

/// A sustained request rate and the burst above it a bucket allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestRate {
    /// Requests per second, sustained (at least 1).
    pub per_second: u32,
    /// Requests that may go at once from a full bucket (at least 1).
    pub burst: u32,
}

impl RequestRate {
    /// `per_second` sustained, `burst` at once.
    pub const fn new(per_second: u32, burst: u32) -> Self {
        RequestRate { per_second, burst }
    }
}

/// Whether a call reads or writes, the two buckets AWS services meter apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CallKind {
    /// `read` and `find`.
    Read,
    /// `create`, `update` and `delete`.
    Write,
}

/// The limits a [`RateLimit`] enforces.
///
/// Rates are keyed by service and kind (`("EC2", Write)`) and, more finely, by resource type
/// and operation (`("AWS::Organizations::Account", "create")`); a call waits for every bucket
/// that matches it.
///
/// ```
/// use landform_deploy::limits::{CallKind, RateLimits, RequestRate};
/// let limits = RateLimits::aws_defaults()
///     .with_rate("IAM", CallKind::Write, RequestRate::new(5, 5))
///     .with_type_rate("AWS::Organizations::Account", "create", RequestRate::new(1, 1));
/// assert_eq!(limits.rate("IAM", CallKind::Write), Some(RequestRate::new(5, 5)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RateLimits {
    concurrent_writes: BTreeMap<String, usize>,
    rates: BTreeMap<(String, CallKind), RequestRate>,
    type_rates: BTreeMap<(String, String), RequestRate>,
}

impl RateLimits {
    /// No limits.
    pub fn none() -> Self {
        Self::default()
    }

    /// What the in-memory cloud's registry uses: Organizations writes one at a time, as on
    /// AWS, and no request rates (the in-memory cloud never throttles).
    pub fn in_memory() -> Self {
        Self::none().with_concurrent_writes("Organizations", 1)
    }

    /// The defaults, each bucket per account (and region, for regional services):
    /// - Organizations writes one at a time (AWS refuses concurrent ones).
    /// - EC2: the request token buckets the EC2 API reference documents for an account and
    ///   region — non-mutating actions refill 20 a second up to 100, mutating actions 5 a
    ///   second up to 200.
    /// - Organizations, IAM, STS, S3, KMS and the other services Landform calls: 10 reads
    ///   and 5 writes a second, bursts of 20 and 10. AWS does not publish per-API rates for
    ///   these (their quotas pages list resource counts, not request rates); these are
    ///   conservative rates of Landform's own, below where these services were seen to
    ///   throttle, and overridable with [`RateLimits::with_rate`].
    pub fn aws_defaults() -> Self {
        let mut limits = RateLimits::none().with_concurrent_writes("Organizations", 1);
        limits = limits
            .with_rate("EC2", CallKind::Read, RequestRate::new(20, 100))
            .with_rate("EC2", CallKind::Write, RequestRate::new(5, 200));
        for service in [
            "Organizations",
            "IAM",
            "STS",
            "S3",
            "KMS",
            "CloudTrail",
            "Config",
            "GuardDuty",
            "Events",
            "Lambda",
            "Logs",
            "RAM",
            "DynamoDB",
            "Budgets",
        ] {
            limits = limits
                .with_rate(service, CallKind::Read, RequestRate::new(10, 20))
                .with_rate(service, CallKind::Write, RequestRate::new(5, 10));
        }
        limits
    }

    /// At most `n` writes of `service` at once (at least 1).
    pub fn with_concurrent_writes(mut self, service: &str, n: usize) -> Self {
        self.concurrent_writes.insert(service.to_owned(), n.max(1));
        self
    }

    /// `rate` for every call of `kind` to `service` (the part after `AWS::` of a type name).
    pub fn with_rate(mut self, service: &str, kind: CallKind, rate: RequestRate) -> Self {
        self.rates.insert((service.to_owned(), kind), rate);
        self
    }

    /// `rate` for `operation` (`create`, `read`, `update`, `delete`, `find`) of one type.
    pub fn with_type_rate(mut self, type_name: &str, operation: &str, rate: RequestRate) -> Self {
        self.type_rates
            .insert((type_name.to_owned(), operation.to_owned()), rate);
        self
    }

    /// The rate of `kind` calls to `service`, if limited.
    pub fn rate(&self, service: &str, kind: CallKind) -> Option<RequestRate> {
        self.rates.get(&(service.to_owned(), kind)).copied()
    }

    /// The concurrent-write limits, as `(service, limit)` pairs.
    pub fn concurrent_writes(&self) -> Vec<(&str, usize)> {
        self.concurrent_writes
            .iter()
            .map(|(s, n)| (s.as_str(), *n))
            .collect()
    }
}

/// Governor's view of the injected clock: time since it started.
#[derive(Clone)]
struct EngineClock(Arc<dyn Clock>);

impl GovernorClock for EngineClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

type Bucket = RateLimiter<NotKeyed, InMemoryState, EngineClock, NoOpMiddleware<Duration>>;

fn bucket(rate: RequestRate, clock: &Arc<dyn Clock>) -> Bucket {
    let per_second = NonZeroU32::new(rate.per_second).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct_with_clock(
        Quota::per_second(per_second).allow_burst(burst),
        EngineClock(clock.clone()),
    )
}

/// Buckets of one rate, one per account (and region, for regional services): AWS meters
/// request rates per account and region, so a thousand accounts do not share one.
struct Buckets {
    rate: RequestRate,
    by_scope: Mutex<HashMap<String, Arc<Bucket>>>,
}

impl Buckets {
    fn new(rate: RequestRate) -> Self {
        Buckets {
            rate,
            by_scope: Mutex::new(HashMap::new()),
        }
    }
    fn get(&self, scope: &str, clock: &Arc<dyn Clock>) -> Arc<Bucket> {
        let mut map = self.by_scope.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(scope.to_owned())
            .or_insert_with(|| Arc::new(bucket(self.rate, clock)))
            .clone()
    }
}

/// Services with one endpoint for every region: their rates are per account.
const GLOBAL_SERVICES: &[&str] = &["IAM", "Organizations", "Budgets"];

/// Holds a provider's calls to request rates per service and per API (token buckets per
/// account and region) and its writes to a number at once per service ([`RateLimits`]). A
/// call over its rate waits on the injected clock for a token; it is never failed.
pub struct RateLimit {
    inner: Arc<dyn Provider>,
    writes: BTreeMap<String, Arc<Semaphore>>,
    buckets: BTreeMap<(String, CallKind), Buckets>,
    type_buckets: BTreeMap<(String, String), Buckets>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("serialised", &self.writes.keys().collect::<Vec<_>>())
            .field("rates", &self.buckets.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl RateLimit {
    /// Wrap `inner` with at most `limit` concurrent writes per listed service, and no rates.
    pub fn new(inner: Arc<dyn Provider>, limits: &[(&str, usize)]) -> Self {
        let mut config = RateLimits::none();
        for (service, n) in limits {
            config = config.with_concurrent_writes(service, *n);
        }
        Self::with_limits(inner, &config, Arc::new(TokioClock::new()))
    }

    /// Wrap `inner` with `limits`, waiting on `clock`.
    pub fn with_limits(
        inner: Arc<dyn Provider>,
        limits: &RateLimits,
        clock: Arc<dyn Clock>,
    ) -> Self {
        RateLimit {
            inner,
            writes: limits
                .concurrent_writes
                .iter()
                .map(|(s, n)| (s.clone(), Arc::new(Semaphore::new(*n))))
                .collect(),
            buckets: limits
                .rates
                .iter()
                .map(|(k, r)| (k.clone(), Buckets::new(*r)))
                .collect(),
            type_buckets: limits
                .type_rates
                .iter()
                .map(|(k, r)| (k.clone(), Buckets::new(*r)))
                .collect(),
            clock,
        }
    }

    /// The concurrent-write limits of [`RateLimit::aws_defaults`]: Organizations writes one
    /// at a time.
    pub const AWS_DEFAULT_LIMITS: &'static [(&'static str, usize)] = &[("Organizations", 1)];

    /// [`RateLimits::aws_defaults`] on tokio's clock (virtual under paused time).
    pub fn aws_defaults(inner: Arc<dyn Provider>) -> Self {
        Self::with_limits(
            inner,
            &RateLimits::aws_defaults(),
            Arc::new(TokioClock::new()),
        )
    }

    async fn take(&self, buckets: Option<&Buckets>, scope: &str) {
        let Some(buckets) = buckets else {
            return;
        };
        let bucket = buckets.get(scope, &self.clock);
        while let Err(not_until) = bucket.check() {
            let wait = not_until.wait_time_from(self.clock.elapsed());
            // A zero wait would spin: the token is due on the next tick.
            self.clock.sleep(wait.max(Duration::from_micros(1))).await;
        }
    }

    async fn call<T>(
        &self,
        session: &Session,
        type_name: &str,
        operation: &str,
        kind: CallKind,
        call: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        let service = service_of(type_name);
        let scope = if GLOBAL_SERVICES.contains(&service) {
            session.account_id.clone()
        } else {
            format!("{}/{}", session.account_id, session.region)
        };
        let _permit = match (kind, self.writes.get(service)) {
            // The semaphore is never closed, so acquiring only fails if it were.
            (CallKind::Write, Some(s)) => s.clone().acquire_owned().await.ok(),
            _ => None,
        };
        self.take(self.buckets.get(&(service.to_owned(), kind)), &scope)
            .await;
        self.take(
            self.type_buckets
                .get(&(type_name.to_owned(), operation.to_owned())),
            &scope,
        )
        .await;
        call.await
    }
}

#[async_trait]
impl Provider for RateLimit {
    fn replacement_properties(&self, type_name: &str) -> Vec<String> {
        self.inner.replacement_properties(type_name)
    }
    async fn create(&self, s: &Session, r: &CreateRequest) -> Result<ResourceState, ProviderError> {
        self.call(
            s,
            &r.type_name,
            "create",
            CallKind::Write,
            self.inner.create(s, r),
        )
        .await
    }
    async fn read(
        &self,
        s: &Session,
        t: &str,
        id: &str,
        p: &Json,
    ) -> Result<ResourceState, ProviderError> {
        self.call(s, t, "read", CallKind::Read, self.inner.read(s, t, id, p))
            .await
    }
    async fn update(&self, s: &Session, r: &UpdateRequest) -> Result<ResourceState, ProviderError> {
        self.call(
            s,
            &r.type_name,
            "update",
            CallKind::Write,
            self.inner.update(s, r),
        )
        .await
    }
    async fn delete(&self, s: &Session, t: &str, id: &str, p: &Json) -> Result<(), ProviderError> {
        self.call(
            s,
            t,
            "delete",
            CallKind::Write,
            self.inner.delete(s, t, id, p),
        )
        .await
    }
    async fn find(
        &self,
        s: &Session,
        r: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        self.call(
            s,
            &r.type_name,
            "find",
            CallKind::Read,
            self.inner.find(s, r),
        )
        .await
    }
    async fn find_many(
        &self,
        s: &Session,
        r: &[CreateRequest],
    ) -> Result<Vec<Option<ResourceState>>, ProviderError> {
        let type_name = r.first().map(|r| r.type_name.as_str()).unwrap_or_default();
        self.call(
            s,
            type_name,
            "find",
            CallKind::Read,
            self.inner.find_many(s, r),
        )
        .await
    }
    async fn list(
        &self,
        s: &Session,
        t: &str,
    ) -> Result<Option<Vec<ResourceState>>, ProviderError> {
        self.call(s, t, "list", CallKind::Read, self.inner.list(s, t))
            .await
    }
}
