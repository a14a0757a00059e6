//! Reading recorded resources back from the cloud: what `drift` reports, and the live view of
//! state that `plan` and `apply` compare against when they refresh (so a drifted property is
//! planned as an update and a deleted resource as a create).
//!
//! Reads run side by side, at most the engine's concurrency at once, through the registry's
//! providers and so through their layers (retries, rate limits).

use std::collections::HashMap;

use futures::stream::{self, StreamExt};
use serde_json::Value as Json;

use crate::engine::Engine;
use crate::error::{DeployError, ErrorCode};
use crate::plan::{changed_keys, same_value};
use crate::provider::{ResourceState, Session};
use crate::report::{Drift, DriftReport, ResourceDrift};
use crate::state::State;

/// What reading one recorded resource back found.
pub(crate) struct Observed {
    pub stack: String,
    pub logical_id: String,
    pub outcome: Outcome,
}

pub(crate) enum Outcome {
    /// As recorded.
    Same,
    /// Gone.
    Deleted,
    /// Recorded properties differ: name, recorded value, actual value; and what was read.
    Modified {
        properties: Vec<(String, Option<Json>, Option<Json>)>,
        actual: ResourceState,
    },
}

/// Sessions per account and region, made once for a whole read-back.
struct SessionCache<'e> {
    engine: &'e Engine,
    sessions: tokio::sync::Mutex<HashMap<(String, String), Session>>,
}

impl SessionCache<'_> {
    async fn get(&self, account: &str, region: &str) -> Result<Session, DeployError> {
        let key = (account.to_owned(), region.to_owned());
        if let Some(s) = self.sessions.lock().await.get(&key) {
            return Ok(s.clone());
        }
        let session = self.engine.sessions().session(account, region).await?;
        self.sessions.lock().await.insert(key, session.clone());
        Ok(session)
    }
}

/// Read every recorded resource back (those with a call still pending in the journal are
/// left to the apply's recovery). In state order.
pub(crate) async fn read_back(
    engine: &Engine,
    state: &State,
) -> Result<Vec<Observed>, DeployError> {
    let cache = SessionCache {
        engine,
        sessions: Default::default(),
    };
    let cache = &cache;
    let targets = state.stacks.iter().flat_map(|(stack_name, stack)| {
        stack
            .resources
            .iter()
            .filter(move |(lid, _)| {
                !state
                    .pending
                    .contains_key(&crate::model::resource_key(stack_name, lid))
            })
            .map(move |(lid, rec)| (stack_name, stack, lid, rec))
    });
    let reads = stream::iter(targets)
        .map(|(stack_name, stack, lid, rec)| async move {
            let provider = engine.provider_for(&rec.type_name, stack_name, lid, &rec.path)?;
            let session = cache.get(&stack.account, &stack.region).await?;
            let outcome = match provider
                .read(&session, &rec.type_name, &rec.physical_id, &rec.properties)
                .await
            {
                Err(e) if e.code == ErrorCode::NotFound => Outcome::Deleted,
                Err(source) => {
                    return Err(DeployError::Provider {
                        stack: stack_name.clone(),
                        logical_id: lid.clone(),
                        type_name: rec.type_name.clone(),
                        operation: "read",
                        source: Box::new(source),
                    })
                }
                // Still being created or changed: nothing to compare yet.
                Ok(actual) if actual.in_progress_retry_ms.is_some() => Outcome::Same,
                Ok(actual) => {
                    let properties: Vec<_> = changed_keys(&rec.properties, &actual.properties)
                        .into_iter()
                        .filter(
                            |k| match (rec.properties.get(k), actual.properties.get(k)) {
                                (None, _) => false,
                                (Some(a), Some(b)) => !same_value(&rec.type_name, k, a, b),
                                (Some(_), None) => true,
                            },
                        )
                        .map(|k| {
                            let before = rec.properties.get(&k).cloned();
                            let after = actual.properties.get(&k).cloned();
                            (k, before, after)
                        })
                        .collect();
                    if properties.is_empty() {
                        Outcome::Same
                    } else {
                        Outcome::Modified { properties, actual }
                    }
                }
            };
            Ok(Observed {
                stack: stack_name.clone(),
                logical_id: lid.clone(),
                outcome,
            })
        })
        .buffered(engine.concurrency());
    let results: Vec<Result<Observed, DeployError>> = reads.collect().await;
    results.into_iter().collect()
}

/// The drift report of what was read back.
pub(crate) fn drift_report(state: &State, observed: Vec<Observed>) -> DriftReport {
    let mut report = DriftReport {
        checked: observed.len(),
        ..DriftReport::default()
    };
    for o in observed {
        let Some(stack) = state.stacks.get(&o.stack) else {
            continue;
        };
        let Some(rec) = stack.resources.get(&o.logical_id) else {
            continue;
        };
        let drift = match o.outcome {
            Outcome::Same => continue,
            Outcome::Deleted => Drift::Deleted,
            Outcome::Modified { properties, .. } => Drift::Modified { properties },
        };
        report
            .accounts
            .entry(stack.account.clone())
            .or_default()
            .push(ResourceDrift {
                stack: o.stack,
                logical_id: o.logical_id,
                type_name: rec.type_name.clone(),
                physical_id: rec.physical_id.clone(),
                drift,
            });
    }
    report
}

/// `state` as the cloud has it: deleted resources dropped (the plan creates them again),
/// drifted properties and attributes set to what was read. How many resources differed.
pub(crate) fn apply_observed(state: &mut State, observed: Vec<Observed>) -> usize {
    let mut drifted = 0;
    for o in observed {
        let Some(stack) = state.stacks.get_mut(&o.stack) else {
            continue;
        };
        match o.outcome {
            Outcome::Same => {}
            Outcome::Deleted => {
                stack.resources.remove(&o.logical_id);
                drifted += 1;
            }
            Outcome::Modified { properties, actual } => {
                let Some(rec) = stack.resources.get_mut(&o.logical_id) else {
                    continue;
                };
                if let Json::Object(recorded) = &mut rec.properties {
                    for (name, _, live) in properties {
                        match live {
                            Some(v) => {
                                recorded.insert(name, v);
                            }
                            None => {
                                recorded.remove(&name);
                            }
                        }
                    }
                }
                // Merged, not replaced: a read may return fewer attributes than the create.
                rec.attributes.extend(actual.attributes);
                drifted += 1;
            }
        }
    }
    drifted
}
