//! Per-resource progress while deploying or destroying: an indicatif bar on a terminal, plain
//! lines on stdout as calls finish otherwise, or one JSON event per call with `--json`.
//!
//! The provider reports each finished call with its operation and type (not its logical id),
//! so a call is matched to the next pending planned change of the same type and action.
//! Resources of one type finishing out of order may therefore be named in a different order
//! than they completed; the set of lines is right.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressStyle};
use landform_deploy::cloud::CallRecord;
use landform_deploy::{Action, ErrorCode, Plan};
use serde_json::json;

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
    json: bool,
}

/// Shared progress state the provider's observer writes into.
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

/// What a finished write call means for the person watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It did what was asked.
    Done,
    /// A delete of something already gone: the engine takes it as deleted.
    AlreadyGone,
    /// Throttled or conflicting with another change: the engine retries it.
    Retrying,
    /// It failed; the engine reports the error and stops.
    Failed,
}

impl Outcome {
    pub(crate) fn of(call: &CallRecord) -> Outcome {
        match (call.ok, call.error) {
            (true, _) => Outcome::Done,
            (false, Some(ErrorCode::NotFound)) if call.operation == "delete" => {
                Outcome::AlreadyGone
            }
            (false, Some(code)) if code.is_retryable() => Outcome::Retrying,
            (false, _) => Outcome::Failed,
        }
    }
    fn settles(self) -> bool {
        matches!(self, Outcome::Done | Outcome::AlreadyGone)
    }
    fn name(self) -> &'static str {
        match self {
            Outcome::Done => "ok",
            Outcome::AlreadyGone => "already_gone",
            Outcome::Retrying => "retrying",
            Outcome::Failed => "failed",
        }
    }
}

impl Progress {
    /// Progress over the write calls expected (see [`Progress::expected_from`]); `json`
    /// writes events instead of lines or a bar.
    pub fn new(expected: Vec<(&'static str, String, String)>, term: Term, json: bool) -> Self {
        let bar = (term.stdout_tty && !json).then(|| {
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
            inner: Arc::new(Mutex::new(Inner {
                pending,
                bar,
                term,
                json,
            })),
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

    /// Record one finished provider call.
    pub fn observe(&self, call: &CallRecord) {
        if !matches!(call.operation, "create" | "update" | "delete") {
            return;
        }
        let outcome = Outcome::of(call);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let found = inner
            .pending
            .iter()
            .position(|p| p.operation == call.operation && p.type_name == call.type_name);
        let label = match (outcome.settles(), found) {
            (true, Some(i)) => inner.pending.remove(i).map(|p| p.label).unwrap_or_default(),
            (false, Some(i)) => inner.pending[i].label.clone(),
            (_, None) => String::from("(unplanned)"),
        };
        let term = inner.term;
        let code = call.error.map(|c| c.to_string()).unwrap_or_default();
        let line = if inner.json {
            json!({
                "type": "call",
                "operation": call.operation,
                "resource": label,
                "resourceType": call.type_name,
                "outcome": outcome.name(),
                "error": call.error,
            })
            .to_string()
        } else {
            let what = format!("{label} ({})", call.type_name);
            match outcome {
                Outcome::Done => format!(
                    "  {} {} {what}",
                    term.paint(Style::Good, "ok"),
                    past(call.operation)
                ),
                Outcome::AlreadyGone => format!(
                    "  {} {} {what} (already gone)",
                    term.paint(Style::Good, "ok"),
                    past(call.operation)
                ),
                Outcome::Retrying => format!(
                    "  {} {} {what}: {code}, retrying",
                    term.paint(Style::Warning, "~~"),
                    call.operation
                ),
                Outcome::Failed => format!(
                    "  {} {} {what} failed: {code}",
                    term.paint(Style::Error, "!!"),
                    call.operation
                ),
            }
        };
        match &inner.bar {
            Some(bar) => {
                bar.println(&line);
                if outcome.settles() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn call(operation: &'static str, ok: bool, error: Option<ErrorCode>) -> CallRecord {
        CallRecord {
            number: 1,
            operation,
            type_name: "AWS::S3::Bucket".into(),
            ok,
            error,
        }
    }

    #[test]
    fn a_delete_of_something_gone_is_done_and_throttling_is_a_retry() {
        assert_eq!(Outcome::of(&call("create", true, None)), Outcome::Done);
        assert_eq!(
            Outcome::of(&call("delete", false, Some(ErrorCode::NotFound))),
            Outcome::AlreadyGone
        );
        assert_eq!(
            Outcome::of(&call("update", false, Some(ErrorCode::NotFound))),
            Outcome::Failed
        );
        assert_eq!(
            Outcome::of(&call("create", false, Some(ErrorCode::Throttling))),
            Outcome::Retrying
        );
        assert_eq!(
            Outcome::of(&call("create", false, Some(ErrorCode::AccessDenied))),
            Outcome::Failed
        );
    }
}
