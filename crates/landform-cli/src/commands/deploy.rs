//! Verbs that act on a cloud: diff, deploy, destroy, drift.
//!
//! With `--provider memory` everything lives in `--state-dir`: `state.json` (the engine's file
//! state store), `lock.json` (its file lock) and `cloud.json` (the in-memory AWS; each call's
//! changes are appended to `cloud.json.log` as it is made, and folded into `cloud.json` when
//! the verb ends), so separate runs of the binary see the same cloud.

use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};

use landform_core::Assembly;
use landform_deploy::{
    Action, ApplyReport, CallRecord, Engine, FileLock, FileStateStore, InMemoryCloud,
    OrganizationSeed, Plan,
};
use serde_json::{json, Value as Json};

use super::progress::Progress;
use super::{write_json, Exit};
use crate::args::{ApprovalArgs, ProviderArg, TargetArgs};
use crate::error::CliError;
use crate::term::{Style, Term};

/// The file names inside `--state-dir`.
pub(crate) const STATE_FILE: &str = "state.json";
pub(crate) const LOCK_FILE: &str = "lock.json";
pub(crate) const CLOUD_FILE: &str = "cloud.json";

/// Where progress goes: set by the verbs that show per-resource progress, read by the
/// observer the backend installed on its provider.
pub(crate) type ObserverSlot = Arc<Mutex<Option<Arc<dyn Fn(&CallRecord) + Send + Sync>>>>;

pub(crate) struct Backend {
    pub(crate) engine: Engine,
    pub(crate) observer: ObserverSlot,
    /// The in-memory cloud, for `--provider memory`.
    pub(crate) cloud: Option<InMemoryCloud>,
}

impl Drop for Backend {
    /// Leaves `cloud.json` whole however the verb ended. A failure here loses nothing: the
    /// log it would have folded in stays beside the snapshot and is read next time.
    fn drop(&mut self) {
        if let Some(cloud) = &self.cloud {
            let _ = cloud.compact();
        }
    }
}

impl Backend {
    fn observe(&self, f: impl Fn(&CallRecord) + Send + Sync + 'static) {
        *self.observer.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(f));
    }
}

/// Calls `slot`'s observer, if any, with `call`.
pub(crate) fn notify(slot: &ObserverSlot, call: &CallRecord) {
    let observer = slot.lock().unwrap_or_else(|p| p.into_inner()).clone();
    if let Some(observer) = observer {
        observer(call);
    }
}

/// The backend; `app` shapes the organization of a new in-memory cloud (none for verbs that
/// only act on what was deployed).
fn backend(
    target: &TargetArgs,
    concurrency: usize,
    refresh: bool,
    app: Option<&Assembly>,
    rt: &tokio::runtime::Runtime,
) -> Result<Backend, CliError> {
    // Before any state, lock or cloud file is opened.
    if let Some(app) = app {
        landform_deploy::refuse_stack_sets(app)?;
    }
    match target.provider {
        #[cfg(feature = "aws")]
        ProviderArg::Aws => rt.block_on(super::aws::backend(target, concurrency, refresh)),
        #[cfg(not(feature = "aws"))]
        ProviderArg::Aws => {
            let _ = (rt, refresh);
            Err(CliError::ProviderUnavailable {
                provider: "aws".to_owned(),
                hint: "this binary was built without the AWS provider (the landform-aws crate, which links the AWS SDK); use --provider memory, or build the deployer with the `aws` cargo feature (`cargo run --features aws ...`)",
            })
        }
        ProviderArg::Memory => {
            if let Some(url) = &target.endpoint_url {
                // Said on stderr whatever the verbosity: the user asked for something ignored.
                let _ = writeln!(
                    std::io::stderr(),
                    "warning: --endpoint-url {url} applies to --provider aws only; ignored"
                );
            }
            let dir = &target.state_dir;
            std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
                path: dir.clone(),
                source,
            })?;
            let seed = app.map(OrganizationSeed::from_assembly).unwrap_or_default();
            let cloud = InMemoryCloud::persistent_with(dir.join(CLOUD_FILE), &seed)?;
            let observer = ObserverSlot::default();
            let slot = observer.clone();
            cloud.set_observer(move |call| notify(&slot, call));
            let state = Arc::new(FileStateStore::new(dir.join(STATE_FILE)));
            let mut registry = cloud.bare_registry();
            target.providers.add_to(&mut registry);
            let engine = Engine::new(
                cloud.layered(registry),
                state,
                Arc::new(FileLock::new(dir.join(LOCK_FILE))),
                Arc::new(cloud.sessions()),
            )
            .with_target("the in-memory cloud")
            .with_concurrency(concurrency)
            .with_refresh(refresh);
            Ok(Backend {
                engine,
                observer,
                cloud: Some(cloud),
            })
        }
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CliError::Output)
}

pub(crate) fn w(out: &mut dyn Write, text: impl std::fmt::Display) -> Result<(), CliError> {
    writeln!(out, "{text}").map_err(CliError::Output)
}

/// One event of a `--json` stream: a JSON object on a line of its own.
pub(crate) fn event(out: &mut dyn Write, value: &Json) -> Result<(), CliError> {
    writeln!(out, "{value}").map_err(CliError::Output)?;
    out.flush().map_err(CliError::Output)
}

/// In a `--json` stream, an error is the last event (and still goes to stderr, exit 1).
pub(crate) fn streamed<T>(
    json: bool,
    out: &mut dyn Write,
    result: Result<T, CliError>,
) -> Result<T, CliError> {
    if let (true, Err(e)) = (json, &result) {
        let _ = event(out, &json!({"type": "error", "message": e.to_string()}));
    }
    result
}

fn plan_counts(plan: &Plan) -> Json {
    json!({
        "create": plan.count(Action::Create),
        "update": plan.count(Action::Update),
        "replace": plan.count(Action::Replace),
        "delete": plan.count(Action::Delete),
        "retain": plan.count(Action::Retain),
        "unchanged": plan.unchanged,
        "refreshed": plan.refreshed,
        "drifted": plan.drifted,
        "readopted": plan.readopted.len(),
    })
}

fn no_changes(plan: &Plan, term: &Term) -> String {
    let checked = if plan.refreshed > 0 {
        format!(", {} read back and matching", plan.refreshed)
    } else {
        String::new()
    };
    term.paint(
        Style::Good,
        format!(
            "No changes: {} resource(s) up to date{checked}.",
            plan.unchanged
        ),
    )
}

pub(crate) fn diff(
    assembly: &Assembly,
    target: &TargetArgs,
    refresh: bool,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let rt = runtime()?;
    let backend = backend(target, 8, refresh, Some(assembly), &rt)?;
    let plan = rt.block_on(backend.engine.plan(assembly))?;
    if json {
        write_json(out, &plan.to_json())?;
    } else if plan.is_empty() {
        w(out, no_changes(&plan, term))?;
    } else {
        w(out, &plan)?;
    }
    Ok(if plan.is_empty() {
        Exit::Success
    } else {
        Exit::Changes
    })
}

/// Ask y/N when `required` and not answered by --yes. `Ok(())` means go on.
pub(crate) fn approve(
    required: bool,
    approval: &ApprovalArgs,
    verb: &'static str,
    json: bool,
    what: &str,
    out: &mut dyn Write,
    term: &Term,
) -> Result<(), CliError> {
    if !required || approval.yes {
        return Ok(());
    }
    if json {
        return Err(CliError::ApprovalUnavailable {
            verb,
            why: "the output is a --json stream",
        });
    }
    if !term.stdin_tty {
        return Err(CliError::ApprovalUnavailable {
            verb,
            why: "stdin is not a terminal",
        });
    }
    write!(out, "{what} [y/N] ").map_err(CliError::Output)?;
    out.flush().map_err(CliError::Output)?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(CliError::Output)?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(CliError::NotApproved),
    }
}

/// Resources retained by an apply or destroy: kept in AWS, no longer in state. A few are
/// named; the rest are counted (every one is in `--json` and was marked `#` in the listing).
fn print_retained(report: &ApplyReport, out: &mut dyn Write) -> Result<(), CliError> {
    const SHOWN: usize = 10;
    if report.retained.is_empty() {
        return Ok(());
    }
    w(
        out,
        format!(
            "Retained (kept in AWS, no longer managed by this app until a deploy of it takes them back): {}",
            report.retained.len()
        ),
    )?;
    for r in report.retained.iter().take(SHOWN) {
        w(out, format!("  # {r}"))?;
    }
    if report.retained.len() > SHOWN {
        w(
            out,
            format!(
                "  ... and {} more (all listed with --json)",
                report.retained.len() - SHOWN
            ),
        )?;
    }
    Ok(())
}

/// What `deploy` was asked to do besides its target and approval.
pub(crate) struct DeployOptions {
    pub refresh: bool,
    pub json: bool,
    pub concurrency: usize,
    pub replace_adopted: bool,
}

pub(crate) fn deploy(
    assembly: &Assembly,
    target: &TargetArgs,
    approval: &ApprovalArgs,
    options: &DeployOptions,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let result = deploy_inner(assembly, target, approval, options, out, term);
    streamed(options.json, out, result)
}

fn deploy_inner(
    assembly: &Assembly,
    target: &TargetArgs,
    approval: &ApprovalArgs,
    options: &DeployOptions,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let json = options.json;
    let rt = runtime()?;
    let mut backend = backend(
        target,
        options.concurrency,
        options.refresh,
        Some(assembly),
        &rt,
    )?;
    backend.engine.set_replace_adopted(options.replace_adopted);
    let plan = rt.block_on(backend.engine.plan(assembly))?;
    if json {
        for change in &plan.changes {
            event(out, &json!({"type": "planned_change", "change": change}))?;
        }
        event(out, &json!({"type": "plan", "counts": plan_counts(&plan)}))?;
    }
    if plan.is_empty() {
        if json {
            event(
                out,
                &json!({"type": "summary", "verb": "deploy", "changed": false, "counts": plan_counts(&plan)}),
            )?;
        } else {
            w(out, no_changes(&plan, term))?;
        }
        return Ok(Exit::Success);
    }
    if !json {
        w(out, &plan)?;
    }
    approve(
        approval.require_approval,
        approval,
        "deploy --require-approval",
        json,
        "Apply these changes?",
        out,
        term,
    )?;
    out.flush().map_err(CliError::Output)?;
    let expected = Progress::expected_from(&plan);
    // The apply plans again under the lock; this copy of every property is not needed.
    drop(plan);
    let progress = Progress::new(expected, *term, json);
    let observer = progress.clone();
    backend.observe(move |call| observer.observe(call));
    let result = rt.block_on(backend.engine.apply(assembly));
    progress.finish();
    let report = result?;
    // Verify convergence: a plan right after the apply must show no changes.
    let verification = rt.block_on(backend.engine.plan(assembly))?;
    if !verification.is_empty() {
        if !json {
            w(out, &verification)?;
        }
        return Err(CliError::NotConverged {
            changes: verification.changes.len(),
        });
    }
    if json {
        event(
            out,
            &json!({"type": "summary", "verb": "deploy", "changed": true, "report": report, "verified": true}),
        )?;
        return Ok(Exit::Success);
    }
    w(out, term.paint(Style::Good, format!("Deployed: {report}")))?;
    print_retained(&report, out)?;
    w(
        out,
        format!(
            "Verified: a new plan shows no changes ({} resource(s) up to date).",
            verification.unchanged
        ),
    )?;
    Ok(Exit::Success)
}

/// `adopt`: look the app's unrecorded resources up and record what is found.
pub(crate) fn adopt(
    assembly: &Assembly,
    target: &TargetArgs,
    dry_run: bool,
    json: bool,
    concurrency: usize,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let rt = runtime()?;
    let backend = backend(target, concurrency, false, Some(assembly), &rt)?;
    let report = rt.block_on(backend.engine.adopt(assembly, dry_run))?;
    if json {
        write_json(out, &report.to_json())?;
    } else {
        w(out, &report)?;
        if !dry_run && !report.adopted.is_empty() {
            w(
                out,
                term.paint(
                    Style::Good,
                    "Recorded in state with no write call: `diff` now shows only what differs.",
                ),
            )?;
        }
    }
    if !report.owned_elsewhere.is_empty() {
        return Err(CliError::OwnedElsewhere {
            count: report.owned_elsewhere.len(),
        });
    }
    Ok(Exit::Success)
}

/// `adopt --print-rust`: the live organization as a Landform program.
pub(crate) fn print_rust(
    assembly: &Assembly,
    target: &TargetArgs,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let rt = runtime()?;
    let backend = backend(target, 8, false, Some(assembly), &rt)?;
    let seed = OrganizationSeed::from_assembly(assembly);
    let region = assembly
        .stacks()
        .iter()
        .find(|s| {
            s.resources
                .values()
                .any(|r| r.type_name.starts_with("AWS::Organizations::"))
        })
        .or(assembly.stacks().first())
        .map(|s| s.environment.region.clone())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let org = rt.block_on(backend.engine.live_organization(
        &seed.management_account,
        &region,
        &seed.root_id,
    ))?;
    write!(out, "{}", crate::print_rust::render(&org, &region)).map_err(CliError::Output)?;
    Ok(Exit::Success)
}

pub(crate) fn destroy(
    target: &TargetArgs,
    approval: &ApprovalArgs,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let result = destroy_inner(target, approval, json, out, term);
    streamed(json, out, result)
}

fn destroy_inner(
    target: &TargetArgs,
    approval: &ApprovalArgs,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let rt = runtime()?;
    let backend = backend(target, 8, false, None, &rt)?;
    let state = rt.block_on(backend.engine.recorded_state())?;
    let mut expected = Vec::new();
    let (mut deletes, mut retains) = (0usize, 0usize);
    for (stack, recorded) in &state.stacks {
        for (lid, resource) in &recorded.resources {
            let retained = resource.kept_on_removal();
            if json {
                event(
                    out,
                    &json!({
                        "type": "planned_change",
                        "change": {
                            "stack": stack,
                            "logicalId": lid,
                            "type": resource.type_name,
                            "physicalId": resource.physical_id,
                            "account": recorded.account,
                            "region": recorded.region,
                            "action": if retained { "retain" } else { "delete" },
                        }
                    }),
                )?;
            } else {
                let verb = if retained { "#" } else { "-" };
                w(
                    out,
                    format!(
                        "{verb:<3} {stack}/{lid} ({}) {}",
                        resource.type_name, resource.physical_id
                    ),
                )?;
            }
            if retained {
                retains += 1;
            } else {
                deletes += 1;
                expected.push((
                    "delete",
                    resource.type_name.clone(),
                    format!("{stack}/{lid}"),
                ));
            }
        }
    }
    drop(state);
    if deletes + retains == 0 {
        if json {
            event(
                out,
                &json!({"type": "summary", "verb": "destroy", "changed": false}),
            )?;
        } else {
            w(out, "Nothing to destroy: no resource is recorded in state.")?;
        }
        return Ok(Exit::Success);
    }
    if json {
        event(
            out,
            &json!({"type": "plan", "counts": {"delete": deletes, "retain": retains}}),
        )?;
    } else {
        w(
            out,
            format!(
                "Destroy: {deletes} to delete, {retains} to keep in AWS and forget (retained, marked #; the next deploy of this app records them again instead of creating them)."
            ),
        )?;
    }
    approve(
        true,
        approval,
        "destroy",
        json,
        "Destroy these resources?",
        out,
        term,
    )?;
    out.flush().map_err(CliError::Output)?;
    let progress = Progress::new(expected, *term, json);
    let observer = progress.clone();
    backend.observe(move |call| observer.observe(call));
    let result = rt.block_on(backend.engine.destroy());
    progress.finish();
    let report = result?;
    if json {
        event(
            out,
            &json!({"type": "summary", "verb": "destroy", "changed": true, "report": report}),
        )?;
        return Ok(Exit::Success);
    }
    w(out, term.paint(Style::Good, format!("Destroyed: {report}")))?;
    print_retained(&report, out)?;
    Ok(Exit::Success)
}

pub(crate) fn drift(
    target: &TargetArgs,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let rt = runtime()?;
    let backend = backend(target, 8, false, None, &rt)?;
    let report = rt.block_on(backend.engine.drift())?;
    if json {
        write_json(out, &report)?;
    } else if report.is_clean() {
        w(
            out,
            term.paint(
                Style::Good,
                format!("No drift: {} resource(s) checked.", report.checked),
            ),
        )?;
    } else {
        w(out, &report)?;
        w(
            out,
            "Run `deploy` to restore them (it reads the cloud back and plans the repair).",
        )?;
    }
    Ok(if report.is_clean() {
        Exit::Success
    } else {
        Exit::Changes
    })
}
