//! A lower bound on the wall time of an apply from scratch, to judge the scheduler against:
//! no schedule can beat it, so `measured / bound` is the share of time the engine adds.
//!
//! Two constraints bound an apply, and the bound is the larger:
//! - **The critical path.** A resource starts once its dependencies are done and takes
//!   the calls its create needs ([`CreateCost`]: the create, then every status poll and the
//!   waits between them), so the longest chain of such durations is a floor.
//! - **Serialised writes.** A service whose writes a [`crate::RateLimit`] holds to `limit`
//!   at once (Organizations: one) runs its writes like a machine with `limit` slots. For any
//!   subset S of those writes, none starts before the earliest S can start (`a`), they take
//!   `Σ write time / limit` between them, and the last one to finish still has its own polls
//!   and its dependents' chain ahead of it (at least `b`, the shortest such tail in S). So
//!   `a + Σ/limit + b` is a floor for every S; the bound takes the best S of the form
//!   "every write with head ≥ a and tail ≥ b" (the single-machine head-body-tail bound).
//!
//! It ignores the engine's concurrency limit and any time not spent in calls (state saves,
//! scheduling), which is exactly what the ratio measures.

use std::cmp::Reverse;
use std::fmt;
use std::time::Duration;

use landform_core::Assembly;

use crate::error::DeployError;
use crate::layer::service_of;
use crate::model::Model;

/// The calls one resource's create takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateCost {
    /// Calls that write (and hold the service's rate-limit permit): the create.
    pub writes: u32,
    /// Status polls after the write, until the provider says the resource is ready. They
    /// read, so a rate limit on writes does not hold them.
    pub polls: u32,
    /// The waits the provider asks for before the polls, in all.
    pub waits: Duration,
}

impl CreateCost {
    /// One create call, ready when it returns.
    pub const ONE_CALL: CreateCost = CreateCost {
        writes: 1,
        polls: 0,
        waits: Duration::ZERO,
    };
}

/// The writes of one rate-limited service, and the floor their serialisation puts under an
/// apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialisedWrites {
    /// The service (`Organizations`).
    pub service: String,
    /// Writes allowed at once.
    pub limit: usize,
    /// Writes of the service in the assembly.
    pub writes: usize,
    /// The floor: `head + writes_counted × latency / limit + tail`.
    pub floor: Duration,
    /// The earliest any of the counted writes can start.
    pub head: Duration,
    /// How many writes the floor counts (those with head ≥ `head` and tail ≥ `tail`).
    pub writes_counted: usize,
    /// The least time from the end of a counted write to the end of the apply.
    pub tail: Duration,
}

/// A lower bound on an apply from scratch (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyBound {
    /// The bound: the larger of the critical path and every serialisation floor.
    pub total: Duration,
    /// The calls an apply from scratch makes (creates and polls, no retries).
    pub calls: u64,
    /// The longest chain of create durations.
    pub critical_path: Duration,
    /// Calls along that chain.
    pub critical_calls: u64,
    /// The chain, as `stack/logicalId`.
    pub chain: Vec<String>,
    /// One entry per rate-limited service with writes in the assembly.
    pub serialised: Vec<SerialisedWrites>,
    /// The batched look-ups before the first create (one per type, account and region of
    /// the resources whose account and properties are known before the apply).
    pub lookups: u64,
}

impl fmt::Display for ApplyBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        writeln!(
            f,
            "bound {:.0} ms ({} calls in all)",
            ms(self.total),
            self.calls
        )?;
        if self.lookups > 0 {
            writeln!(
                f,
                "  {} look-up(s) before the first create, side by side",
                self.lookups
            )?;
        }
        writeln!(
            f,
            "  critical path {:.0} ms, {} calls: {}",
            ms(self.critical_path),
            self.critical_calls,
            self.chain.join(" -> ")
        )?;
        for s in &self.serialised {
            writeln!(
                f,
                "  {} writes ({} of them, {} at once): floor {:.0} ms = head {:.0} + {} serialised writes + tail {:.0}",
                s.service,
                s.writes,
                s.limit,
                ms(s.floor),
                ms(s.head),
                s.writes_counted,
                ms(s.tail)
            )?;
        }
        Ok(())
    }
}

/// The lower bound of an apply of `assembly` from scratch with `latency` per call, each
/// resource's create costing `cost(type_name)`, and writes limited per service as
/// `write_limits` says (the same `(service, limit)` pairs as [`crate::RateLimit::new`]).
///
/// ```
/// use std::time::Duration;
/// use landform_core::{App, Environment, Resource};
/// use landform_deploy::bound::{apply_bound, CreateCost};
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "Org");
/// for ou in ["A", "B", "C"] {
///     app.scope(stack).add_resource(ou, Resource::new("AWS::Organizations::OrganizationalUnit")
///         .property("Name", ou).property("ParentId", "r-abcd"));
/// }
/// let assembly = app.synth().unwrap();
/// let ms = Duration::from_millis;
/// let cost = |_: &str| CreateCost::ONE_CALL;
/// // One look-up of the three OUs, then three independent creates: one call deep...
/// let free = apply_bound(&assembly, ms(50), cost, &[]).unwrap();
/// assert_eq!((free.lookups, free.total), (1, ms(100)));
/// // ...but three calls long when Organizations takes one write at a time.
/// let serial = apply_bound(&assembly, ms(50), cost, &[("Organizations", 1)]).unwrap();
/// assert_eq!(serial.total, ms(200));
/// ```
pub fn apply_bound(
    assembly: &Assembly,
    latency: Duration,
    cost: impl Fn(&str) -> CreateCost,
    write_limits: &[(&str, usize)],
) -> Result<ApplyBound, DeployError> {
    let model = Model::build(assembly)?;
    let n = model.resources.len();
    let costs: Vec<CreateCost> = model.resources.iter().map(|r| cost(&r.type_name)).collect();
    let calls_of = |c: &CreateCost| u64::from(c.writes) + u64::from(c.polls);
    let write_time: Vec<Duration> = costs.iter().map(|c| latency * c.writes).collect();
    let after_write: Vec<Duration> = costs.iter().map(|c| latency * c.polls + c.waits).collect();
    let duration: Vec<Duration> = (0..n).map(|i| write_time[i] + after_write[i]).collect();

    // Earliest start of each resource (its longest chain of dependencies), and the call
    // count along that chain.
    let mut head = vec![Duration::ZERO; n];
    let mut head_calls = vec![0u64; n];
    let mut via: Vec<Option<usize>> = vec![None; n];
    for &i in &model.order {
        for &d in &model.resources[i].deps {
            let ends = head[d] + duration[d];
            if ends > head[i] || via[i].is_none() {
                head[i] = ends;
                head_calls[i] = head_calls[d] + calls_of(&costs[d]);
                via[i] = Some(d);
            }
        }
    }
    // The longest chain of dependents after each resource ends.
    let mut dependents = vec![Vec::new(); n];
    for (i, r) in model.resources.iter().enumerate() {
        for &d in &r.deps {
            dependents[d].push(i);
        }
    }
    let mut after = vec![Duration::ZERO; n];
    for &i in model.order.iter().rev() {
        after[i] = dependents[i]
            .iter()
            .map(|&d| duration[d] + after[d])
            .max()
            .unwrap_or_default();
    }

    let end = (0..n).max_by_key(|&i| (head[i] + duration[i], Reverse(i)));
    let (critical_path, critical_calls, chain) = match end {
        None => (Duration::ZERO, 0, Vec::new()),
        Some(end) => {
            let mut chain = vec![model.resources[end].key.clone()];
            let mut cur = via[end];
            while let Some(i) = cur {
                chain.push(model.resources[i].key.clone());
                cur = via[i];
            }
            chain.reverse();
            (
                head[end] + duration[end],
                head_calls[end] + calls_of(&costs[end]),
                chain,
            )
        }
    };

    let mut serialised = Vec::new();
    for &(service, limit) in write_limits {
        let limit = limit.max(1);
        let jobs: Vec<usize> = (0..n)
            .filter(|&i| {
                service_of(&model.resources[i].type_name) == service && costs[i].writes > 0
            })
            .collect();
        if jobs.is_empty() {
            continue;
        }
        let tail = |i: usize| after_write[i] + after[i];
        let mut best: Option<SerialisedWrites> = None;
        for &a in &jobs {
            for &b in &jobs {
                let (a, b) = (head[a], tail(b));
                let counted: Vec<usize> = jobs
                    .iter()
                    .copied()
                    .filter(|&j| head[j] >= a && tail(j) >= b)
                    .collect();
                if counted.is_empty() {
                    continue;
                }
                let busy: Duration = counted.iter().map(|&j| write_time[j]).sum();
                let floor = a + busy / limit as u32 + b;
                if best.as_ref().map_or(true, |s| floor > s.floor) {
                    best = Some(SerialisedWrites {
                        service: service.to_owned(),
                        limit,
                        writes: jobs.len(),
                        floor,
                        head: a,
                        writes_counted: counted.len(),
                        tail: b,
                    });
                }
            }
        }
        serialised.extend(best);
    }

    let lookups = lookup_groups(&model);
    let total = serialised
        .iter()
        .map(|s| s.floor)
        .fold(critical_path, Duration::max)
        + if lookups > 0 { latency } else { Duration::ZERO };
    Ok(ApplyBound {
        total,
        lookups,
        calls: costs.iter().map(calls_of).sum::<u64>() + lookups,
        critical_path,
        critical_calls,
        chain,
        serialised,
    })
}

/// How many batched look-ups an apply from scratch makes before its first create: the
/// distinct (type, account, region) of resources it can look up against an empty state.
fn lookup_groups(model: &Model) -> u64 {
    let state = crate::state::State::default();
    let none = std::collections::HashSet::new();
    let resolver = crate::resolver::Resolver::new(model, &state, &none);
    let groups: std::collections::BTreeSet<(&str, String, &str)> = model
        .resources
        .iter()
        .filter_map(|r| {
            let (account, _) = crate::adopt::lookable(&resolver, r).ok().flatten()?;
            Some((
                r.type_name.as_str(),
                account,
                model.stacks[r.stack].region.as_str(),
            ))
        })
        .collect();
    groups.len() as u64
}

/// The longest dependency chain of an assembly, each resource weighted by `cost` (for
/// example the number of provider calls its create takes): the total and the chain, as
/// `stack/logicalId`. [`apply_bound`] gives the bound in time, with status polls and
/// serialised writes counted.
pub fn critical_path(
    assembly: &Assembly,
    cost: impl Fn(&str) -> u64,
) -> Result<(u64, Vec<String>), DeployError> {
    let model = Model::build(assembly)?;
    let mut best: Vec<(u64, Option<usize>)> = vec![(0, None); model.resources.len()];
    for &i in &model.order {
        let r = &model.resources[i];
        let (before, via) = r
            .deps
            .iter()
            .map(|&d| (best[d].0, Some(d)))
            .max_by_key(|(w, _)| *w)
            .unwrap_or((0, None));
        best[i] = (before + cost(&r.type_name), via);
    }
    let Some((end, &(total, _))) = best.iter().enumerate().max_by_key(|(_, (w, _))| *w) else {
        return Ok((0, Vec::new()));
    };
    let mut chain = vec![model.resources[end].key.clone()];
    let mut cur = best[end].1;
    while let Some(i) = cur {
        chain.push(model.resources[i].key.clone());
        cur = best[i].1;
    }
    chain.reverse();
    Ok((total, chain))
}

#[cfg(test)]
mod tests {
    use super::*;
    use landform_core::{App, Environment, Resource};

    const MS: Duration = Duration::from_millis(1);

    /// `root` OU, then `accounts` accounts under it, each with one VPC after it; and
    /// `policies` SCPs on the OU that nothing waits for.
    fn org(accounts: usize, policies: usize) -> Assembly {
        let mut app = App::new();
        let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
        let stack = app.add_stack(stage, "Org");
        let mut s = app.scope(stack);
        let ou = s.add_resource(
            "Ou",
            Resource::new("AWS::Organizations::OrganizationalUnit")
                .property("Name", "Workloads")
                .property("ParentId", "r-abcd"),
        );
        for i in 0..policies {
            s.add_resource(
                &format!("Scp{i}"),
                Resource::new("AWS::Organizations::Policy")
                    .property("Name", format!("scp-{i}"))
                    .property("Type", "SERVICE_CONTROL_POLICY")
                    .property("Content", serde_json::json!({
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]
                    }))
                    .property("TargetIds", landform_core::Value::array([ou.ref_value()])),
            );
        }
        for i in 0..accounts {
            let account = s.add_resource(
                &format!("Account{i}"),
                Resource::new("AWS::Organizations::Account")
                    .property("AccountName", format!("account-{i}"))
                    .property("Email", format!("aws+account-{i}@example.com"))
                    .property("ParentIds", landform_core::Value::array([ou.ref_value()])),
            );
            s.add_resource(
                &format!("Vpc{i}"),
                Resource::new("AWS::EC2::VPC")
                    .property("CidrBlock", "10.0.0.0/16")
                    .property(
                        "Tags",
                        landform_core::Value::array([landform_core::Value::object([
                            ("Key", landform_core::Value::from("account")),
                            ("Value", account.get_att("AccountId")),
                        ])]),
                    ),
            );
        }
        app.synth().unwrap()
    }

    fn cost(type_name: &str) -> CreateCost {
        match type_name {
            "AWS::Organizations::Account" => CreateCost {
                writes: 1,
                polls: 2,
                waits: 10 * MS,
            },
            _ => CreateCost::ONE_CALL,
        }
    }

    #[test]
    fn critical_path_counts_polls_and_waits() {
        let b = apply_bound(&org(1, 0), 50 * MS, cost, &[]).unwrap();
        // Ou (1 call) -> Account (create + 2 polls + 10 ms of waits) -> Vpc (1 call).
        assert_eq!(b.critical_path, 260 * MS);
        assert_eq!(b.critical_calls, 5);
        // The OU (name under its parent) and the account (email) are known before the apply:
        // a look-up each, side by side ahead of the OU.
        assert_eq!(b.lookups, 2);
        assert_eq!(b.calls, 7);
        assert_eq!(b.total, b.critical_path + 50 * MS);
        assert_eq!(b.chain.len(), 3);
    }

    #[test]
    fn serialised_writes_put_the_tail_after_the_last_of_them() {
        // The look-up, the Ou, then 3 account creates one at a time; the last one still
        // polls and has its VPC ahead: 50 + 50 + 3 × 50 + (100 + 10 + 50). The policies,
        // with no tail, can go last and do not add to it.
        let b = apply_bound(&org(3, 2), 50 * MS, cost, &[("Organizations", 1)]).unwrap();
        assert_eq!(b.critical_path, 260 * MS);
        let s = &b.serialised[0];
        assert_eq!((s.writes, s.limit), (6, 1));
        assert_eq!(b.total, 410 * MS, "{b}");
        // Two at once: 0 + (Ou + 3 accounts) × 50 / 2 + 160 < 360, and still at least the
        // critical path.
        let two_at_once = apply_bound(&org(3, 2), 50 * MS, cost, &[("Organizations", 2)]).unwrap();
        assert!(two_at_once.total < b.total, "{two_at_once}");
        assert!(two_at_once.total >= two_at_once.critical_path + 50 * MS);
    }

    #[test]
    fn an_empty_assembly_is_bounded_by_zero() {
        let app = App::new();
        let b = apply_bound(
            &app.synth().unwrap(),
            50 * MS,
            cost,
            &[("Organizations", 1)],
        );
        assert_eq!(b.unwrap().total, Duration::ZERO);
    }
}
