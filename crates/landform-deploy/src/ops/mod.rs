//! The engine's operations on one resource: journaled create, update, replace and delete,
//! and polling of long-running creates. Deleting what left the assembly and settling an
//! interrupted run's journal are in [`removal`].

mod removal;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value as Json;

use crate::engine::{physical_name, Run};
use crate::error::{DeployError, ErrorCode, ProviderError};
use crate::intrinsics::Lookup;
use crate::model::resource_key;
use crate::plan::changed_keys;
use crate::provider::{CreateRequest, Provider, ResourceState, Session, UpdateRequest};
use crate::resolver::Resolver;
use crate::state::{
    Intent, JournalRecord, Operation, PendingChange, Placement, RecordedResource, StateChange,
};

/// Where a resource lives and what it is, for journaling and errors.
pub(crate) struct Target {
    pub(crate) stack: String,
    pub(crate) logical_id: String,
    pub(crate) type_name: String,
}

impl Target {
    fn key(&self) -> String {
        resource_key(&self.stack, &self.logical_id)
    }
    /// The create (or look-up) request of this resource with `properties`: its deterministic
    /// physical name and its key as the idempotency key.
    pub(crate) fn request(&self, properties: Json) -> CreateRequest {
        CreateRequest {
            type_name: self.type_name.clone(),
            stack: self.stack.clone(),
            logical_id: self.logical_id.clone(),
            properties,
            physical_name: physical_name(&self.stack, &self.logical_id),
            idempotency_key: self.key(),
        }
    }
    pub(crate) fn error(&self, operation: &'static str, source: ProviderError) -> DeployError {
        DeployError::Provider {
            stack: self.stack.clone(),
            logical_id: self.logical_id.clone(),
            type_name: self.type_name.clone(),
            operation,
            source: Box::new(source),
        }
    }
}

/// What to record once a call succeeded.
struct Record {
    path: String,
    properties: Json,
    depends_on: Vec<String>,
    deletion_policy: Option<String>,
    /// Recorded by `adopt`: an update keeps the mark, a replacement (a new resource) drops it.
    adopted: bool,
}

impl Run<'_> {
    fn provider(&self, type_name: &str) -> Result<Arc<dyn Provider>, DeployError> {
        self.engine_provider(type_name)
    }

    pub(crate) fn engine_provider(
        &self,
        type_name: &str,
    ) -> Result<Arc<dyn Provider>, DeployError> {
        self.registry()
            .provider(type_name)
            .ok_or_else(|| DeployError::UnknownResourceType {
                stack: String::new(),
                logical_id: String::new(),
                path: String::new(),
                type_name: type_name.to_owned(),
            })
    }

    /// The explicit dependencies to record for `stack`: its own when it is a stack of the app,
    /// nothing (leave what is recorded) otherwise.
    fn stack_depends_on(&self, stack: &str) -> Option<Vec<String>> {
        let &s = self.model.stack_index.get(stack)?;
        Some(self.model.stacks[s].depends_on.clone())
    }

    /// Write a journal event (and optionally change the pending intents), then save.
    async fn journal(
        &self,
        key: &str,
        operation: Operation,
        event: &str,
        intent: Option<Option<Intent>>,
        record: Option<(String, String, Option<RecordedResource>, String, String)>,
    ) -> Result<(), DeployError> {
        let pending = match intent {
            Some(Some(i)) => PendingChange::Set(Box::new(i)),
            Some(None) => PendingChange::Clear,
            None => PendingChange::Keep,
        };
        let placement = record.map(|(stack, logical_id, resource, account, region)| Placement {
            stack_depends_on: self.stack_depends_on(&stack),
            retained: None,
            stack,
            logical_id,
            account,
            region,
            resource,
        });
        self.step(key, operation, event, pending, placement).await
    }

    /// Apply one step (pending intent, placement, journal line) to the state, then save it.
    pub(crate) async fn step(
        &self,
        key: &str,
        operation: Operation,
        event: &str,
        pending: PendingChange,
        placement: Option<Placement>,
    ) -> Result<(), DeployError> {
        let mut state = self.state.lock().await;
        let change = StateChange {
            resource: key.to_owned(),
            pending,
            placement,
            journal: Some(JournalRecord {
                seq: state.journal.len() as u64 + 1,
                resource: key.to_owned(),
                operation,
                event: event.to_owned(),
            }),
        };
        change.apply_to(&mut state);
        self.engine_state().record(&state, &change).await
    }

    /// Poll a long-running operation until the provider says it is done.
    async fn stabilize(
        &self,
        provider: &dyn Provider,
        session: &Session,
        target: &Target,
        mut current: ResourceState,
        properties: &Json,
    ) -> Result<ResourceState, DeployError> {
        let mut recorded_request = false;
        while let Some(ms) = current.in_progress_retry_ms {
            if !recorded_request {
                // Remember the request id so a resumed run polls instead of creating again.
                let key = target.key();
                let mut state = self.state.lock().await;
                if let Some(intent) = state.pending.get(&key) {
                    let mut intent = intent.clone();
                    intent.physical_id = Some(current.physical_id.clone());
                    let change = StateChange {
                        resource: key,
                        pending: PendingChange::Set(Box::new(intent)),
                        placement: None,
                        journal: None,
                    };
                    change.apply_to(&mut state);
                    self.engine_state().record(&state, &change).await?;
                }
                recorded_request = true;
            }
            // A zero wait still costs a timer tick (about a millisecond) on tokio's clock.
            if ms > 0 {
                self.parked(self.clock().sleep(Duration::from_millis(ms)))
                    .await;
            }
            self.provider_call(false);
            current = provider
                .read(session, &target.type_name, &current.physical_id, properties)
                .await
                .map_err(|e| target.error("read", e))?;
        }
        Ok(current)
    }

    /// Create, update or replace desired resource `i`; its dependencies are done.
    pub(crate) async fn apply_resource(&self, i: usize) -> Result<(), DeployError> {
        let model = &self.model;
        let r = &model.resources[i];
        let stack = &model.stacks[r.stack];
        let provider = self.provider(&r.type_name)?;
        let (account, properties, recorded) = {
            let state = self.state.lock().await;
            let none = HashSet::new();
            let resolver = Resolver::new(model, &state, &none);
            let account = match resolver.account(r.stack) {
                Lookup::Known(Json::String(a)) => a,
                _ => {
                    return Err(DeployError::Resolve {
                        stack: stack.name.clone(),
                        location: "environment.account".into(),
                        reason:
                            "the account id is not known: the producing output was not recorded"
                                .into(),
                    })
                }
            };
            let properties = resolver
                .value(r.stack, &r.properties())
                .map_err(|e| e.to_string())
                .and_then(|v| v.ok_or_else(|| "reads a resource that was not created".to_owned()))
                .map_err(|reason| DeployError::Resolve {
                    stack: stack.name.clone(),
                    location: format!("Resources.{}.Properties", r.logical_id),
                    reason,
                })?;
            (
                account,
                properties,
                state.resource(&stack.name, &r.logical_id).cloned(),
            )
        };
        let session = self.session(&account, &stack.region).await?;
        let target = Target {
            stack: stack.name.clone(),
            logical_id: r.logical_id.clone(),
            type_name: r.type_name.clone(),
        };
        let record = Record {
            path: r.path.clone(),
            properties: properties.clone(),
            depends_on: model.own_dep_keys(i),
            deletion_policy: r.deletion_policy.clone(),
            adopted: false,
        };
        let Some(rec) = recorded else {
            self.create(&*provider, &session, &target, record).await?;
            self.count(|c| c.created += 1);
            return Ok(());
        };
        let changed = changed_keys(&rec.properties, &properties);
        let replacing = crate::provider::replacement_properties(provider.as_ref(), &r.type_name);
        if rec.type_name != r.type_name || changed.iter().any(|k| replacing.contains(k)) {
            if rec.adopted && !self.engine.replaces_adopted() {
                return Err(DeployError::ReplaceAdopted {
                    resource: target.key(),
                    type_name: target.type_name,
                    physical_id: rec.physical_id,
                    properties: changed
                        .into_iter()
                        .filter(|k| replacing.contains(k))
                        .collect(),
                });
            }
            if r.update_replace_policy.as_deref() == Some("Retain") {
                self.forget(&target, &rec, &session).await?;
            } else {
                self.delete(&*provider, &session, &target, &rec).await?;
            }
            self.create(&*provider, &session, &target, record).await?;
            self.count(|c| c.replaced += 1);
        } else if !changed.is_empty() {
            let record = Record {
                adopted: rec.adopted,
                ..record
            };
            self.update(&*provider, &session, &target, &rec, record)
                .await?;
            self.count(|c| c.updated += 1);
        } else {
            let stack_deps_changed = {
                let state = self.state.lock().await;
                state.stacks.get(&stack.name).map(|s| &s.depends_on) != Some(&stack.depends_on)
            };
            if rec.depends_on != record.depends_on
                || rec.deletion_policy != record.deletion_policy
                || rec.path != record.path
                || stack_deps_changed
            {
                let mut state = self.state.lock().await;
                let stack = state.stacks.get(&target.stack);
                if let (Some(stack), Some(entry)) = (
                    stack,
                    stack.and_then(|s| s.resources.get(&target.logical_id)),
                ) {
                    let resource = RecordedResource {
                        depends_on: record.depends_on,
                        deletion_policy: record.deletion_policy,
                        path: record.path,
                        ..entry.clone()
                    };
                    let change = StateChange {
                        resource: target.key(),
                        pending: PendingChange::Keep,
                        placement: Some(Placement {
                            stack: target.stack.clone(),
                            logical_id: target.logical_id.clone(),
                            account: stack.account.clone(),
                            region: stack.region.clone(),
                            resource: Some(resource),
                            stack_depends_on: self.stack_depends_on(&target.stack),
                            retained: None,
                        }),
                        journal: None,
                    };
                    change.apply_to(&mut state);
                    self.engine_state().record(&state, &change).await?;
                }
            }
            self.count(|c| c.unchanged += 1);
        }
        Ok(())
    }

    fn recorded(&self, target: &Target, done: &ResourceState, record: Record) -> RecordedResource {
        RecordedResource {
            type_name: target.type_name.clone(),
            path: record.path,
            physical_id: done.physical_id.clone(),
            properties: record.properties,
            attributes: done.attributes.clone(),
            depends_on: record.depends_on,
            deletion_policy: record.deletion_policy,
            adopted: record.adopted,
        }
    }

    async fn create(
        &self,
        provider: &dyn Provider,
        session: &Session,
        target: &Target,
        record: Record,
    ) -> Result<(), DeployError> {
        let key = target.key();
        let request = target.request(record.properties.clone());
        let intent = Intent {
            operation: Operation::Create,
            type_name: target.type_name.clone(),
            account: session.account_id.clone(),
            region: session.region.clone(),
            physical_id: None,
            request: Some(request.clone()),
        };
        self.journal(&key, Operation::Create, "started", Some(Some(intent)), None)
            .await?;
        self.provider_call(true);
        let started = match provider.create(session, &request).await {
            Ok(s) => s,
            Err(e) => {
                // The intent stays pending: the call may have taken effect.
                self.journal(&key, Operation::Create, &format!("failed: {e}"), None, None)
                    .await?;
                return Err(target.error("create", e));
            }
        };
        self.finish(
            provider,
            session,
            target,
            Operation::Create,
            started,
            record,
        )
        .await
    }

    /// Wait until a created or updated resource is stable, record it, and journal the step
    /// as done (which clears its intent).
    async fn finish(
        &self,
        provider: &dyn Provider,
        session: &Session,
        target: &Target,
        operation: Operation,
        started: ResourceState,
        record: Record,
    ) -> Result<(), DeployError> {
        let done = self
            .stabilize(provider, session, target, started, &record.properties)
            .await?;
        let rec = self.recorded(target, &done, record);
        let place = (
            target.stack.clone(),
            target.logical_id.clone(),
            Some(rec),
            session.account_id.clone(),
            session.region.clone(),
        );
        self.journal(&target.key(), operation, "done", Some(None), Some(place))
            .await
    }

    async fn update(
        &self,
        provider: &dyn Provider,
        session: &Session,
        target: &Target,
        previous: &RecordedResource,
        record: Record,
    ) -> Result<(), DeployError> {
        let key = target.key();
        let intent = Intent {
            operation: Operation::Update,
            type_name: target.type_name.clone(),
            account: session.account_id.clone(),
            region: session.region.clone(),
            physical_id: Some(previous.physical_id.clone()),
            request: None,
        };
        self.journal(&key, Operation::Update, "started", Some(Some(intent)), None)
            .await?;
        self.provider_call(true);
        let request = UpdateRequest {
            type_name: target.type_name.clone(),
            physical_id: previous.physical_id.clone(),
            previous: previous.properties.clone(),
            properties: record.properties.clone(),
        };
        let done = match provider.update(session, &request).await {
            Ok(s) => s,
            Err(e) => {
                self.journal(&key, Operation::Update, &format!("failed: {e}"), None, None)
                    .await?;
                return Err(target.error("update", e));
            }
        };
        self.finish(provider, session, target, Operation::Update, done, record)
            .await
    }

    async fn delete(
        &self,
        provider: &dyn Provider,
        session: &Session,
        target: &Target,
        rec: &RecordedResource,
    ) -> Result<(), DeployError> {
        let key = target.key();
        let intent = Intent {
            operation: Operation::Delete,
            type_name: target.type_name.clone(),
            account: session.account_id.clone(),
            region: session.region.clone(),
            physical_id: Some(rec.physical_id.clone()),
            request: None,
        };
        self.journal(&key, Operation::Delete, "started", Some(Some(intent)), None)
            .await?;
        self.provider_call(true);
        match provider
            .delete(
                session,
                &target.type_name,
                &rec.physical_id,
                &rec.properties,
            )
            .await
        {
            Ok(()) => {}
            Err(e) if e.code == ErrorCode::NotFound => {}
            Err(e) => {
                // The intent stays pending: the delete may have taken effect.
                self.journal(&key, Operation::Delete, &format!("failed: {e}"), None, None)
                    .await?;
                return Err(target.error("delete", e));
            }
        }
        let place = (
            target.stack.clone(),
            target.logical_id.clone(),
            None,
            session.account_id.clone(),
            session.region.clone(),
        );
        self.journal(&key, Operation::Delete, "done", Some(None), Some(place))
            .await
    }

    async fn forget(
        &self,
        target: &Target,
        rec: &RecordedResource,
        session: &Session,
    ) -> Result<(), DeployError> {
        let key = target.key();
        let placement = Placement {
            stack: target.stack.clone(),
            logical_id: target.logical_id.clone(),
            account: session.account_id.clone(),
            region: session.region.clone(),
            resource: None,
            stack_depends_on: self.stack_depends_on(&target.stack),
            retained: Some(rec.clone()),
        };
        self.step(
            &key,
            Operation::Delete,
            "retained",
            PendingChange::Keep,
            Some(placement),
        )
        .await?;
        self.count(|c| c.retained.push(format!("{key} ({})", rec.physical_id)));
        Ok(())
    }
}
