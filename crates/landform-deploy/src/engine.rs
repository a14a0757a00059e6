//! The engine: plan, apply, destroy and drift over an [`Assembly`], through the providers of
//! a [`ProviderRegistry`], with state, lock, journal and per-account sessions.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as SyncMutex};

use futures::stream::{FuturesUnordered, StreamExt};
use landform_core::synth::AccountSpec;
use landform_core::Assembly;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::DeployError;
use crate::intrinsics::Lookup;
use crate::layer::{Clock, TokioClock};
use crate::lock::Lock;
use crate::model::{resource_key, Model};
use crate::plan::{self, Plan};
use crate::provider::{ProviderRegistry, Session, Sessions};
use crate::report::{ApplyReport, DriftReport};
use crate::resolver::Resolver;
use crate::state::{State, StateStore};

/// The deploy engine.
///
/// ```
/// use std::sync::Arc;
/// use landform_core::{App, Environment, Resource};
/// use landform_deploy::{Engine, InMemoryCloud, MemoryLock, MemoryStateStore};
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"));
/// let stack = app.add_stack(stage, "State");
/// app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table")
///     .property("KeySchema", serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]))
///     .property("AttributeDefinitions", serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}])));
/// let assembly = app.synth().unwrap();
///
/// let cloud = InMemoryCloud::new();
/// let engine = Engine::new(cloud.registry(), Arc::new(MemoryStateStore::new()),
///                          Arc::new(MemoryLock::new()), Arc::new(cloud.sessions()));
/// assert_eq!(engine.plan(&assembly).await.unwrap().changes.len(), 1);
/// let report = engine.apply(&assembly).await.unwrap();
/// assert_eq!(report.created, 1);
/// assert!(engine.plan(&assembly).await.unwrap().is_empty());
/// # });
/// ```
pub struct Engine {
    pub(crate) registry: ProviderRegistry,
    pub(crate) state: Arc<dyn StateStore>,
    pub(crate) lock: Arc<dyn Lock>,
    sessions: Arc<dyn Sessions>,
    clock: Arc<dyn Clock>,
    concurrency: usize,
    pub(crate) holder: String,
    refresh: bool,
    target: Option<String>,
    replace_adopted: bool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("registry", &self.registry)
            .field("concurrency", &self.concurrency)
            .field("holder", &self.holder)
            .finish()
    }
}

impl Engine {
    /// An engine over providers, a state store, a lock and sessions. Defaults: tokio clock,
    /// 32 calls at once, lock holder `landform-<pid>`.
    pub fn new(
        registry: ProviderRegistry,
        state: Arc<dyn StateStore>,
        lock: Arc<dyn Lock>,
        sessions: Arc<dyn Sessions>,
    ) -> Self {
        Engine {
            registry,
            state,
            lock,
            sessions,
            clock: Arc::new(TokioClock::new()),
            concurrency: 32,
            holder: format!("landform-{}", std::process::id()),
            refresh: false,
            target: None,
            replace_adopted: false,
        }
    }
    /// Let an apply replace adopted resources (found live by [`Engine::adopt`]) whose
    /// create-only properties differ from the app's. Off by default: such a plan is refused
    /// ([`DeployError::ReplaceAdopted`]) before any call, since the replacement deletes a
    /// resource this app did not create.
    pub fn with_replace_adopted(mut self, replace: bool) -> Self {
        self.replace_adopted = replace;
        self
    }
    /// [`Engine::with_replace_adopted`] on an engine already built (held by a backend).
    pub fn set_replace_adopted(&mut self, replace: bool) {
        self.replace_adopted = replace;
    }
    pub(crate) fn replaces_adopted(&self) -> bool {
        self.replace_adopted
    }
    /// Name where this engine applies (`"in-memory cloud"`, `"AWS account 123456789012"`):
    /// an apply records it in the state, and every verb refuses a state recorded for another
    /// target ([`DeployError::OtherTarget`]), so the state of one cloud is never read back,
    /// changed or destroyed in another. A state recorded without a target, or that records
    /// no resource, is taken, and gets this one at its next apply.
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
    /// The recorded state, refused if it was recorded for another target
    /// ([`Engine::with_target`]): what a destroy's preview or a report lists.
    pub async fn recorded_state(&self) -> Result<State, DeployError> {
        self.checked(self.state.load().await?)
    }
    /// `state`, if it was recorded for this engine's target, for none, or records nothing.
    pub(crate) fn checked(&self, mut state: State) -> Result<State, DeployError> {
        let records = state.resource_count() > 0 || !state.pending.is_empty();
        match (&state.target, &self.target) {
            (Some(recorded), Some(target)) if recorded != target && records => {
                return Err(DeployError::OtherTarget {
                    recorded: recorded.clone(),
                    target: target.clone(),
                })
            }
            (_, Some(target)) => state.target = Some(target.clone()),
            _ => {}
        }
        Ok(state)
    }
    /// Refresh before planning and applying: read every recorded resource back first (side
    /// by side, within the engine's concurrency and the providers' rate limits) and compare
    /// the app with what is live, so a property changed behind the engine's back is planned
    /// as an update and a deleted resource as a create. Off by default: [`Engine::plan`] then
    /// calls no provider.
    pub fn with_refresh(mut self, refresh: bool) -> Self {
        self.refresh = refresh;
        self
    }
    pub(crate) fn sessions(&self) -> &dyn Sessions {
        &*self.sessions
    }
    pub(crate) fn concurrency(&self) -> usize {
        self.concurrency
    }
    /// Use another clock (for polling delays and the wall time of reports).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// At most `n` resources in progress at once (at least 1). A resource waiting between
    /// the status polls of a long-running create or update (an account being created) does
    /// not count: it makes no call while it waits, and gives its place to the next one.
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
    /// The holder id written into the lock.
    pub fn with_holder(mut self, holder: impl Into<String>) -> Self {
        self.holder = holder.into();
        self
    }

    /// What an apply would do. Calls no provider, unless the engine refreshes
    /// ([`Engine::with_refresh`]): then it reads every recorded resource first and plans
    /// against what it found.
    pub async fn plan(&self, assembly: &Assembly) -> Result<Plan, DeployError> {
        let model = Model::build(assembly)?;
        let mut state = self.checked(self.state.load().await?)?;
        let readopted = readopt(&model, &mut state);
        let refreshed = self.refresh_view(&mut state).await?;
        let mut plan = plan::compute(&model, &state, &self.registry)?;
        plan.readopted = readopted;
        if let Some((read, drifted)) = refreshed {
            plan.refreshed = read;
            plan.drifted = drifted;
        }
        Ok(plan)
    }

    /// With refresh on, replace `state` by what the cloud holds: (resources read, drifted).
    async fn refresh_view(&self, state: &mut State) -> Result<Option<(usize, usize)>, DeployError> {
        if !self.refresh {
            return Ok(None);
        }
        let observed = crate::refresh::read_back(self, state).await?;
        let read = observed.len();
        Ok(Some((
            read,
            crate::refresh::apply_observed(state, observed),
        )))
    }

    /// Apply the assembly: settle the journal of an interrupted run, then create, update or
    /// replace every resource as soon as its dependencies are done, then delete what left
    /// the assembly (forgetting retained resources), then record the outputs.
    pub async fn apply(&self, assembly: &Assembly) -> Result<ApplyReport, DeployError> {
        let model = Model::build(assembly)?;
        self.locked(model, false).await
    }

    /// Delete every recorded resource in reverse dependency order. Resources with
    /// `DeletionPolicy: Retain` are forgotten, not deleted, and listed in the report.
    pub async fn destroy(&self) -> Result<ApplyReport, DeployError> {
        self.locked(Model::empty(), true).await
    }

    async fn locked(&self, model: Model, destroy: bool) -> Result<ApplyReport, DeployError> {
        let start = self.clock.elapsed();
        let state = self.checked(self.state.load().await?)?;
        // Refuse unknown types and unresolvable references before any call, and the
        // replacement of a resource this app adopted rather than created.
        {
            // Not kept: at a thousand accounts the plan holds every property of every change.
            let planned = plan::compute(&model, &state, &self.registry)?;
            if !destroy && !self.replace_adopted {
                refuse_adopted_replacements(&planned, &state)?;
            }
        }
        for stack in state.stacks.values() {
            for rec in stack.resources.values() {
                let _ = self.provider_for(&rec.type_name, "", "", &rec.path)?;
            }
        }
        drop(state);
        self.lock.acquire(&self.holder).await?;
        // What another deployer recorded before this one took the lock counts.
        let result = match self.state.load().await.and_then(|s| self.checked(s)) {
            Ok(mut state) => {
                let readopted = if destroy {
                    Vec::new()
                } else {
                    readopt(&model, &mut state)
                };
                let refreshed = if destroy {
                    Ok(None)
                } else {
                    self.refresh_view(&mut state).await
                };
                match refreshed {
                    Ok(_) => Run::new(self, model, state)
                        .execute(destroy)
                        .await
                        .map(|report| ApplyReport {
                            readopted,
                            ..report
                        }),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        let released = self.lock.release(&self.holder).await;
        let mut report = result?;
        released?;
        report.wall_time = self.clock.elapsed().saturating_sub(start);
        Ok(report)
    }

    /// Read every recorded resource back (side by side, within the engine's concurrency)
    /// and report the differences, per account (only accounts with drift are listed).
    pub async fn drift(&self) -> Result<DriftReport, DeployError> {
        let state = self.checked(self.state.load().await?)?;
        let observed = crate::refresh::read_back(self, &state).await?;
        Ok(crate::refresh::drift_report(&state, observed))
    }

    pub(crate) fn provider_for(
        &self,
        type_name: &str,
        stack: &str,
        logical_id: &str,
        path: &str,
    ) -> Result<Arc<dyn crate::Provider>, DeployError> {
        self.registry
            .provider(type_name)
            .ok_or_else(|| DeployError::UnknownResourceType {
                stack: stack.to_owned(),
                logical_id: logical_id.to_owned(),
                path: path.to_owned(),
                type_name: type_name.to_owned(),
            })
    }
}

/// [`DeployError::ReplaceAdopted`] for each planned replacement of an adopted resource.
fn refuse_adopted_replacements(planned: &Plan, state: &State) -> Result<(), DeployError> {
    let errors = planned
        .changes
        .iter()
        .filter(|c| c.action == plan::Action::Replace)
        .filter_map(|c| {
            let rec = state.resource(&c.stack, &c.logical_id)?;
            rec.adopted.then(|| DeployError::ReplaceAdopted {
                resource: format!("{}/{}", c.stack, c.logical_id),
                type_name: c.type_name.clone(),
                physical_id: rec.physical_id.clone(),
                properties: c
                    .properties
                    .iter()
                    .filter(|p| p.forces_replacement)
                    .map(|p| p.name.clone())
                    .collect(),
            })
        })
        .collect();
    DeployError::all(errors)
}

/// Bring back into `state` the retained resources the app names again ([`State::readopt`]).
pub(crate) fn readopt(model: &Model, state: &mut State) -> Vec<String> {
    state.readopt(model.resources.iter().map(|r| {
        let stack = &model.stacks[r.stack];
        let account = match &stack.account {
            AccountSpec::Literal(id) => Some(id.as_str()),
            AccountSpec::FromOutput(_) => None,
        };
        (
            stack.name.as_str(),
            r.logical_id.as_str(),
            r.type_name.as_str(),
            stack.region.as_str(),
            account,
        )
    }))
}

/// A deterministic physical name for a resource without an explicit one: stack name and
/// logical id (letters, digits and `-`), cut to fit, plus 8 hex digits of their hash. At most
/// 63 characters, so it fits every AWS name limit the constructs meet.
///
/// ```
/// let a = landform_deploy::physical_name("Prod-Network", "Vpc");
/// assert_eq!(a, landform_deploy::physical_name("Prod-Network", "Vpc"));
/// assert!(a.starts_with("Prod-Network-Vpc-") && a.len() <= 63);
/// ```
pub fn physical_name(stack: &str, logical_id: &str) -> String {
    let base: String = format!("{stack}-{logical_id}")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(54)
        .collect();
    let digest = Sha256::digest(resource_key(stack, logical_id).as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{base}-{hash}")
}

/// Outcome counters of one run.
#[derive(Default)]
pub(crate) struct Counts {
    pub created: usize,
    pub updated: usize,
    pub replaced: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub retained: Vec<String>,
    pub recovered: usize,
}

tokio::task_local! {
    /// The scheduler's slot held by the resource task running in this future, given back
    /// while the task only waits (see [`Run::parked`]).
    static SLOT: RefCell<Option<OwnedSemaphorePermit>>;
}

/// One apply or destroy in progress.
pub(crate) struct Run<'e> {
    pub engine: &'e Engine,
    pub model: Model,
    pub state: tokio::sync::Mutex<State>,
    pub sessions: tokio::sync::Mutex<HashMap<(String, String), Session>>,
    pub calls: AtomicU64,
    pub writes: AtomicU64,
    pub counts: SyncMutex<Counts>,
    /// The scheduler's slots: `engine.concurrency` resources in progress at once.
    slots: Arc<Semaphore>,
}

impl<'e> Run<'e> {
    pub(crate) fn new(engine: &'e Engine, model: Model, mut state: State) -> Self {
        state.journal.clear();
        Run {
            engine,
            model,
            state: tokio::sync::Mutex::new(state),
            sessions: tokio::sync::Mutex::new(HashMap::new()),
            calls: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            counts: SyncMutex::new(Counts::default()),
            slots: Arc::new(Semaphore::new(engine.concurrency)),
        }
    }

    /// Await `wait` (a poll interval) without holding a scheduler slot, so another ready
    /// resource runs meanwhile; the slot is taken back before going on.
    pub async fn parked<T>(&self, wait: impl Future<Output = T>) -> T {
        let held = SLOT.try_with(|s| s.borrow_mut().take()).ok().flatten();
        let Some(permit) = held else {
            return wait.await;
        };
        drop(permit);
        let out = wait.await;
        // The semaphore is never closed; a failure would only mean running without a slot.
        if let Ok(permit) = self.slots.clone().acquire_owned().await {
            let _ = SLOT.try_with(|s| *s.borrow_mut() = Some(permit));
        }
        out
    }

    pub fn count(&self, f: impl FnOnce(&mut Counts)) {
        match self.counts.lock() {
            Ok(mut c) => f(&mut c),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    pub fn registry(&self) -> &ProviderRegistry {
        &self.engine.registry
    }

    pub fn engine_state(&self) -> &dyn StateStore {
        &*self.engine.state
    }

    pub fn clock(&self) -> &dyn Clock {
        &*self.engine.clock
    }

    pub fn provider_call(&self, write: bool) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if write {
            self.writes.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub async fn session(&self, account: &str, region: &str) -> Result<Session, DeployError> {
        let key = (account.to_owned(), region.to_owned());
        if let Some(s) = self.sessions.lock().await.get(&key) {
            return Ok(s.clone());
        }
        let session = self.engine.sessions.session(account, region).await?;
        self.sessions.lock().await.insert(key, session.clone());
        Ok(session)
    }

    async fn execute(&self, destroy: bool) -> Result<ApplyReport, DeployError> {
        // Save the cleared journal once, whole: from here on the store records each step
        // alone (`StateStore::record`), on top of this.
        {
            let state = self.state.lock().await;
            self.engine.state.save(&state).await?;
        }
        // What a destroy removes from: every stack and account holding a recorded resource.
        let touched = if destroy {
            let state = self.state.lock().await;
            let stacks: Vec<&crate::state::StackState> = state
                .stacks
                .values()
                .filter(|s| !s.resources.is_empty())
                .collect();
            let accounts: HashSet<&str> = stacks.iter().map(|s| s.account.as_str()).collect();
            Some((stacks.len(), accounts.len()))
        } else {
            None
        };
        if !destroy {
            self.reachable().await?;
            self.refuse_unknown_units().await?;
        }
        self.recover().await?;
        if !destroy {
            self.refuse_unadopted().await?;
            let deps: Vec<Vec<usize>> = self
                .model
                .resources
                .iter()
                .map(|r| r.deps.clone())
                .collect();
            let weights: Vec<u64> = self
                .model
                .resources
                .iter()
                .map(|r| {
                    if r.type_name == "AWS::Organizations::Account" {
                        3
                    } else {
                        1
                    }
                })
                .collect();
            self.schedule(&deps, &weights, |i| self.apply_resource(i))
                .await?;
        }
        self.delete_removed().await?;
        let outputs = self.record_outputs().await?;
        let mut report = ApplyReport {
            stacks: self.model.stacks.len(),
            outputs,
            calls: self.calls.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            ..ApplyReport::default()
        };
        if let Some((stacks, accounts)) = touched {
            report.stacks = stacks;
            report.accounts = accounts;
        } else {
            let state = self.state.lock().await;
            let accounts: HashSet<&str> = self
                .model
                .stacks
                .iter()
                .filter_map(|s| state.stacks.get(&s.name))
                .map(|s| s.account.as_str())
                .collect();
            report.accounts = accounts.len();
        }
        self.count(|c| {
            report.created = c.created;
            report.updated = c.updated;
            report.replaced = c.replaced;
            report.deleted = c.deleted;
            report.unchanged = c.unchanged;
            report.retained = std::mem::take(&mut c.retained);
            report.recovered = c.recovered;
        });
        Ok(report)
    }

    /// Before any write: a session in every account the app names literally (an existing
    /// account: the management account, a log archive made by Control Tower...), so an account
    /// that is not in the organization, or whose role cannot be assumed, is refused with the
    /// stacks that target it instead of failing after the first creates. Accounts the app
    /// creates are reached once they exist. Every unreachable account is reported.
    pub(crate) async fn reachable(&self) -> Result<(), DeployError> {
        let mut targets: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for stack in &self.model.stacks {
            if let AccountSpec::Literal(account) = &stack.account {
                targets
                    .entry((account.as_str(), stack.region.as_str()))
                    .or_default()
                    .push(stack.name.as_str());
            }
        }
        let mut errors = Vec::new();
        for ((account, region), stacks) in targets {
            if let Err(e) = self.session(account, region).await {
                let e = match e {
                    DeployError::Session {
                        account,
                        region,
                        reason,
                    } => DeployError::Session {
                        account,
                        region,
                        reason: format!(
                            "{reason} (wanted by stack(s) {}); nothing was changed",
                            stacks.join(", ")
                        ),
                    },
                    other => other,
                };
                errors.push(e);
            }
        }
        DeployError::all(errors)
    }

    /// Run `task` for every node once its dependencies are done, at most
    /// `engine.concurrency` at once (a task waiting in [`Run::parked`] gives its slot back),
    /// longest remaining chain first. On a failure no new node starts; the running ones
    /// finish and every failure is reported.
    pub async fn schedule<F, Fut>(
        &self,
        deps: &[Vec<usize>],
        weights: &[u64],
        task: F,
    ) -> Result<(), DeployError>
    where
        F: Fn(usize) -> Fut,
        Fut: Future<Output = Result<(), DeployError>>,
    {
        let n = deps.len();
        let mut dependents = vec![Vec::new(); n];
        for (i, d) in deps.iter().enumerate() {
            for &on in d {
                dependents[on].push(i);
            }
        }
        let priority = chain_lengths(deps, &dependents, weights);
        let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
        let mut ready: BinaryHeap<(u64, Reverse<usize>)> = (0..n)
            .filter(|&i| waiting[i] == 0)
            .map(|i| (priority[i], Reverse(i)))
            .collect();
        let mut running = FuturesUnordered::new();
        let mut errors: Vec<DeployError> = Vec::new();
        let task = &task;
        let start = |i: usize, permit: OwnedSemaphorePermit| {
            SLOT.scope(
                RefCell::new(Some(permit)),
                async move { (i, task(i).await) },
            )
        };
        loop {
            while errors.is_empty() && !ready.is_empty() {
                let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                    break;
                };
                if let Some((_, Reverse(i))) = ready.pop() {
                    running.push(start(i, permit));
                }
            }
            let finished = if errors.is_empty() && !ready.is_empty() {
                // Every slot is taken: wait for a task to finish or to park.
                tokio::select! {
                    biased;
                    done = running.next() => done,
                    permit = self.slots.clone().acquire_owned() => {
                        if let (Ok(permit), Some((_, Reverse(i)))) = (permit, ready.pop()) {
                            running.push(start(i, permit));
                        }
                        continue;
                    }
                }
            } else {
                running.next().await
            };
            match finished {
                None => break,
                Some((i, Ok(()))) => {
                    for &d in &dependents[i] {
                        waiting[d] -= 1;
                        if waiting[d] == 0 {
                            ready.push((priority[d], Reverse(d)));
                        }
                    }
                }
                Some((_, Err(e))) => errors.push(e),
            }
        }
        DeployError::all(errors)
    }

    pub(crate) async fn record_outputs(&self) -> Result<usize, DeployError> {
        let mut state = self.state.lock().await;
        let mut count = 0;
        let unknown = HashSet::new();
        let mut resolved = Vec::new();
        {
            let resolver = Resolver::new(&self.model, &state, &unknown);
            for (s, stack) in self.model.stacks.iter().enumerate() {
                for (id, body) in &stack.outputs {
                    let value = body.get("Value").cloned().unwrap_or(Json::Null);
                    let v = resolver
                        .value(s, &value)
                        .map_err(|e| DeployError::Resolve {
                            stack: stack.name.clone(),
                            location: format!("Outputs.{id}"),
                            reason: e.to_string(),
                        })?;
                    if let Some(v) = v {
                        resolved.push((stack.name.clone(), id.clone(), v));
                    }
                }
                if let Lookup::Known(Json::String(account)) = resolver.account(s) {
                    resolved.push((stack.name.clone(), String::new(), Json::String(account)));
                }
            }
        }
        for (stack, id, v) in resolved {
            let entry = state.stacks.entry(stack.clone()).or_default();
            if id.is_empty() {
                entry.account = v.as_str().unwrap_or_default().to_owned();
                entry.region = self.model.stacks[self.model.stack_index[&stack]]
                    .region
                    .clone();
            } else {
                entry.outputs.insert(id, v);
                count += 1;
            }
        }
        let model = &self.model;
        state
            .stacks
            .retain(|name, s| model.stack_index.contains_key(name) || !s.resources.is_empty());
        self.engine.state.save(&state).await?;
        Ok(count)
    }
}

/// For each node, the weight of the longest chain of dependents starting at it.
fn chain_lengths(deps: &[Vec<usize>], dependents: &[Vec<usize>], weights: &[u64]) -> Vec<u64> {
    let n = deps.len();
    let mut memo: Vec<Option<u64>> = vec![None; n];
    let mut visiting = vec![false; n];
    // Iterative post-order to avoid deep recursion on long chains; `visiting` stops cycles.
    for start in 0..n {
        let mut stack = vec![(start, false)];
        while let Some((i, expanded)) = stack.pop() {
            if memo[i].is_some() {
                continue;
            }
            if expanded {
                let below = dependents[i]
                    .iter()
                    .filter_map(|&d| memo[d])
                    .max()
                    .unwrap_or(0);
                memo[i] = Some(weights.get(i).copied().unwrap_or(1) + below);
            } else if !visiting[i] {
                visiting[i] = true;
                stack.push((i, true));
                stack.extend(
                    dependents[i]
                        .iter()
                        .filter(|&&d| memo[d].is_none() && !visiting[d])
                        .map(|&d| (d, false)),
                );
            }
        }
    }
    memo.into_iter().map(|m| m.unwrap_or(1)).collect()
}
