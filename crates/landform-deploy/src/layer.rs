//! Cross-cutting behaviour wrapped around a provider, tower-style: retries with backoff and
//! per-service rate limits. Time comes from an injected [`Clock`] so tests run in virtual
//! time.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::error::ProviderError;
use crate::provider::{CreateRequest, Provider, ResourceState, Session, UpdateRequest};

/// Time as the engine, the layers and the in-memory cloud see it.
#[async_trait]
pub trait Clock: Send + Sync {
    /// Time since the clock started.
    fn elapsed(&self) -> Duration;
    /// Wait for `duration`.
    async fn sleep(&self, duration: Duration);
}

/// The tokio clock. Under `#[tokio::test(start_paused = true)]` it is virtual: sleeps
/// complete instantly in wall time while the clock advances.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start: tokio::time::Instant,
}

impl TokioClock {
    /// A clock starting now.
    pub fn new() -> Self {
        TokioClock {
            start: tokio::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Clock for TokioClock {
    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// The service part of a type name (`Organizations` for `AWS::Organizations::Account`).
pub fn service_of(type_name: &str) -> &str {
    let mut parts = type_name.split("::");
    match (parts.next(), parts.next()) {
        (Some("AWS"), Some(service)) => service,
        (Some(first), _) => first,
        _ => type_name,
    }
}

/// How a [`Retry`] layer backs off: exponentially, capped, and with full jitter by default
/// (each wait drawn uniformly between zero and the capped exponential ceiling, as AWS's
/// architecture guidance recommends, so deployers throttled together do not retry together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first backoff ceiling; doubled at each further attempt.
    pub base_delay: Duration,
    /// The highest backoff ceiling.
    pub max_delay: Duration,
    /// Draw each wait between zero and the ceiling (full jitter); else wait the ceiling.
    pub full_jitter: bool,
    /// Seed of the jitter's random numbers (tests); `None` seeds from the system.
    pub jitter_seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            full_jitter: true,
            jitter_seed: None,
        }
    }
}

impl RetryPolicy {
    /// The backoff ceiling before attempt `attempt + 1` (attempt counted from 1): what the
    /// wait is without jitter, and its upper bound with.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Retries calls that fail with `Throttling` (AWS's `Throttling`, `ThrottlingException`,
/// `TooManyRequestsException`, `RequestLimitExceeded`...) or `ConcurrentModification`, with
/// capped exponential backoff and full jitter on the injected clock; every other error is
/// returned at once.
///
/// ```
/// use std::sync::Arc;
/// use landform_deploy::{InMemoryCloud, Retry, RetryPolicy, TokioClock};
/// let cloud = Arc::new(InMemoryCloud::new());
/// let _layered = Retry::new(cloud, RetryPolicy::default(), Arc::new(TokioClock::new()));
/// ```
pub struct Retry {
    inner: Arc<dyn Provider>,
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
    rng: std::sync::Mutex<fastrand::Rng>,
}

impl std::fmt::Debug for Retry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retry")
            .field("policy", &self.policy)
            .finish()
    }
}

impl Retry {
    /// Wrap `inner`.
    pub fn new(inner: Arc<dyn Provider>, policy: RetryPolicy, clock: Arc<dyn Clock>) -> Self {
        let rng = match policy.jitter_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Retry {
            inner,
            policy,
            clock,
            rng: std::sync::Mutex::new(rng),
        }
    }

    /// The wait before attempt `attempt + 1`.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self.policy.delay(attempt);
        if !self.policy.full_jitter {
            return ceiling;
        }
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        Duration::from_nanos(rng.u64(0..=nanos))
    }

    async fn run<T, F, Fut>(&self, mut call: F) -> Result<T, ProviderError>
    where
        F: FnMut() -> Fut + Send,
        Fut: Future<Output = Result<T, ProviderError>> + Send,
        T: Send,
    {
        let mut attempt = 1;
        loop {
            match call().await {
                Err(e) if e.code.is_retryable() && attempt < self.policy.max_attempts => {
                    self.clock.sleep(self.backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

#[async_trait]
impl Provider for Retry {
    fn replacement_properties(&self, type_name: &str) -> Vec<String> {
        self.inner.replacement_properties(type_name)
    }
    async fn create(&self, s: &Session, r: &CreateRequest) -> Result<ResourceState, ProviderError> {
        self.run(|| self.inner.create(s, r)).await
    }
    async fn read(
        &self,
        s: &Session,
        t: &str,
        id: &str,
        p: &Json,
    ) -> Result<ResourceState, ProviderError> {
        self.run(|| self.inner.read(s, t, id, p)).await
    }
    async fn update(&self, s: &Session, r: &UpdateRequest) -> Result<ResourceState, ProviderError> {
        self.run(|| self.inner.update(s, r)).await
    }
    async fn delete(&self, s: &Session, t: &str, id: &str, p: &Json) -> Result<(), ProviderError> {
        self.run(|| self.inner.delete(s, t, id, p)).await
    }
    async fn find(
        &self,
        s: &Session,
        r: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        self.run(|| self.inner.find(s, r)).await
    }
    async fn find_many(
        &self,
        s: &Session,
        r: &[CreateRequest],
    ) -> Result<Vec<Option<ResourceState>>, ProviderError> {
        self.run(|| self.inner.find_many(s, r)).await
    }
    async fn list(
        &self,
        s: &Session,
        t: &str,
    ) -> Result<Option<Vec<ResourceState>>, ProviderError> {
        self.run(|| self.inner.list(s, t)).await
    }
}

/// Reports every finished call of the wrapped provider to a callback, as the in-memory cloud's
/// observer does ([`crate::cloud::CallRecord`]): how a command line shows per-resource
/// progress whatever the provider.
pub struct Observe {
    inner: Arc<dyn Provider>,
    observer: Arc<dyn Fn(&crate::cloud::CallRecord) + Send + Sync>,
    calls: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Observe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observe").finish_non_exhaustive()
    }
}

impl Observe {
    /// Wrap `inner`, calling `observer` after each of its calls.
    pub fn new(
        inner: Arc<dyn Provider>,
        observer: Arc<dyn Fn(&crate::cloud::CallRecord) + Send + Sync>,
    ) -> Self {
        Observe {
            inner,
            observer,
            calls: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn report<T>(
        &self,
        operation: &'static str,
        type_name: &str,
        result: Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let number = self
            .calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        (self.observer)(&crate::cloud::CallRecord {
            number,
            operation,
            type_name: type_name.to_owned(),
            ok: result.is_ok(),
            error: result.as_ref().err().map(|e| e.code),
        });
        result
    }
}

#[async_trait]
impl Provider for Observe {
    fn replacement_properties(&self, type_name: &str) -> Vec<String> {
        self.inner.replacement_properties(type_name)
    }
    async fn create(&self, s: &Session, r: &CreateRequest) -> Result<ResourceState, ProviderError> {
        let result = self.inner.create(s, r).await;
        self.report("create", &r.type_name, result)
    }
    async fn read(
        &self,
        s: &Session,
        t: &str,
        id: &str,
        p: &Json,
    ) -> Result<ResourceState, ProviderError> {
        let result = self.inner.read(s, t, id, p).await;
        self.report("read", t, result)
    }
    async fn update(&self, s: &Session, r: &UpdateRequest) -> Result<ResourceState, ProviderError> {
        let result = self.inner.update(s, r).await;
        self.report("update", &r.type_name, result)
    }
    async fn delete(&self, s: &Session, t: &str, id: &str, p: &Json) -> Result<(), ProviderError> {
        let result = self.inner.delete(s, t, id, p).await;
        self.report("delete", t, result)
    }
    async fn find(
        &self,
        s: &Session,
        r: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        let result = self.inner.find(s, r).await;
        self.report("find", &r.type_name, result)
    }
    async fn find_many(
        &self,
        s: &Session,
        r: &[CreateRequest],
    ) -> Result<Vec<Option<ResourceState>>, ProviderError> {
        let result = self.inner.find_many(s, r).await;
        let type_name = r.first().map(|r| r.type_name.as_str()).unwrap_or_default();
        self.report("find", type_name, result)
    }
    async fn list(
        &self,
        s: &Session,
        t: &str,
    ) -> Result<Option<Vec<ResourceState>>, ProviderError> {
        let result = self.inner.list(s, t).await;
        self.report("list", t, result)
    }
}

impl crate::provider::ProviderRegistry {
    /// Every provider of the registry wrapped in the engine's layers: request rates and
    /// concurrent writes per `limits` ([`crate::RateLimit`]), then throttled or concurrently
    /// modified calls retried with jittered backoff per `policy` ([`Retry`]), both on `clock`.
    /// The in-memory cloud, the AWS provider and a deployer's own handlers all go through it.
    pub fn with_engine_layers(
        self,
        limits: crate::RateLimits,
        policy: RetryPolicy,
        clock: Arc<dyn Clock>,
    ) -> Self {
        self.layer(move |p| {
            let limited: Arc<dyn Provider> =
                Arc::new(crate::RateLimit::with_limits(p, &limits, clock.clone()));
            Arc::new(Retry::new(limited, policy.clone(), clock.clone()))
        })
    }
}

#[cfg(test)]
mod observe_tests {
    use std::sync::Mutex;

    use super::*;
    use crate::cloud::{CallRecord, InMemoryCloud};

    #[tokio::test]
    async fn every_call_is_reported_with_its_outcome() {
        let cloud = Arc::new(InMemoryCloud::new());
        let seen: Arc<Mutex<Vec<CallRecord>>> = Arc::default();
        let sink = seen.clone();
        let observed = Observe::new(
            cloud,
            Arc::new(move |c: &CallRecord| sink.lock().unwrap().push(c.clone())),
        );
        let session = Session::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1");
        let missing = observed
            .read(&session, "AWS::S3::Bucket", "no-such-bucket", &Json::Null)
            .await;
        assert!(missing.is_err());
        let seen = seen.lock().unwrap();
        assert_eq!(
            *seen,
            vec![CallRecord {
                number: 1,
                operation: "read",
                type_name: "AWS::S3::Bucket".into(),
                ok: false,
                error: Some(crate::ErrorCode::NotFound),
            }]
        );
    }
}
