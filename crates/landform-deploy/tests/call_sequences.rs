//! Call sequences that matter, asserted on a mockall double of [`Provider`]: the retry
//! layer's backoff, the look-up before a create that may already have happened, and the
//! absence of writes when nothing changed. Everything else runs on the in-memory cloud.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use landform_core::{App, Assembly, Environment};
use landform_deploy::cloud::supported_types;
use landform_deploy::{
    AnyAccountSessions, Clock, CreateRequest, DeployError, Engine, ErrorCode, MemoryLock,
    MemoryStateStore, Provider, ProviderError, ProviderRegistry, ResourceState, Retry, RetryPolicy,
    Session, StateStore, UpdateRequest,
};
use mockall::{mock, Sequence};
use serde_json::{json, Value as Json};

mock! {
    pub Provider {}
    #[async_trait]
    impl Provider for Provider {
        fn replacement_properties(&self, type_name: &str) -> Vec<String>;
        async fn create(
            &self,
            session: &Session,
            request: &CreateRequest,
        ) -> Result<ResourceState, ProviderError>;
        async fn read(
            &self,
            session: &Session,
            type_name: &str,
            physical_id: &str,
            properties: &Json,
        ) -> Result<ResourceState, ProviderError>;
        async fn update(
            &self,
            session: &Session,
            request: &UpdateRequest,
        ) -> Result<ResourceState, ProviderError>;
        async fn delete(
            &self,
            session: &Session,
            type_name: &str,
            physical_id: &str,
            properties: &Json,
        ) -> Result<(), ProviderError>;
        async fn find(
            &self,
            session: &Session,
            request: &CreateRequest,
        ) -> Result<Option<ResourceState>, ProviderError>;
    }
}

/// What happened, in order: provider calls (from the mock) and backoff sleeps (from the
/// clock).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Call(&'static str),
    Sleep(Duration),
}

type Log = Arc<Mutex<Vec<Event>>>;

fn push(log: &Log, event: Event) {
    log.lock().unwrap().push(event);
}

/// A clock whose sleeps return at once and are written to the log.
struct RecordingClock {
    log: Log,
}

#[async_trait]
impl Clock for RecordingClock {
    fn elapsed(&self) -> Duration {
        Duration::ZERO
    }
    async fn sleep(&self, duration: Duration) {
        push(&self.log, Event::Sleep(duration));
    }
}

fn failure(code: ErrorCode) -> ProviderError {
    ProviderError::new(code, format!("injected {code}"))
}

fn ready(id: &str) -> ResourceState {
    ResourceState::ready(id, BTreeMap::new(), json!({}))
}

fn session() -> Session {
    Session::new("111111111111", "us-east-1")
}

fn create_request() -> CreateRequest {
    CreateRequest {
        type_name: "AWS::DynamoDB::Table".into(),
        stack: "Management-State".into(),
        logical_id: "Locks".into(),
        properties: json!({"TableName": "locks"}),
        physical_name: "Management-State-Locks".into(),
        idempotency_key: "Management-State/Locks".into(),
    }
}

/// 100 ms doubling, capped at 300 ms; without jitter, so the waits are the ceilings.
fn policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(300),
        full_jitter: false,
        jitter_seed: None,
    }
}

fn retry(mock: MockProvider, max_attempts: u32, log: &Log) -> Retry {
    Retry::new(
        Arc::new(mock),
        policy(max_attempts),
        Arc::new(RecordingClock { log: log.clone() }),
    )
}

fn sleeps(log: &Log) -> Vec<Duration> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Event::Sleep(d) => Some(*d),
            Event::Call(_) => None,
        })
        .collect()
}

#[tokio::test]
async fn retry_backs_off_on_throttling_and_concurrent_modification_then_succeeds() {
    let log: Log = Arc::default();
    let mut mock = MockProvider::new();
    let mut seq = Sequence::new();
    for code in [
        ErrorCode::Throttling,
        ErrorCode::ConcurrentModification,
        ErrorCode::Throttling,
    ] {
        let log = log.clone();
        mock.expect_create()
            .times(1)
            .in_sequence(&mut seq)
            .returning(move |_, _| {
                push(&log, Event::Call("create"));
                Err(failure(code))
            });
    }
    let l = log.clone();
    mock.expect_create()
        .times(1)
        .in_sequence(&mut seq)
        .returning(move |_, r| {
            push(&l, Event::Call("create"));
            Ok(ready(&r.physical_name))
        });

    let layered = retry(mock, 6, &log);
    let done = layered.create(&session(), &create_request()).await.unwrap();
    assert_eq!(done.physical_id, "Management-State-Locks");

    let ms = Duration::from_millis;
    // Each retry waits first; the wait doubles and stops growing at the policy's maximum.
    assert_eq!(
        *log.lock().unwrap(),
        vec![
            Event::Call("create"),
            Event::Sleep(ms(100)),
            Event::Call("create"),
            Event::Sleep(ms(200)),
            Event::Call("create"),
            Event::Sleep(ms(300)),
            Event::Call("create"),
        ]
    );
    let waits = sleeps(&log);
    assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
    assert!(waits.iter().all(|w| *w <= ms(300)), "{waits:?}");
}

#[tokio::test]
async fn retry_gives_up_after_the_configured_attempts() {
    let log: Log = Arc::default();
    let mut mock = MockProvider::new();
    let l = log.clone();
    mock.expect_update().times(4).returning(move |_, _| {
        push(&l, Event::Call("update"));
        Err(failure(ErrorCode::ConcurrentModification))
    });
    let layered = retry(mock, 4, &log);
    let request = UpdateRequest {
        type_name: "AWS::Organizations::OrganizationalUnit".into(),
        physical_id: "ou-1".into(),
        previous: json!({"Name": "a"}),
        properties: json!({"Name": "b"}),
    };
    let err = layered.update(&session(), &request).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ConcurrentModification);
    // Four attempts, three waits between them, none after the last.
    let ms = Duration::from_millis;
    assert_eq!(sleeps(&log), vec![ms(100), ms(200), ms(300)]);
    assert_eq!(log.lock().unwrap().last(), Some(&Event::Call("update")));
}

/// Full jitter: each wait lies between zero and its ceiling, the waits are not the ceilings
/// themselves, and a seed makes them repeatable.
#[tokio::test]
async fn full_jitter_draws_each_wait_below_its_ceiling() {
    let waits_with = |seed: u64| async move {
        let log: Log = Arc::default();
        let mut mock = MockProvider::new();
        mock.expect_read()
            .times(6)
            .returning(|_, _, _, _| Err(failure(ErrorCode::Throttling)));
        let policy = RetryPolicy {
            full_jitter: true,
            jitter_seed: Some(seed),
            ..policy(6)
        };
        let layered = Retry::new(
            Arc::new(mock),
            policy,
            Arc::new(RecordingClock { log: log.clone() }),
        );
        let read = layered
            .read(&session(), "AWS::DynamoDB::Table", "locks", &json!({}))
            .await;
        assert_eq!(read.unwrap_err().code, ErrorCode::Throttling);
        sleeps(&log)
    };
    let ms = Duration::from_millis;
    let ceilings = [ms(100), ms(200), ms(300), ms(300), ms(300)];
    let a = waits_with(7).await;
    assert_eq!(a.len(), 5);
    assert!(a.iter().zip(ceilings).all(|(w, c)| *w <= c), "{a:?}");
    assert_ne!(a, ceilings.to_vec(), "jittered waits are not the ceilings");
    assert_eq!(a, waits_with(7).await, "a seed repeats the waits");
    assert_ne!(a, waits_with(8).await);
}

#[tokio::test]
async fn retry_never_repeats_not_found_or_invalid_request() {
    let log: Log = Arc::default();
    let mut mock = MockProvider::new();
    mock.expect_read()
        .times(1)
        .returning(|_, _, _, _| Err(failure(ErrorCode::NotFound)));
    mock.expect_create()
        .times(1)
        .returning(|_, _| Err(failure(ErrorCode::InvalidRequest)));
    mock.expect_delete()
        .times(1)
        .returning(|_, _, _, _| Err(failure(ErrorCode::NotFound)));
    let layered = retry(mock, 6, &log);
    let s = session();
    let read = layered
        .read(&s, "AWS::DynamoDB::Table", "locks", &json!({}))
        .await;
    assert_eq!(read.unwrap_err().code, ErrorCode::NotFound);
    let create = layered.create(&s, &create_request()).await;
    assert_eq!(create.unwrap_err().code, ErrorCode::InvalidRequest);
    let delete = layered
        .delete(&s, "AWS::DynamoDB::Table", "locks", &json!({}))
        .await;
    assert_eq!(delete.unwrap_err().code, ErrorCode::NotFound);
    assert!(sleeps(&log).is_empty(), "no backoff: {:?}", log.lock());
}

/// One stack in the management account with one table.
fn one_table() -> Assembly {
    let mut app = App::new();
    let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "State");
    app.scope(stack).add_resource(
        "Locks",
        support::lock_table().property("TableName", "locks"),
    );
    app.synth().unwrap()
}

fn mock_engine(mock: MockProvider, state: Arc<dyn StateStore>) -> Engine {
    let mut registry = ProviderRegistry::new();
    registry.register("AWS::DynamoDB::Table", Arc::new(mock));
    Engine::new(
        registry,
        state,
        Arc::new(MemoryLock::new()),
        Arc::new(AnyAccountSessions),
    )
}

fn no_replacements(mock: &mut MockProvider) {
    mock.expect_replacement_properties()
        .returning(|_| Vec::new());
}

const TABLE: &str = "Management-State/Locks";

/// State left by an apply whose create of the table was sent and never answered: the intent
/// is pending, nothing is recorded. With `in_progress`, the provider first answered "in
/// progress" with a request id, and the poll was never answered.
async fn interrupted_create(in_progress: bool) -> (Arc<MemoryStateStore>, CreateRequest) {
    let state = Arc::new(MemoryStateStore::new());
    let sent: Arc<Mutex<Option<CreateRequest>>> = Arc::default();
    let mut mock = MockProvider::new();
    no_replacements(&mut mock);
    // The check before the first create: nothing of that name exists yet.
    mock.expect_find().times(1).returning(|_, _| Ok(None));
    let s = sent.clone();
    mock.expect_create().times(1).returning(move |_, r| {
        *s.lock().unwrap() = Some(r.clone());
        if in_progress {
            Ok(ResourceState {
                in_progress_retry_ms: Some(0),
                ..ready("request-1")
            })
        } else {
            Err(failure(ErrorCode::ServiceInternal))
        }
    });
    mock.expect_read()
        .returning(|_, _, _, _| Err(failure(ErrorCode::ServiceInternal)));
    let result = mock_engine(mock, state.clone()).apply(&one_table()).await;
    assert!(
        matches!(result, Err(DeployError::Provider { .. })),
        "{result:?}"
    );
    let recorded = state.load().await.unwrap();
    let intent = &recorded.pending[TABLE];
    assert_eq!(
        intent.physical_id.as_deref(),
        in_progress.then_some("request-1")
    );
    assert!(recorded.resource("Management-State", "Locks").is_none());
    let request = sent.lock().unwrap().clone().unwrap();
    (state, request)
}

#[tokio::test(start_paused = true)]
async fn interrupted_create_is_looked_up_and_not_created_again() {
    let (state, sent) = interrupted_create(false).await;
    let mut mock = MockProvider::new();
    no_replacements(&mut mock);
    let key = sent.idempotency_key.clone();
    mock.expect_find()
        .withf(move |_, r| r.idempotency_key == key)
        .times(1)
        .returning(|_, r| Ok(Some(ready(&r.physical_name))));
    mock.expect_create().times(0);
    mock.expect_read().times(0);
    let report = mock_engine(mock, state.clone())
        .apply(&one_table())
        .await
        .unwrap();
    assert_eq!((report.recovered, report.created), (1, 0), "{report}");
    let recorded = state.load().await.unwrap();
    assert!(recorded.pending.is_empty());
    assert_eq!(
        recorded
            .resource("Management-State", "Locks")
            .unwrap()
            .physical_id,
        sent.physical_name
    );
}

#[tokio::test(start_paused = true)]
async fn interrupted_in_progress_create_is_read_by_request_id_not_created_again() {
    let (state, _) = interrupted_create(true).await;
    let mut mock = MockProvider::new();
    no_replacements(&mut mock);
    mock.expect_read()
        .withf(|_, _, id, _| id == "request-1")
        .times(1)
        .returning(|_, _, _, _| Ok(ready("locks")));
    mock.expect_find().times(0);
    mock.expect_create().times(0);
    let report = mock_engine(mock, state.clone())
        .apply(&one_table())
        .await
        .unwrap();
    assert_eq!((report.recovered, report.created), (1, 0), "{report}");
    let recorded = state.load().await.unwrap();
    assert_eq!(
        recorded
            .resource("Management-State", "Locks")
            .unwrap()
            .physical_id,
        "locks"
    );
}

#[tokio::test(start_paused = true)]
async fn interrupted_create_not_found_is_looked_up_before_it_is_created() {
    let (state, sent) = interrupted_create(false).await;
    let mut mock = MockProvider::new();
    no_replacements(&mut mock);
    let mut seq = Sequence::new();
    // The journal's look-up, then the check before the creates (it finds nothing either).
    mock.expect_find()
        .times(2)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(None));
    let expected = sent.clone();
    mock.expect_create()
        .withf(move |_, r| *r == expected)
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, r| Ok(ready(&r.physical_name)));
    let report = mock_engine(mock, state.clone())
        .apply(&one_table())
        .await
        .unwrap();
    assert_eq!((report.recovered, report.created), (0, 1), "{report}");
}

#[tokio::test(start_paused = true)]
async fn reapplying_an_unchanged_assembly_calls_no_write() {
    let assembly = support::app();
    let cloud = support::cloud();
    let state = Arc::new(MemoryStateStore::new());
    support::engine(&cloud, state.clone())
        .apply(&assembly)
        .await
        .unwrap();

    let mut mock = MockProvider::new();
    let replacing = cloud.clone();
    mock.expect_replacement_properties()
        .returning(move |t| replacing.replacement_properties(t));
    mock.expect_create().times(0);
    mock.expect_update().times(0);
    mock.expect_delete().times(0);
    // Nothing is pending either, so nothing needs reading back.
    mock.expect_find().times(0);
    mock.expect_read().times(0);
    let mock: Arc<dyn Provider> = Arc::new(mock);
    let mut registry = ProviderRegistry::new();
    for t in supported_types() {
        registry.register(t, mock.clone());
    }
    registry.register_prefix("Custom::", mock);
    let engine = Engine::new(
        registry,
        state,
        Arc::new(MemoryLock::new()),
        Arc::new(AnyAccountSessions),
    );
    let report = engine.apply(&assembly).await.unwrap();
    assert!(report.unchanged > 30, "{report}");
    assert_eq!((report.calls, report.writes), (0, 0), "{report}");
}
