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
                    let properties =
                        drifted_properties(&rec.type_name, &rec.properties, &actual.properties);
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

/// The recorded properties that differ from those read back: (name, recorded, live). A
/// property the read does not report counts, unless the type's schema says AWS never
/// returns it (`writeOnlyProperties`, such as an account's `RoleName`); one the app never
/// set does not.
pub(crate) fn drifted_properties(
    type_name: &str,
    recorded: &Json,
    live: &Json,
) -> Vec<(String, Option<Json>, Option<Json>)> {
    let schema = landform_core::schema::lookup(type_name);
    changed_keys(recorded, live)
        .into_iter()
        .filter(|k| match (recorded.get(k), live.get(k)) {
            (None, _) => false,
            (Some(a), Some(b)) => !same_value(type_name, k, a, b),
            (Some(_), None) => !schema.is_some_and(|s| s.is_write_only(k)),
        })
        .map(|k| {
            let before = recorded.get(&k).cloned();
            let after = live.get(&k).cloned();
            (k, before, after)
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::drifted_properties;
    use serde_json::json;

    #[test]
    fn a_write_only_property_missing_from_a_read_is_not_drift_and_others_are() {
        let recorded =
            json!({"AccountName": "prod", "Email": "a@example.com", "RoleName": "Admin"});
        // Organizations never returns the role it created the account with.
        let live = json!({"AccountName": "prod", "Email": "a@example.com"});
        let account = "AWS::Organizations::Account";
        assert!(drifted_properties(account, &recorded, &live).is_empty());
        // A property AWS does report, missing from the read, is drift.
        let live = json!({"AccountName": "prod"});
        let drifted = drifted_properties(account, &recorded, &live);
        assert_eq!(
            drifted,
            [("Email".to_owned(), Some(json!("a@example.com")), None)]
        );
        // A changed write-only value that is read back is still compared.
        let live = json!({"AccountName": "prod", "Email": "a@example.com", "RoleName": "Other"});
        assert_eq!(drifted_properties(account, &recorded, &live).len(), 1);
    }
}
