//! Deleting (or forgetting, when retained) the recorded resources that left the assembly,
//! dependents first, and settling the calls an interrupted run started and never recorded.

use std::collections::HashMap;

use crate::engine::Run;
use crate::error::{DeployError, ErrorCode};
use crate::model::resource_key;
use crate::state::{Intent, Operation};

use super::{Record, Target};

impl Run<'_> {
    /// Delete (or forget, when retained) every recorded resource that left the assembly,
    /// dependents first.
    pub(crate) async fn delete_removed(&self) -> Result<(), DeployError> {
        /// A recorded resource to delete: where it is, read from state when its turn comes
        /// (a destroy never holds a second copy of the state).
        struct Doomed {
            stack: String,
            logical_id: String,
            account: String,
            region: String,
        }
        let (doomed, own_deps, stack_deps) = {
            let state = self.state.lock().await;
            let mut doomed = Vec::new();
            let mut own_deps: Vec<Vec<String>> = Vec::new();
            for (name, s) in &state.stacks {
                for (lid, rec) in &s.resources {
                    if self.model.find(name, lid).is_some() {
                        continue;
                    }
                    doomed.push(Doomed {
                        stack: name.clone(),
                        logical_id: lid.clone(),
                        account: s.account.clone(),
                        region: s.region.clone(),
                    });
                    own_deps.push(rec.depends_on.clone());
                }
            }
            let stack_deps: Vec<(String, Vec<String>)> = state
                .stacks
                .iter()
                .filter(|(_, s)| !s.depends_on.is_empty())
                .map(|(name, s)| (name.clone(), s.depends_on.clone()))
                .collect();
            (doomed, own_deps, stack_deps)
        };
        let index: HashMap<String, usize> = doomed
            .iter()
            .enumerate()
            .map(|(i, d)| (resource_key(&d.stack, &d.logical_id), i))
            .collect();
        let mut by_stack: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, d) in doomed.iter().enumerate() {
            by_stack.entry(d.stack.as_str()).or_default().push(i);
        }
        // A resource is deleted after every doomed resource that depends on it.
        let mut deps: Vec<Vec<usize>> = vec![Vec::new(); doomed.len()];
        for (i, on_list) in own_deps.iter().enumerate() {
            for on in on_list {
                if let Some(&d) = index.get(on) {
                    deps[d].push(i);
                }
            }
        }
        drop(own_deps);
        // A stack's explicit dependencies: one barrier node, done once the stack's doomed
        // resources are, that the producers' doomed resources wait for (edges in proportion
        // to the resources, not to their product).
        for (stack, producers) in &stack_deps {
            let Some(members) = by_stack.get(stack.as_str()) else {
                continue;
            };
            let barrier = deps.len();
            deps.push(members.clone());
            for producer in producers {
                for &p in by_stack.get(producer.as_str()).into_iter().flatten() {
                    deps[p].push(barrier);
                }
            }
        }
        let weights = vec![1; deps.len()];
        let doomed = &doomed;
        self.schedule(&deps, &weights, |i| async move {
            let Some(d) = doomed.get(i) else {
                return Ok(()); // a barrier
            };
            let (stack, lid, account, region) = (&d.stack, &d.logical_id, &d.account, &d.region);
            let Some(rec) = self.state.lock().await.resource(stack, lid).cloned() else {
                return Ok(()); // settled by the journal's recovery meanwhile
            };
            let rec = &rec;
            let target = Target {
                stack: stack.clone(),
                logical_id: lid.clone(),
                type_name: rec.type_name.clone(),
            };
            let session = self.session(account, region).await?;
            if rec.kept_on_removal() {
                return self.forget(&target, rec, &session).await;
            }
            let provider = self.provider(&rec.type_name)?;
            self.delete(&*provider, &session, &target, rec).await?;
            self.count(|c| c.deleted += 1);
            Ok(())
        })
        .await
    }

    /// Settle calls an interrupted run started and never recorded: look a create's resource
    /// up (by name, tag or idempotency key) and record it; read a deleted one back.
    pub(crate) async fn recover(&self) -> Result<(), DeployError> {
        let pending: Vec<(String, Intent)> = {
            let state = self.state.lock().await;
            state
                .pending
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        for (key, intent) in pending {
            let provider = self.provider(&intent.type_name)?;
            let session = self.session(&intent.account, &intent.region).await?;
            let (stack, lid) = key.split_once('/').unwrap_or((key.as_str(), ""));
            let target = Target {
                stack: stack.to_owned(),
                logical_id: lid.to_owned(),
                type_name: intent.type_name.clone(),
            };
            match (intent.operation, &intent.request) {
                (Operation::Create, Some(request)) => {
                    let found = match &intent.physical_id {
                        Some(id) => {
                            self.provider_call(false);
                            match provider
                                .read(&session, &intent.type_name, id, &request.properties)
                                .await
                            {
                                Ok(s) => Some(s),
                                Err(e) if e.code == ErrorCode::NotFound => None,
                                Err(e) => return Err(target.error("read", e)),
                            }
                        }
                        None => {
                            self.provider_call(false);
                            provider
                                .find(&session, request)
                                .await
                                .map_err(|e| target.error("find", e))?
                        }
                    };
                    let place = match found {
                        Some(s) => {
                            let done = self
                                .stabilize(&*provider, &session, &target, s, &request.properties)
                                .await?;
                            let node = self
                                .model
                                .find(stack, lid)
                                .map(|i| &self.model.resources[i]);
                            let record = Record {
                                path: node.map(|n| n.path.clone()).unwrap_or_default(),
                                properties: request.properties.clone(),
                                depends_on: node
                                    .map(|n| {
                                        n.own_deps
                                            .iter()
                                            .map(|&d| self.model.resources[d].key.clone())
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                                deletion_policy: node.and_then(|n| n.deletion_policy.clone()),
                                adopted: false,
                            };
                            let rec = self.recorded(&target, &done, record);
                            self.count(|c| c.recovered += 1);
                            Some((
                                stack.to_owned(),
                                lid.to_owned(),
                                Some(rec),
                                intent.account.clone(),
                                intent.region.clone(),
                            ))
                        }
                        None => None,
                    };
                    self.journal(&key, Operation::Create, "recovered", Some(None), place)
                        .await?;
                }
                (Operation::Delete, _) => {
                    let rec = {
                        let state = self.state.lock().await;
                        state.resource(stack, lid).cloned()
                    };
                    let mut place = None;
                    if let (Some(rec), Some(id)) = (rec, &intent.physical_id) {
                        self.provider_call(false);
                        match provider
                            .read(&session, &intent.type_name, id, &rec.properties)
                            .await
                        {
                            Err(e) if e.code == ErrorCode::NotFound => {
                                place = Some((
                                    stack.to_owned(),
                                    lid.to_owned(),
                                    None,
                                    intent.account.clone(),
                                    intent.region.clone(),
                                ));
                                self.count(|c| c.recovered += 1);
                            }
                            Err(e) => return Err(target.error("read", e)),
                            Ok(_) => {}
                        }
                    }
                    self.journal(&key, Operation::Delete, "recovered", Some(None), place)
                        .await?;
                }
                // An update is applied again by the plan when the properties still differ.
                (op, _) => {
                    self.journal(&key, op, "recovered", Some(None), None)
                        .await?
                }
            }
        }
        Ok(())
    }
}
