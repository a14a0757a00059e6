//! `--engine cloudformation`: the assembly's stacks deployed by CloudFormation itself, one
//! stack per synthesised stack in its own account and region, through change sets
//! (`landform_aws::cloudformation::CloudFormationDeployer`). `diff` is the change sets,
//! `deploy` executes them, `destroy` deletes the stacks in reverse order and `drift` runs
//! CloudFormation's drift detection. There is no Landform state: CloudFormation keeps it.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use landform_aws::api::ResourceChangeSummary;
use landform_aws::cloudformation::{
    CloudFormationDeployer, DeployEvent, DeployOptions, PlanStatus, StackOutcome, StackPlan,
};
use landform_core::Assembly;
use serde_json::json;

use super::deploy::{approve, event, runtime, streamed, w};
use super::{write_json, Exit};
use crate::args::{ApprovalArgs, TargetArgs};
use crate::error::CliError;
use crate::term::{Style, Term};

async fn deployer(
    target: &TargetArgs,
    assembly: &Assembly,
    concurrency: usize,
) -> Result<CloudFormationDeployer, CliError> {
    let (sessions, caller, region) = super::aws::sessions(target).await?;
    let mut options = DeployOptions {
        poll_interval: Duration::from_millis(target.poll_ms),
        concurrency,
        ..DeployOptions::default()
    };
    if let Some(bucket) = &target.template_bucket {
        options.template_urls = landform_aws::cloudformation::upload_templates(
            &sessions, &caller, &region, bucket, assembly,
        )
        .await
        .map_err(super::aws::setup(format!(
            "the template bucket s3://{bucket}"
        )))?;
    }
    Ok(CloudFormationDeployer::new(sessions, options))
}

/// `+`, `~`, `-/+`, `-` as the direct engine's plan marks them.
fn mark(change: &ResourceChangeSummary) -> &'static str {
    match (change.action.as_str(), change.replacement.as_deref()) {
        ("Add", _) => "+",
        ("Remove", _) => "-",
        ("Modify", Some("True")) => "-/+",
        ("Modify", Some("Conditional")) => "~?",
        ("Import", _) => "<=",
        _ => "~",
    }
}

fn change_line(change: &ResourceChangeSummary) -> String {
    let mut line = format!(
        "  {} {} ({})",
        mark(change),
        change.logical_id,
        change.resource_type
    );
    match change.replacement.as_deref() {
        Some("True") | Some("Conditional") if !change.replaced_by.is_empty() => {
            let may = if change.replacement.as_deref() == Some("True") {
                "forces"
            } else {
                "may force"
            };
            line.push_str(&format!(
                " ({may} replacement: {})",
                change.replaced_by.join(", ")
            ));
        }
        Some("True") => line.push_str(" (forces replacement)"),
        Some("Conditional") => line.push_str(" (may force replacement)"),
        _ => {}
    }
    line
}

fn status_word(status: &PlanStatus) -> String {
    match status {
        PlanStatus::Create => "create stack".into(),
        PlanStatus::Recreate => "delete the rolled-back stack and create it again".into(),
        PlanStatus::Update => "update stack".into(),
        PlanStatus::NoChanges => "no changes".into(),
        PlanStatus::WaitsForUpstream { outputs } => format!(
            "planned after {} (reads {} output(s) they do not have yet)",
            outputs
                .iter()
                .map(|o| o.stack.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", "),
            outputs.len()
        ),
        PlanStatus::StackSet {
            create,
            update,
            new_targets,
        } => {
            // Where it lands: each OU once, with its regions.
            let mut lands: Vec<(&str, Vec<&str>)> = Vec::new();
            for (ou, region) in new_targets {
                match lands.iter_mut().find(|(o, _)| o == ou) {
                    Some((_, regions)) => regions.push(region),
                    None => lands.push((ou, vec![region])),
                }
            }
            let lands: Vec<String> = lands
                .into_iter()
                .map(|(ou, regions)| format!("{ou} in {}", regions.join(", ")))
                .collect();
            format!(
                "service-managed StackSet{}{}, {}",
                if *create { ": create it" } else { "" },
                if *update {
                    ", update every instance"
                } else {
                    ""
                },
                if lands.is_empty() {
                    "no new OU or region".to_owned()
                } else {
                    format!("new instances in every account of {}", lands.join("; "))
                }
            )
        }
    }
}

fn changed(plan: &StackPlan) -> bool {
    match &plan.status {
        PlanStatus::NoChanges => false,
        // A StackSet that exists, is up to date and lands everywhere it should.
        PlanStatus::StackSet {
            create,
            update,
            new_targets,
        } => *create || *update || !new_targets.is_empty(),
        _ => true,
    }
}

fn print_plan(plans: &[StackPlan], out: &mut dyn Write, term: &Term) -> Result<(), CliError> {
    let (mut add, mut modify, mut replace, mut remove) = (0, 0, 0, 0);
    for plan in plans.iter().filter(|p| changed(p)) {
        let place = match &plan.account {
            Some(a) => format!("{a}/{}", plan.region),
            None => format!("(account made by the app)/{}", plan.region),
        };
        w(
            out,
            term.paint(
                Style::Bold,
                format!("{} [{place}]: {}", plan.stack, status_word(&plan.status)),
            ),
        )?;
        for change in &plan.changes {
            match mark(change) {
                "+" => add += 1,
                "-" => remove += 1,
                "-/+" => replace += 1,
                _ => modify += 1,
            }
            w(out, change_line(change))?;
        }
    }
    let unchanged = plans.iter().filter(|p| !changed(p)).count();
    w(
        out,
        format!(
            "Plan (CloudFormation change sets): {} stack(s) to change, {unchanged} unchanged; {add} resource(s) to add, {modify} to modify, {replace} to replace, {remove} to remove.",
            plans.len() - unchanged
        ),
    )
}

fn plan_json(plans: &[StackPlan]) -> serde_json::Value {
    json!(plans
        .iter()
        .map(|p| json!({
            "stack": p.stack,
            "account": p.account,
            "region": p.region,
            "status": status_word(&p.status),
            "changes": p.changes,
        }))
        .collect::<Vec<_>>())
}

pub(crate) fn diff(
    assembly: &Assembly,
    target: &TargetArgs,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let rt = runtime()?;
    let plans = rt.block_on(async {
        let deployer = deployer(target, assembly, 8).await?;
        Ok::<_, CliError>(deployer.plan(assembly).await?)
    })?;
    let any = plans.iter().any(changed);
    if json {
        write_json(out, &plan_json(&plans))?;
    } else if any {
        print_plan(&plans, out, term)?;
    } else {
        w(
            out,
            term.paint(
                Style::Good,
                format!("No changes: {} stack(s) up to date.", plans.len()),
            ),
        )?;
    }
    Ok(if any { Exit::Changes } else { Exit::Success })
}

/// One line (or JSON event) per progress event worth showing.
fn describe_event(e: &DeployEvent) -> Option<(String, serde_json::Value)> {
    Some(match e {
        DeployEvent::StackStarted {
            stack,
            account,
            region,
        } => (
            format!("{stack} [{account}/{region}]: started"),
            json!({"type": "stack_started", "stack": stack, "account": account, "region": region}),
        ),
        DeployEvent::ChangeSetReady {
            stack,
            change_set,
            changes,
        } => {
            let mut text = format!("{stack}: change set {change_set}");
            for c in changes {
                text.push('\n');
                text.push_str(&change_line(c));
            }
            (
                text,
                json!({"type": "change_set", "stack": stack, "change_set": change_set, "changes": changes}),
            )
        }
        DeployEvent::ChangeSetReused { stack, change_set } => (
            format!("{stack}: resuming with the change set of an interrupted run ({change_set})"),
            json!({"type": "change_set_reused", "stack": stack, "change_set": change_set}),
        ),
        DeployEvent::WaitingForRunningExecution { stack, change_set } => (
            format!("{stack}: an interrupted run's execution of {change_set} is still under way: waiting for it"),
            json!({"type": "waiting", "stack": stack, "change_set": change_set}),
        ),
        DeployEvent::RollbackCompleteStackDeleted { stack } => (
            format!("{stack}: its first create had rolled back: deleted, created again"),
            json!({"type": "rolled_back_stack_deleted", "stack": stack}),
        ),
        DeployEvent::NoChanges { stack } => (
            format!("{stack}: no changes"),
            json!({"type": "no_changes", "stack": stack}),
        ),
        DeployEvent::Resource {
            stack,
            logical_id,
            status,
            reason,
            ..
        } if status.ends_with("_FAILED") => (
            format!(
                "{stack}: {logical_id} {status}: {}",
                reason.as_deref().unwrap_or("no reason given")
            ),
            json!({"type": "resource_failed", "stack": stack, "logical_id": logical_id, "status": status, "reason": reason}),
        ),
        DeployEvent::StackDone { stack, status } => (
            format!("{stack}: {status}"),
            json!({"type": "stack_done", "stack": stack, "status": status}),
        ),
        DeployEvent::AttachmentAccepted {
            stack,
            logical_id,
            attachment,
            owner,
        } => (
            format!("{stack}: transit gateway attachment {logical_id} ({attachment}) accepted by the gateway's owner {owner}"),
            json!({"type": "attachment_accepted", "stack": stack, "logical_id": logical_id, "attachment": attachment, "owner": owner}),
        ),
        DeployEvent::StackSetCreated { stack_set } => (
            format!("{stack_set}: StackSet created"),
            json!({"type": "stack_set_created", "stack_set": stack_set}),
        ),
        _ => return None,
    })
}

/// Progress lines, sent by the deployer's tasks as they happen.
type Line = (String, serde_json::Value);

/// A progress callback sending to a channel, and the receiver to write from.
fn progress_channel() -> (
    impl Fn(&DeployEvent) + Send + Sync + 'static,
    tokio::sync::mpsc::UnboundedReceiver<Line>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let tx = Mutex::new(tx);
    let callback = move |e: &DeployEvent| {
        if let Some(line) = describe_event(e) {
            let _ = tx.lock().unwrap_or_else(|p| p.into_inner()).send(line);
        }
    };
    (callback, rx)
}

/// Where progress goes: a bar of stacks finished on a terminal (lines printed above it),
/// else lines or JSON events on the output as they happen.
struct Sink {
    bar: Option<indicatif::ProgressBar>,
    json: bool,
}

impl Sink {
    /// `stacks` is how many stacks the run goes through.
    fn new(stacks: usize, json: bool, term: &Term) -> Sink {
        let bar = (term.stdout_tty && !json).then(|| {
            let bar = indicatif::ProgressBar::new(stacks as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{bar:30}] {pos}/{len} stacks {wide_msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        });
        Sink { bar, json }
    }

    fn write(&self, line: Line, out: &mut dyn Write) -> Result<(), CliError> {
        if self.json {
            event(out, &line.1)?;
        } else if let Some(bar) = &self.bar {
            bar.println(&line.0);
            if line.1["type"] == "stack_done" {
                bar.inc(1);
            }
            bar.set_message(line.0.lines().next().unwrap_or_default().to_owned());
            return Ok(());
        } else {
            w(out, line.0)?;
        }
        out.flush().map_err(CliError::Output)
    }
}

/// Run `work`, writing each progress line the moment it is reported (a user watching, or a
/// process reading the output, sees a stack finish as it finishes).
fn with_progress<T>(
    rt: &tokio::runtime::Runtime,
    mut lines: tokio::sync::mpsc::UnboundedReceiver<Line>,
    sink: Sink,
    out: &mut dyn Write,
    work: impl std::future::Future<Output = Result<T, CliError>>,
) -> Result<T, CliError> {
    let mut work = std::pin::pin!(work);
    let result = rt.block_on(async {
        loop {
            tokio::select! {
                r = &mut work => break r,
                Some(line) = lines.recv() => sink.write(line, out)?,
            }
        }
    });
    while let Ok(line) = lines.try_recv() {
        sink.write(line, out)?;
    }
    if let Some(bar) = &sink.bar {
        bar.finish_and_clear();
    }
    result
}

pub(crate) struct CfnDeploy<'a> {
    pub approval: &'a ApprovalArgs,
    pub json: bool,
    pub concurrency: usize,
}

pub(crate) fn deploy(
    assembly: &Assembly,
    target: &TargetArgs,
    options: &CfnDeploy<'_>,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let result = deploy_inner(assembly, target, options, out, term);
    streamed(options.json, out, result)
}

fn deploy_inner(
    assembly: &Assembly,
    target: &TargetArgs,
    options: &CfnDeploy<'_>,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let started = Instant::now();
    let rt = runtime()?;
    let (progress, lines) = progress_channel();
    let deployer = rt
        .block_on(deployer(target, assembly, options.concurrency))?
        .on_progress(progress);
    if options.approval.require_approval && !options.approval.yes {
        let plans = rt.block_on(deployer.plan(assembly))?;
        if !plans.iter().any(changed) {
            w(
                out,
                term.paint(
                    Style::Good,
                    format!("No changes: {} stack(s) up to date.", plans.len()),
                ),
            )?;
            return Ok(Exit::Success);
        }
        print_plan(&plans, out, term)?;
        approve(
            true,
            options.approval,
            "deploy",
            options.json,
            "Execute these change sets?",
            out,
            term,
        )?;
    }
    let sink = Sink::new(assembly.stacks().len(), options.json, term);
    let report = with_progress(&rt, lines, sink, out, async {
        Ok(deployer.deploy(assembly).await?)
    })?;
    let count = |o: StackOutcome| report.stacks.iter().filter(|s| s.outcome == o).count();
    let (created, updated, unchanged, sets) = (
        count(StackOutcome::Created),
        count(StackOutcome::Updated),
        count(StackOutcome::Unchanged),
        count(StackOutcome::StackSet),
    );
    let secs = started.elapsed().as_secs_f64();
    if options.json {
        event(
            out,
            &json!({"type": "summary", "stacks": report.stacks.len(), "created": created,
                "updated": updated, "unchanged": unchanged, "stack_sets": sets, "seconds": secs}),
        )?;
    } else {
        w(
            out,
            term.paint(
                Style::Good,
                format!(
                    "Deployed through CloudFormation: {} stack(s), {created} created, {updated} updated, {unchanged} unchanged, {sets} StackSet(s), in {secs:.1} s.",
                    report.stacks.len()
                ),
            ),
        )?;
    }
    Ok(Exit::Success)
}

pub(crate) fn destroy(
    assembly: &Assembly,
    target: &TargetArgs,
    approval: &ApprovalArgs,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let result = destroy_inner(assembly, target, approval, json, out, term);
    streamed(json, out, result)
}

fn destroy_inner(
    assembly: &Assembly,
    target: &TargetArgs,
    approval: &ApprovalArgs,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let rt = runtime()?;
    let (progress, lines) = progress_channel();
    let deployer = rt
        .block_on(deployer(target, assembly, 8))?
        .on_progress(progress);
    if !json {
        w(
            out,
            format!(
                "Deletes the CloudFormation stacks of this app that exist ({} in the app), readers first; CloudFormation keeps what the templates mark Retain.",
                assembly.stacks().len()
            ),
        )?;
    }
    approve(
        true,
        approval,
        "destroy",
        json,
        "Delete these stacks?",
        out,
        term,
    )?;
    let sink = Sink::new(assembly.stacks().len(), json, term);
    let report = with_progress(&rt, lines, sink, out, async {
        Ok(deployer.destroy(assembly).await?)
    })?;
    if json {
        event(
            out,
            &json!({"type": "summary", "deleted": report.deleted, "absent": report.absent,
                "kept_stack_sets": report.kept_stack_sets}),
        )?;
    } else {
        w(
            out,
            term.paint(
                Style::Good,
                format!(
                    "Destroyed: {} stack(s) deleted, {} did not exist.",
                    report.deleted.len(),
                    report.absent.len()
                ),
            ),
        )?;
        if !report.kept_stack_sets.is_empty() {
            w(
                out,
                format!(
                    "Kept (StackSets: delete their instances, then the StackSet): {}",
                    report.kept_stack_sets.join(", ")
                ),
            )?;
        }
    }
    Ok(Exit::Success)
}

pub(crate) fn drift(
    assembly: &Assembly,
    target: &TargetArgs,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let rt = runtime()?;
    let drifts = rt.block_on(async {
        let deployer = deployer(target, assembly, 8).await?;
        Ok::<_, CliError>(deployer.drift(assembly).await?)
    })?;
    let drifted = drifts.iter().filter(|d| d.status == "DRIFTED").count();
    if json {
        write_json(out, &drifts)?;
    } else if drifted == 0 {
        w(
            out,
            term.paint(
                Style::Good,
                format!(
                    "No drift: {} stack(s) checked by CloudFormation.",
                    drifts.len()
                ),
            ),
        )?;
    } else {
        for d in drifts.iter().filter(|d| d.status == "DRIFTED") {
            w(
                out,
                term.paint(
                    Style::Bold,
                    format!("{} [{}/{}]: DRIFTED", d.stack, d.account, d.region),
                ),
            )?;
            for r in &d.resources {
                w(
                    out,
                    format!("  {} ({}): {}", r.logical_id, r.resource_type, r.status),
                )?;
                for p in &r.differences {
                    w(
                        out,
                        format!(
                            "    {} {}: template {} , live {}",
                            p.difference,
                            p.path,
                            p.expected.as_deref().unwrap_or("-"),
                            p.actual.as_deref().unwrap_or("-")
                        ),
                    )?;
                }
            }
        }
        w(
            out,
            format!("{drifted} stack(s) drifted. CloudFormation changes only what a template change asks for: set the drifted properties back, or change the app to match and deploy."),
        )?;
    }
    Ok(if drifted == 0 {
        Exit::Success
    } else {
        Exit::Changes
    })
}
