//! Verb dispatch.

mod deploy;
mod inspect;
mod progress;

use std::io::Write;

use landform_core::App;
use serde::Serialize;

use crate::args::{Cli, Command, GraphFormatArg};
use crate::error::CliError;
use crate::graph::GraphFormat;
use crate::term::Term;

/// How a verb ended, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exit {
    /// 0: done; no changes (`diff`), no drift (`drift`), no lint errors (`lint`).
    Success,
    /// 1: an error, or lint errors.
    Error,
    /// 2: `diff` found changes, or `drift` found drift.
    Changes,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Error => 1,
            Exit::Changes => 2,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

pub(crate) fn write_json(out: &mut dyn Write, value: &impl Serialize) -> Result<(), CliError> {
    serde_json::to_writer_pretty(&mut *out, value)
        .map_err(|e| CliError::Output(std::io::Error::other(e)))?;
    writeln!(out).map_err(CliError::Output)
}

/// Run a parsed command line.
pub(crate) fn dispatch(
    cli: Cli,
    app: &App,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let assembly = app.synth()?;
    tracing::info!(stacks = assembly.stacks().len(), "synthesised");
    match cli.command {
        Command::Synth { out: dir } => inspect::synth(&assembly, &dir, out, term),
        Command::List { json } => inspect::list(&assembly, json, out, term),
        Command::Lint { json } => {
            let report = inspect::lint_report(app, &assembly);
            inspect::lint(&report, json, out, term)
        }
        Command::Graph { format } => {
            let format = match format {
                GraphFormatArg::Mermaid => GraphFormat::Mermaid,
                GraphFormatArg::Dot => GraphFormat::Dot,
            };
            inspect::graph(&assembly, format, out)
        }
        Command::Cost { json } => inspect::cost(&assembly, json, out, term),
        Command::Diff { target, json } => deploy::diff(&assembly, &target, json, out, term),
        Command::Deploy {
            target,
            approval,
            concurrency,
            ignore_lint,
        } => {
            if !ignore_lint {
                let report = inspect::lint_report(app, &assembly);
                if report.has_errors() {
                    inspect::print_lint(&report, out, term)?;
                    return Err(CliError::LintFailed {
                        errors: report.count(crate::lint::Severity::Error),
                    });
                }
            }
            deploy::deploy(&assembly, &target, &approval, concurrency.into(), out, term)
        }
        Command::Destroy { target, approval } => deploy::destroy(&target, &approval, out, term),
        Command::Drift { target, json } => deploy::drift(&target, json, out, term),
    }
}
