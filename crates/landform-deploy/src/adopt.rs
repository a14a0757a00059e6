//! Adoption: find the app's resources where they already live (made by hand, by another
//! tool, or by an earlier state that was lost) by their natural keys, the same look-up a
//! retried create uses ([`Provider::find`](crate::Provider::find): account email, OU name
//! under its parent, policy, bucket, role or table name, one detector per account and
//! region...), and record each match in state without a write call. What differs is then
//! planned as an update, what a create-only property separates as a replacement that is
//! refused unless asked for ([`Engine::with_replace_adopted`]), and what was not found as a
//! create.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use futures::stream::{self, StreamExt};

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::engine::{Engine, Run};
use crate::error::{DeployError, ErrorCode};
use crate::intrinsics::Lookup;
use crate::model::DesiredResource;
use crate::plan::{short, After, PropertyChange};
use crate::provider::{CreateRequest, ResourceState};
use crate::resolver::Resolver;
use crate::state::{Operation, PendingChange, Placement, RecordedResource, StateChange};

/// One app resource matched to a live one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdoptedResource {
    /// The stack.
    pub stack: String,
    /// The logical id.
    pub logical_id: String,
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The construct path.
    pub path: String,
    /// The account it lives in.
    pub account: String,
    /// The region.
    pub region: String,
    /// Its physical id.
    pub physical_id: String,
    /// The app's properties whose live values differ: `before` is live, `after` the app's.
    pub changes: Vec<PropertyChange>,
}

impl AdoptedResource {
    /// Whether a create-only property differs: the next deploy would have to replace it.
    pub fn needs_replacement(&self) -> bool {
        self.changes.iter().any(|c| c.forces_replacement)
    }
}

/// A live resource the app would take that belongs to another owner (Control Tower,
/// StackSets, AWS): not adopted, and the app must not create its own in its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnedElsewhere {
    /// The stack of the app's resource.
    pub stack: String,
    /// Its logical id.
    pub logical_id: String,
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The account.
    pub account: String,
    /// The live resource's physical id.
    pub physical_id: String,
    /// Who owns it and why Landform leaves it alone.
    pub reason: String,
}

/// An OU, account or policy of the organization that the app does not name: listed, left
/// alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unmanaged {
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Its id.
    pub physical_id: String,
    /// Its name (an account's email).
    pub name: String,
}

/// What [`Engine::adopt`] found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdoptReport {
    /// Nothing was recorded (`adopt --dry-run`).
    pub dry_run: bool,
    /// Matched and recorded (or, in a dry run, would be), in dependency order.
    pub adopted: Vec<AdoptedResource>,
    /// Not found: `stack/logicalId` of what the next deploy creates.
    pub create: Vec<String>,
    /// Already recorded in this state before the adoption.
    pub managed: usize,
    /// With a call of an interrupted run still in the journal: left to the next deploy,
    /// which settles it.
    pub pending: Vec<String>,
    /// Found, but owned by Control Tower, StackSets or AWS.
    pub owned_elsewhere: Vec<OwnedElsewhere>,
    /// OUs, accounts and policies of the organization the app does not name (listed from
    /// the management account when the app manages the organization): left alone.
    pub unmanaged: Vec<Unmanaged>,
    /// Provider calls made (all reads).
    pub calls: u64,
}

impl AdoptReport {
    /// Adopted resources whose live properties match the app.
    pub fn in_sync(&self) -> impl Iterator<Item = &AdoptedResource> {
        self.adopted.iter().filter(|a| a.changes.is_empty())
    }
    /// Adopted resources the next deploy updates in place.
    pub fn to_update(&self) -> impl Iterator<Item = &AdoptedResource> {
        self.adopted
            .iter()
            .filter(|a| !a.changes.is_empty() && !a.needs_replacement())
    }
    /// Adopted resources a create-only property separates from the app.
    pub fn to_replace(&self) -> impl Iterator<Item = &AdoptedResource> {
        self.adopted.iter().filter(|a| a.needs_replacement())
    }
    /// The JSON form.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

impl fmt::Display for AdoptReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |f: &mut fmt::Formatter<'_>, mark: &str, a: &AdoptedResource| {
            writeln!(
                f,
                "{mark:<9} {}/{} ({}) {} in {}/{}",
                a.stack, a.logical_id, a.type_name, a.physical_id, a.account, a.region
            )
        };
        for a in self.in_sync() {
            line(f, "adopted", a)?;
        }
        for a in self.to_update() {
            line(f, "update", a)?;
            for c in &a.changes {
                let before = c.before.as_ref().map(short).unwrap_or("(unset)".into());
                let after = match &c.after {
                    After::Value(v) => short(v),
                    After::KnownAfterApply => "(known after apply)".into(),
                    After::Removed => "(removed)".into(),
                };
                writeln!(f, "          {}: {before} -> {after}", c.name)?;
            }
        }
        for a in self.to_replace() {
            line(f, "replace", a)?;
            for c in a.changes.iter().filter(|c| c.forces_replacement) {
                let before = c.before.as_ref().map(short).unwrap_or("(unset)".into());
                let after = match &c.after {
                    After::Value(v) => short(v),
                    _ => "(known after apply)".into(),
                };
                writeln!(
                    f,
                    "          {}: {before} -> {after} (create-only: replacement needed; deploy refuses it without --replace-adopted)",
                    c.name
                )?;
            }
        }
        for key in &self.create {
            writeln!(f, "{:<9} {key}", "create")?;
        }
        for o in &self.owned_elsewhere {
            writeln!(
                f,
                "{:<9} {}/{} ({}) would take {} in {}: {}",
                "refused", o.stack, o.logical_id, o.type_name, o.physical_id, o.account, o.reason
            )?;
        }
        for u in &self.unmanaged {
            writeln!(
                f,
                "{:<9} {} {} {} (not in the app: left alone)",
                "exists", u.type_name, u.physical_id, u.name
            )?;
        }
        for key in &self.pending {
            writeln!(
                f,
                "{:<9} {key} (an interrupted call: the next deploy settles it)",
                "pending"
            )?;
        }
        let verb = if self.dry_run {
            "would adopt"
        } else {
            "adopted"
        };
        write!(
            f,
            "Adoption: {verb} {} ({} in sync, {} to update, {} needing replacement), {} to create, {} already managed, {} owned elsewhere, {} not in the app.",
            self.adopted.len(),
            self.in_sync().count(),
            self.to_update().count(),
            self.to_replace().count(),
            self.create.len(),
            self.managed,
            self.owned_elsewhere.len(),
            self.unmanaged.len()
        )?;
        if self.dry_run {
            write!(f, " Dry run: nothing was recorded.")?;
        }
        Ok(())
    }
}

/// What adopting one resource found.
enum Found {
    Pending,
    Create,
    Adopted(Box<AdoptedResource>),
    Owned(OwnedElsewhere),
}

impl Engine {
    /// Match every resource of the assembly that this state does not record to a live one
    /// by its natural key, and record the matches (with their live properties, so the next
    /// plan updates what differs) without any write call. Resources are looked up in
    /// dependency order, so an OU found under a found OU, or a role in a found account, is
    /// matched too. Accounts the app names literally must be reachable
    /// ([`DeployError::Session`], nothing recorded). With `dry_run` nothing is recorded and
    /// no lock is taken.
    pub async fn adopt(
        &self,
        assembly: &landform_core::Assembly,
        dry_run: bool,
    ) -> Result<AdoptReport, DeployError> {
        let model = crate::model::Model::build(assembly)?;
        let state = self.checked(self.state.load().await?)?;
        crate::plan::compute(&model, &state, &self.registry)?;
        if dry_run {
            let mut state = state;
            crate::engine::readopt(&model, &mut state);
            return Run::new(self, model, state).adopt(true).await;
        }
        drop(state);
        self.lock.acquire(&self.holder).await?;
        let result = match self.state.load().await.and_then(|s| self.checked(s)) {
            Ok(mut state) => {
                crate::engine::readopt(&model, &mut state);
                let run = Run::new(self, model, state);
                run.adopt(false).await
            }
            Err(e) => Err(e),
        };
        let released = self.lock.release(&self.holder).await;
        let report = result?;
        released?;
        Ok(report)
    }
}

/// A resource the look-up can ask about: its index, account and resolved properties.
struct Candidate {
    i: usize,
    account: String,
    properties: Json,
}

impl Run<'_> {
    /// Of `indices`, those whose account and properties resolve against the state now; the
    /// others (in an account the app creates, or reading a resource that is not there yet).
    async fn resolvable(
        &self,
        indices: impl Iterator<Item = usize>,
    ) -> Result<(Vec<Candidate>, Vec<usize>), DeployError> {
        let model = &self.model;
        let state = self.state.lock().await;
        let none = HashSet::new();
        let resolver = Resolver::new(model, &state, &none);
        let (mut ready, mut unresolved) = (Vec::new(), Vec::new());
        for i in indices {
            let r = &model.resources[i];
            match lookable(&resolver, r) {
                Ok(Some((account, properties))) => ready.push(Candidate {
                    i,
                    account,
                    properties,
                }),
                Ok(None) => unresolved.push(i),
                Err(e) => {
                    return Err(DeployError::Resolve {
                        stack: model.stacks[r.stack].name.clone(),
                        location: format!("Resources.{}.Properties", r.logical_id),
                        reason: e.to_string(),
                    })
                }
            }
        }
        Ok((ready, unresolved))
    }

    fn target(&self, i: usize) -> crate::ops::Target {
        let r = &self.model.resources[i];
        crate::ops::Target {
            stack: self.model.stacks[r.stack].name.clone(),
            logical_id: r.logical_id.clone(),
            type_name: r.type_name.clone(),
        }
    }

    /// Look every candidate up: one [`Provider::find_many`](crate::Provider::find_many) per
    /// type, account and region, those side by side within the engine's concurrency.
    async fn look_up(
        &self,
        candidates: Vec<Candidate>,
    ) -> Result<Vec<(Candidate, Option<ResourceState>)>, DeployError> {
        let mut groups: BTreeMap<(String, String, String), Vec<Candidate>> = BTreeMap::new();
        for c in candidates {
            let r = &self.model.resources[c.i];
            let region = self.model.stacks[r.stack].region.clone();
            groups
                .entry((r.type_name.clone(), c.account.clone(), region))
                .or_default()
                .push(c);
        }
        let lookups =
            stream::iter(groups).map(|((type_name, account, region), group)| async move {
                let session = self.session(&account, &region).await?;
                let provider = self.engine_provider(&type_name)?;
                let requests: Vec<CreateRequest> = group
                    .iter()
                    .map(|c| self.target(c.i).request(c.properties.clone()))
                    .collect();
                self.provider_call(false);
                let found = provider
                    .find_many(&session, &requests)
                    .await
                    .map_err(|e| self.target(group[0].i).error("find", e))?;
                Ok::<_, DeployError>(group.into_iter().zip(found).collect::<Vec<_>>())
            });
        let results: Vec<Result<Vec<_>, DeployError>> = lookups
            .buffer_unordered(self.engine.concurrency())
            .collect()
            .await;
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(v) => out.extend(v),
                Err(e) => errors.push(e),
            }
        }
        DeployError::all(errors)?;
        Ok(out)
    }

    /// Resources this state does not record and that have no call pending, by depth in the
    /// dependency graph (a resource comes after everything it depends on).
    async fn unrecorded_by_depth(&self) -> (Vec<Vec<usize>>, usize, Vec<usize>) {
        let model = &self.model;
        let state = self.state.lock().await;
        let mut depth = vec![0usize; model.resources.len()];
        let mut levels: Vec<Vec<usize>> = Vec::new();
        let (mut managed, mut pending) = (0, Vec::new());
        for &i in &model.order {
            let r = &model.resources[i];
            depth[i] = r.deps.iter().map(|&d| depth[d] + 1).max().unwrap_or(0);
            if state
                .resource(&model.stacks[r.stack].name, &r.logical_id)
                .is_some()
            {
                managed += 1;
            } else if state.pending.contains_key(&r.key) {
                pending.push(i);
            } else {
                if levels.len() <= depth[i] {
                    levels.resize(depth[i] + 1, Vec::new());
                }
                levels[depth[i]].push(i);
            }
        }
        (levels, managed, pending)
    }

    /// Before a deploy's first write: every OU the app names by id (as a parent or an SCP
    /// target) exists, or [`DeployError::UnknownUnits`] names them all. One listing of the
    /// organization's OUs, from the account that manages them; nothing when no OU is named
    /// by id or the provider cannot list OUs.
    pub(crate) async fn refuse_unknown_units(&self) -> Result<(), DeployError> {
        const OU: &str = "AWS::Organizations::OrganizationalUnit";
        let mut named: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut place = None;
        for r in &self.model.resources {
            let keys: &[&str] = match r.type_name.as_str() {
                "AWS::Organizations::OrganizationalUnit" => &["ParentId"],
                "AWS::Organizations::Account" => &["ParentIds"],
                "AWS::Organizations::Policy" => &["TargetIds"],
                _ => continue,
            };
            let stack = &self.model.stacks[r.stack];
            let props = r.properties();
            for key in keys {
                let ids: Vec<&str> = match props.get(*key) {
                    Some(Json::String(s)) => vec![s.as_str()],
                    Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
                    _ => Vec::new(),
                };
                for id in ids
                    .into_iter()
                    .filter(|id| landform_core::identifiers::is_ou_id(id))
                {
                    named.entry(id.to_owned()).or_default().push(r.key.clone());
                    if place.is_none() {
                        if let landform_core::synth::AccountSpec::Literal(a) = &stack.account {
                            place = Some((a.clone(), stack.region.clone()));
                        }
                    }
                }
            }
        }
        let Some((account, region)) = place else {
            return Ok(());
        };
        let session = self.session(&account, &region).await?;
        let provider = self.engine_provider(OU)?;
        self.provider_call(false);
        let Some(units) = provider
            .list(&session, OU)
            .await
            .map_err(|e| crate::live::listing_error(OU, "list", e))?
        else {
            return Ok(());
        };
        let live: HashSet<&str> = units.iter().map(|u| u.physical_id.as_str()).collect();
        let (mut ids, mut resources) = (Vec::new(), Vec::new());
        for (id, by) in named {
            if !live.contains(id.as_str()) {
                ids.push(id);
                resources.extend(by);
            }
        }
        if ids.is_empty() {
            return Ok(());
        }
        resources.sort();
        resources.dedup();
        Err(DeployError::UnknownUnits { ids, resources })
    }

    /// Each resource's place in the dependency order.
    fn positions(&self) -> Vec<usize> {
        let mut position = vec![0; self.model.resources.len()];
        for (n, &i) in self.model.order.iter().enumerate() {
            position[i] = n;
        }
        position
    }

    /// Before a deploy's first write: every resource it would create whose natural key is
    /// taken already ([`DeployError::Unadopted`], all of them at once). Only resources whose
    /// account and properties are known before the apply can be looked up; the others are
    /// in accounts or read resources this apply makes.
    pub(crate) async fn refuse_unadopted(&self) -> Result<(), DeployError> {
        let (levels, _, _) = self.unrecorded_by_depth().await;
        let (candidates, _) = self.resolvable(levels.into_iter().flatten()).await?;
        let mut taken = Vec::new();
        for (c, found) in self.look_up(candidates).await? {
            let Some(found) = found else { continue };
            let t = self.target(c.i);
            let r = &self.model.resources[c.i];
            taken.push((
                c.i,
                crate::error::Taken {
                    resource: format!("{}/{}", t.stack, t.logical_id),
                    type_name: t.type_name,
                    place: format!(
                        "account {} ({})",
                        c.account, self.model.stacks[r.stack].region
                    ),
                    physical_id: found.physical_id,
                },
            ));
        }
        if taken.is_empty() {
            return Ok(());
        }
        let position = self.positions();
        taken.sort_by_key(|(i, _)| position[*i]);
        Err(DeployError::Unadopted {
            taken: taken.into_iter().map(|(_, t)| t).collect(),
        })
    }

    async fn adopt(&self, dry_run: bool) -> Result<AdoptReport, DeployError> {
        if !dry_run {
            let state = self.state.lock().await;
            self.engine.state.save(&state).await?;
        }
        self.reachable().await?;
        let (levels, managed, pending) = self.unrecorded_by_depth().await;
        let mut found: Vec<(usize, Found)> =
            pending.into_iter().map(|i| (i, Found::Pending)).collect();
        for level in levels {
            // Everything a resource reads was decided at an earlier level: what reads a
            // resource that will be created does not resolve, and is created too. (Ordering
            // alone, a stack's `DependsOn`, does not keep a resource from being looked up.)
            let (candidates, unresolved) = self.resolvable(level.into_iter()).await?;
            found.extend(unresolved.into_iter().map(|i| (i, Found::Create)));
            let looked_up = self.look_up(candidates).await?;
            let adoptions = stream::iter(looked_up)
                .map(|(c, live)| async move {
                    let i = c.i;
                    let f = match live {
                        None => Found::Create,
                        Some(live) if live.in_progress_retry_ms.is_some() => Found::Pending,
                        Some(live) => self.adopt_found(c, live, dry_run).await?,
                    };
                    Ok::<_, DeployError>((i, f))
                })
                .buffer_unordered(self.engine.concurrency());
            let results: Vec<Result<(usize, Found), DeployError>> = adoptions.collect().await;
            let mut errors = Vec::new();
            for r in results {
                match r {
                    Ok((i, f)) => found.push((i, f)),
                    Err(e) => errors.push(e),
                }
            }
            DeployError::all(errors)?;
        }
        if !dry_run {
            self.record_outputs().await?;
        }
        let unmanaged = self.unmanaged().await?;
        let position = self.positions();
        found.sort_by_key(|(i, _)| position[*i]);
        let mut report = AdoptReport {
            dry_run,
            managed,
            unmanaged,
            calls: self.calls.load(std::sync::atomic::Ordering::Relaxed),
            ..AdoptReport::default()
        };
        for (i, f) in found {
            let key = self.model.resources[i].key.clone();
            match f {
                Found::Pending => report.pending.push(key),
                Found::Create => report.create.push(key),
                Found::Adopted(a) => report.adopted.push(*a),
                Found::Owned(o) => report.owned_elsewhere.push(o),
            }
        }
        Ok(report)
    }

    /// The organization's OUs, accounts and policies that no resource of the state (adopted
    /// or created) is, listed from where the app manages its organization.
    async fn unmanaged(&self) -> Result<Vec<Unmanaged>, DeployError> {
        const LISTED: [&str; 3] = [
            "AWS::Organizations::OrganizationalUnit",
            "AWS::Organizations::Account",
            "AWS::Organizations::Policy",
        ];
        let (place, known) = {
            let state = self.state.lock().await;
            let none = HashSet::new();
            let resolver = Resolver::new(&self.model, &state, &none);
            let place = self
                .model
                .resources
                .iter()
                .filter(|r| LISTED.contains(&r.type_name.as_str()))
                .find_map(|r| match resolver.account(r.stack) {
                    Lookup::Known(Json::String(a)) => {
                        Some((a, self.model.stacks[r.stack].region.clone()))
                    }
                    _ => None,
                });
            let known: HashSet<String> = state
                .stacks
                .values()
                .flat_map(|s| s.resources.values())
                .filter(|r| LISTED.contains(&r.type_name.as_str()))
                .map(|r| r.physical_id.clone())
                .collect();
            (place, known)
        };
        let Some((account, region)) = place else {
            return Ok(Vec::new());
        };
        let session = self.session(&account, &region).await?;
        let mut out = Vec::new();
        for type_name in LISTED {
            let provider = self.engine_provider(type_name)?;
            self.provider_call(false);
            let listed = provider
                .list(&session, type_name)
                .await
                .map_err(|e| crate::live::listing_error(type_name, "list", e))?;
            for r in listed.into_iter().flatten() {
                let name = ["Name", "Email"]
                    .iter()
                    .find_map(|k| r.properties.get(*k).and_then(Json::as_str))
                    .unwrap_or_default()
                    .to_owned();
                if known.contains(&r.physical_id)
                    || r.physical_id == account
                    || landform_core::reserved_owner(&name).is_some()
                    || landform_core::reserved_owner(&r.physical_id).is_some()
                {
                    continue;
                }
                out.push(Unmanaged {
                    type_name: type_name.to_owned(),
                    physical_id: r.physical_id,
                    name,
                });
            }
        }
        Ok(out)
    }

    /// Read a found resource back and record it (in a dry run, in this run's copy only).
    async fn adopt_found(
        &self,
        c: Candidate,
        found: ResourceState,
        dry_run: bool,
    ) -> Result<Found, DeployError> {
        let model = &self.model;
        let r = &model.resources[c.i];
        let stack = &model.stacks[r.stack];
        let (account, properties) = (c.account, c.properties);
        let session = self.session(&account, &stack.region).await?;
        let provider = self.engine_provider(&r.type_name)?;
        let target = self.target(c.i);
        // What `find` returns may echo the request; the read is what lives.
        self.provider_call(false);
        let live = match provider
            .read(&session, &r.type_name, &found.physical_id, &properties)
            .await
        {
            Ok(live) if live.in_progress_retry_ms.is_none() => live,
            Ok(_) => return Ok(Found::Pending),
            Err(e) if e.code == ErrorCode::NotFound => return Ok(Found::Create),
            Err(e) => return Err(target.error("read", e)),
        };
        let name = landform_core::name_property(&r.type_name)
            .and_then(|p| live.properties.get(p))
            .and_then(Json::as_str)
            .unwrap_or(&live.physical_id);
        if let Some(reason) = landform_core::reserved_owner(name)
            .or_else(|| landform_core::reserved_owner(&live.physical_id))
        {
            return Ok(Found::Owned(OwnedElsewhere {
                stack: stack.name.clone(),
                logical_id: r.logical_id.clone(),
                type_name: r.type_name.clone(),
                account,
                physical_id: live.physical_id,
                reason: reason.to_owned(),
            }));
        }
        let replacing = crate::provider::replacement_properties(provider.as_ref(), &r.type_name);
        let (recorded, changes) =
            live_view(&r.type_name, &properties, &live.properties, &replacing);
        let mut attributes = found.attributes;
        attributes.extend(live.attributes);
        let rec = RecordedResource {
            type_name: r.type_name.clone(),
            path: r.path.clone(),
            physical_id: live.physical_id.clone(),
            properties: recorded,
            attributes,
            depends_on: model.own_dep_keys(c.i),
            deletion_policy: r.deletion_policy.clone(),
            adopted: true,
        };
        let placement = Placement {
            stack: stack.name.clone(),
            logical_id: r.logical_id.clone(),
            account: account.clone(),
            region: stack.region.clone(),
            resource: Some(rec),
            stack_depends_on: Some(stack.depends_on.clone()),
            retained: None,
        };
        if dry_run {
            // Recorded in this run's copy only, so what depends on it resolves.
            let mut state = self.state.lock().await;
            StateChange {
                resource: r.key.clone(),
                pending: PendingChange::Keep,
                placement: Some(placement),
                journal: None,
            }
            .apply_to(&mut state);
        } else {
            self.step(
                &r.key,
                Operation::Adopt,
                "adopted",
                PendingChange::Keep,
                Some(placement),
            )
            .await?;
        }
        Ok(Found::Adopted(Box::new(AdoptedResource {
            stack: stack.name.clone(),
            logical_id: r.logical_id.clone(),
            type_name: r.type_name.clone(),
            path: r.path.clone(),
            account,
            region: stack.region.clone(),
            physical_id: live.physical_id,
            changes,
        })))
    }
}

/// The account and the properties to look `r` up with, when they are known: all its
/// properties, or those that resolve when its key property is among them.
pub(crate) fn lookable(
    resolver: &Resolver<'_>,
    r: &DesiredResource,
) -> Result<Option<(String, Json)>, crate::intrinsics::IntrinsicError> {
    let Lookup::Known(Json::String(account)) = resolver.account(r.stack) else {
        return Ok(None);
    };
    let desired = r.properties();
    Ok(match resolver.value(r.stack, &desired)? {
        Some(properties) => Some((account, properties)),
        None => known_part(resolver, r.stack, &r.type_name, &desired).map(|p| (account, p)),
    })
}

/// The property that alone names a resource of `type_name` where it must be unique (an
/// account's email, a bucket's or role's name), so it can be looked up before the rest of
/// its properties are known. OUs are named under their parent, which must be known.
fn key_property(type_name: &str) -> Option<&'static str> {
    match type_name {
        "AWS::Organizations::Account" => Some("Email"),
        "AWS::Organizations::OrganizationalUnit" => None,
        other => landform_core::name_property(other),
    }
}

/// The properties of a resource that resolve now, when its key property is among them (an
/// account whose OU is created by this apply is still found by its email).
fn known_part(resolver: &Resolver<'_>, s: usize, type_name: &str, desired: &Json) -> Option<Json> {
    let key = key_property(type_name)?;
    let desired = desired.as_object()?;
    let mut known = Map::new();
    for (k, v) in desired {
        if let Ok(Some(v)) = resolver.value(s, v) {
            known.insert(k.clone(), v);
        }
    }
    known.contains_key(key).then_some(Json::Object(known))
}

/// The properties to record for an adopted resource, and how they differ from the app's.
///
/// Each of the app's properties is recorded with its live value (a policy document that says
/// the same as the app's in another shape counts as the app's), or left out when the read
/// did not return it (the next deploy then sets it: an unknown setting is never assumed to
/// be right). A create-only property the read did not return is taken as the app's: the
/// resource was found by it, or it cannot be known, and a replacement is never planned on a
/// guess.
fn live_view(
    type_name: &str,
    desired: &Json,
    live: &Json,
    create_only: &[String],
) -> (Json, Vec<PropertyChange>) {
    let empty = Map::new();
    let desired = desired.as_object().unwrap_or(&empty);
    let live = live.as_object().unwrap_or(&empty);
    let mut recorded = Map::new();
    let mut changes = Vec::new();
    for (k, v) in desired {
        if v.is_null() {
            continue;
        }
        let forces = create_only.contains(k);
        let value = match live.get(k) {
            // A policy that says the same in another shape is the app's.
            Some(l) if crate::plan::same_value(type_name, k, l, v) => Some(v.clone()),
            Some(l) => Some(l.clone()),
            None if forces => Some(v.clone()),
            None => None,
        };
        if value.as_ref() != Some(v) {
            changes.push(PropertyChange {
                name: k.clone(),
                before: value.clone(),
                after: After::Value(v.clone()),
                forces_replacement: forces,
            });
        }
        if let Some(value) = value {
            recorded.insert(k.clone(), value);
        }
    }
    (Json::Object(recorded), changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn live_values_are_recorded_and_what_differs_is_a_change() {
        let desired =
            json!({"BucketName": "logs", "Versioning": {"Status": "Enabled"}, "Tags": [1]});
        let live = json!({"BucketName": "logs", "Versioning": {"Status": "Suspended"}, "Extra": 1});
        let (recorded, changes) = live_view(
            "AWS::S3::Bucket",
            &desired,
            &live,
            &["BucketName".to_owned()],
        );
        // Live values for the app's keys; the key the read did not return is left out; the
        // live-only key is not the app's business.
        assert_eq!(
            recorded,
            json!({"BucketName": "logs", "Versioning": {"Status": "Suspended"}})
        );
        let names: Vec<(&str, bool)> = changes
            .iter()
            .map(|c| (c.name.as_str(), c.forces_replacement))
            .collect();
        assert_eq!(names, [("Versioning", false), ("Tags", false)]);
    }

    #[test]
    fn a_policy_in_another_shape_is_the_same_policy_and_a_different_one_is_a_change() {
        let desired = json!({"Name": "deny", "Content": {"Statement": [{"Action": "a:A", "Effect": "Deny", "Resource": "*"}]}});
        let same = json!({"Name": "deny", "Content": "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":[\"a:A\"],\"Resource\":[\"*\"]}}"});
        let (recorded, changes) = live_view("AWS::Organizations::Policy", &desired, &same, &[]);
        assert!(changes.is_empty(), "{changes:?}");
        assert_eq!(recorded, desired);
        let other = json!({"Name": "deny", "Content": {"Statement": [{"Action": "b:B", "Effect": "Deny", "Resource": "*"}]}});
        let (_, changes) = live_view("AWS::Organizations::Policy", &desired, &other, &[]);
        assert_eq!(changes.len(), 1);
        // A policy's targets are a set.
        let (_, changes) = live_view(
            "AWS::Organizations::Policy",
            &json!({"TargetIds": ["ou-1", "ou-2"]}),
            &json!({"TargetIds": ["ou-2", "ou-1"]}),
            &[],
        );
        assert!(changes.is_empty(), "{changes:?}");
        // Only policy properties compare so: a list of one is not its item elsewhere.
        let (_, changes) = live_view(
            "AWS::Organizations::Account",
            &json!({"ParentIds": ["ou-1"]}),
            &json!({"ParentIds": "ou-1"}),
            &[],
        );
        assert_eq!(changes.len(), 1);
    }

    #[test]
    fn a_create_only_difference_is_a_replacement_and_an_unread_one_is_not() {
        let create_only = ["TableName".to_owned(), "KeySchema".to_owned()];
        let desired = json!({"TableName": "locks", "KeySchema": [{"AttributeName": "LockID"}]});
        let live = json!({"TableName": "locks", "KeySchema": [{"AttributeName": "id"}]});
        let (_, changes) = live_view("AWS::DynamoDB::Table", &desired, &live, &create_only);
        assert_eq!(changes.len(), 1);
        assert!(changes[0].forces_replacement && changes[0].name == "KeySchema");
        let (recorded, changes) = live_view(
            "AWS::DynamoDB::Table",
            &desired,
            &json!({"TableName": "locks"}),
            &create_only,
        );
        assert!(changes.is_empty(), "{changes:?}");
        assert_eq!(recorded, desired);
    }
}
