//! Per-resource progress while deploying: an indicatif bar on a terminal, plain lines on
//! stdout as calls finish otherwise.
//!
//! The in-memory cloud reports each finished call with its operation and type (not its logical
//! id), so a call is matched to the next pending planned change of the same type and action.
//! Resources of one type finishing out of order may therefore be named in a different order
//! than they completed; the set of lines is right.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressStyle};
use landform_deploy::cloud::CallRecord;
use landform_deploy::{Action, Plan};

use crate::term::{Style, Term};

struct Pending {
    operation: &'static str,
    type_name: String,
    label: String,
}

struct Inner {
    pending: VecDeque<Pending>,
    bar: Option<ProgressBar>,
    term: Term,
}

/// Shared progress state the cloud's observer writes into.
#[derive(Clone)]
pub(crate) struct Progress {
    inner: Arc<Mutex<Inner>>,
}

fn operations(action: Action) -> &'static [&'static str] {
    match action {
        Action::Create => &["create"],
        Action::Update => &["update"],
        Action::Replace => &["delete", "create"],
        Action::Delete => &["delete"],
        _ => &[],
    }
}

fn past(operation: &str) -> &'static str {
    match operation {
        "create" => "created",
        "update" => "updated",
        "delete" => "deleted",
        _ => "done",
    }
}

impl Progress {
    /// Progress over the write calls a plan implies (`destroy` passes its own list).
    pub fn new(expected: Vec<(&'static str, String, String)>, term: Term) -> Self {
        let bar = term.stdout_tty.then(|| {
            let bar = ProgressBar::new(expected.len() as u64);
            let style = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        let pending = expected
            .into_iter()
            .map(|(operation, type_name, label)| Pending {
                operation,
                type_name,
                label,
            })
            .collect();
        Progress {
            inner: Arc::new(Mutex::new(Inner { pending, bar, term })),
        }
    }

    /// The write calls a plan implies: (operation, type, `stack/logicalId`).
    pub fn expected_from(plan: &Plan) -> Vec<(&'static str, String, String)> {
        plan.changes
            .iter()
            .flat_map(|c| {
                operations(c.action).iter().map(move |op| {
                    (
                        *op,
                        c.type_name.clone(),
                        format!("{}/{}", c.stack, c.logical_id),
                    )
                })
            })
            .collect()
    }

    /// Record one finished cloud call.
    pub fn observe(&self, call: &CallRecord) {
        if !matches!(call.operation, "create" | "update" | "delete") {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let found = inner
            .pending
            .iter()
            .position(|p| p.operation == call.operation && p.type_name == call.type_name);
        let label = match (call.ok, found) {
            (true, Some(i)) => inner.pending.remove(i).map(|p| p.label).unwrap_or_default(),
            (false, Some(i)) => inner.pending[i].label.clone(),
            (_, None) => String::from("(unplanned)"),
        };
        let term = inner.term;
        let line = if call.ok {
            format!(
                "  {} {} {label} ({})",
                term.paint(Style::Good, "ok"),
                past(call.operation),
                call.type_name
            )
        } else {
            format!(
                "  {} {} {label} ({}) failed, the engine may retry",
                term.paint(Style::Error, "!!"),
                call.operation,
                call.type_name
            )
        };
        match &inner.bar {
            Some(bar) => {
                bar.println(&line);
                if call.ok {
                    bar.inc(1);
                }
                bar.set_message(format!("{} {}", call.operation, call.type_name));
            }
            None => {
                // Streamed so CI logs show progress; a closed stdout only loses the line.
                let _ = writeln!(std::io::stdout().lock(), "{line}");
            }
        }
    }

    /// Stop the bar.
    pub fn finish(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bar) = inner.bar.take() {
            bar.finish_and_clear();
        }
    }
}
