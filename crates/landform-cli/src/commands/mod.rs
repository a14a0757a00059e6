//! Verb dispatch.

#[cfg(feature = "aws")]
mod aws;
#[cfg(feature = "aws")]
mod cfn;
mod deploy;
mod inspect;
mod progress;

use std::io::Write;

use landform_core::App;
use serde::Serialize;

use crate::args::{Cli, Command, EngineArg, GraphFormatArg, ProviderArg};
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
    // `synth` writes templates to disk as they are rendered (a large app is never held
    // whole); every other verb reads the assembly.
    let command = match cli.command {
        Command::Synth { out: dir } => return inspect::synth(app, &dir, out, term),
        command => command,
    };
    let mut assembly = app.synth()?;
    tracing::info!(stacks = assembly.stacks().len(), "synthesised");
    if let Some(target) = command.target() {
        if target.engine == EngineArg::Cloudformation {
            return cloudformation(app, command, &mut assembly, out, term);
        }
    }
    match command {
        Command::Synth { out: dir } => inspect::synth(app, &dir, out, term),
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
        Command::Permissions {
            state_bucket,
            lock_table,
            state_key,
            assume_role_name,
        } => permissions(
            &assembly,
            state_bucket.map(|b| (b, lock_table, state_key)),
            &assume_role_name,
            out,
        ),
        Command::Diff {
            target,
            refresh,
            json,
        } => deploy::diff(&assembly, &target, refresh.refresh, json, out, term),
        Command::Deploy {
            target,
            refresh,
            approval,
            json,
            concurrency,
            ignore_lint,
            replace_adopted,
        } => {
            if !ignore_lint {
                lint_gate(app, &mut assembly, json, out, term)?;
            }
            let options = deploy::DeployOptions {
                refresh: refresh.refresh,
                json,
                concurrency: concurrency.into(),
                replace_adopted,
            };
            deploy::deploy(&assembly, &target, &approval, &options, out, term)
        }
        Command::Destroy {
            target,
            approval,
            json,
        } => deploy::destroy(&target, &approval, json, out, term),
        Command::Drift { target, json } => deploy::drift(&target, json, out, term),
        Command::Adopt {
            target,
            print_rust: true,
            ..
        } => deploy::print_rust(&assembly, &target, out),
        Command::Adopt {
            target,
            dry_run,
            json,
            concurrency,
            ..
        } => deploy::adopt(
            &assembly,
            &target,
            dry_run,
            json,
            concurrency.into(),
            out,
            term,
        ),
    }
}

/// The lint findings that stop a deploy (both engines): printed, then an error.
fn lint_gate(
    app: &App,
    assembly: &mut landform_core::Assembly,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<(), CliError> {
    let report = inspect::lint_report(app, assembly);
    if report.has_errors() {
        if json {
            deploy::event(
                out,
                &serde_json::json!({"type": "lint", "findings": report.findings}),
            )?;
        } else {
            inspect::print_lint(&report, out, term)?;
        }
        return Err(CliError::LintFailed {
            errors: report.count(crate::lint::Severity::Error),
        });
    }
    // The lint walked every template; the deploy reads them afresh.
    assembly.release_parsed();
    Ok(())
}

/// The verbs with `--engine cloudformation`.
fn cloudformation(
    app: &App,
    command: Command,
    assembly: &mut landform_core::Assembly,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let unavailable = |what: &str, hint: &'static str| CliError::EngineUnavailable {
        what: what.to_owned(),
        engine: "cloudformation",
        hint,
    };
    if command
        .target()
        .is_some_and(|t| t.provider != ProviderArg::Aws)
    {
        return Err(unavailable(
            "--provider memory",
            "CloudFormation is an AWS service: add --provider aws (with --endpoint-url for moto or LocalStack), or use --engine direct for the in-memory cloud",
        ));
    }
    #[cfg(not(feature = "aws"))]
    {
        let _ = (app, assembly, out, term, command);
        Err(CliError::ProviderUnavailable {
            provider: "aws".to_owned(),
            hint: "the CloudFormation engine drives AWS CloudFormation through the AWS SDK: build the deployer with the `aws` cargo feature (`cargo run --features aws ...`)",
        })
    }
    #[cfg(feature = "aws")]
    match command {
        Command::Diff { target, json, .. } => cfn::diff(assembly, &target, json, out, term),
        Command::Deploy {
            target,
            approval,
            json,
            concurrency,
            ignore_lint,
            replace_adopted,
            ..
        } => {
            if replace_adopted {
                return Err(unavailable(
                    "--replace-adopted",
                    "CloudFormation replaces what a change set says it must; adoption is the direct engine's",
                ));
            }
            if !ignore_lint {
                lint_gate(app, assembly, json, out, term)?;
            }
            let options = cfn::CfnDeploy {
                approval: &approval,
                json,
                concurrency: concurrency.into(),
            };
            cfn::deploy(assembly, &target, &options, out, term)
        }
        Command::Destroy {
            target,
            approval,
            json,
        } => cfn::destroy(assembly, &target, &approval, json, out, term),
        Command::Drift { target, json } => cfn::drift(assembly, &target, json, out, term),
        _ => Err(unavailable(
            "adopt",
            "CloudFormation adopts existing resources with resource import (a change set of type IMPORT), which Landform does not drive yet: use --engine direct",
        )),
    }
}

#[cfg(feature = "aws")]
fn permissions(
    assembly: &landform_core::Assembly,
    state: Option<(String, Option<String>, String)>,
    assume_role_name: &str,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    use landform_aws::policy::{deployer_policies, StateLocation};
    // The management account: where the Organizations resources deploy (the first stack).
    let management = assembly
        .stacks()
        .iter()
        .find_map(|s| match &s.environment.account {
            landform_core::synth::AccountSpec::Literal(a) => Some(a.clone()),
            landform_core::synth::AccountSpec::FromOutput(_) => None,
        })
        .unwrap_or_default();
    let state = state.map(|(bucket, lock_table, key)| StateLocation {
        bucket,
        key,
        lock_table,
    });
    let p = deployer_policies(assembly, &management, assume_role_name, state.as_ref());
    if !p.unsupported.is_empty() {
        return Err(CliError::AwsSetup {
            what: "the permissions policy".into(),
            reason: format!(
                "the AWS provider has no handler for {}",
                p.unsupported.join(", ")
            ),
        });
    }
    write_json(
        out,
        &serde_json::json!({
            "managementAccount": management,
            "caller": p.caller,
            "memberRole": p.member_role,
        }),
    )?;
    Ok(Exit::Success)
}

#[cfg(not(feature = "aws"))]
fn permissions(
    _assembly: &landform_core::Assembly,
    _state: Option<(String, Option<String>, String)>,
    _assume_role_name: &str,
    _out: &mut dyn Write,
) -> Result<Exit, CliError> {
    Err(CliError::ProviderUnavailable {
        provider: "aws".to_owned(),
        hint: "the permissions come from the AWS provider's handlers: build the deployer with the `aws` cargo feature (`cargo run --features aws ...`)",
    })
}
