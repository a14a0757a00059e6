//! The ready command line a Landform deployer binary embeds, plus the security lint pack,
//! graph pictures and the fixed-cost estimate it runs.
//!
//! A deployer binary is its constructs plus one call:
//!
//! ```no_run
//! use landform_core::{App, Environment, Resource};
//!
//! fn main() -> std::process::ExitCode {
//!     let mut app = App::new();
//!     let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
//!     let stack = app.add_stack(stage, "Keys");
//!     app.scope(stack).add_resource("Key", Resource::new("AWS::KMS::Key").property("EnableKeyRotation", true));
//!     landform_cli::run(app)
//! }
//! ```
//!
//! Verbs: `synth --out DIR`, `list`, `lint [--json]`, `graph [--format mermaid|dot]`,
//! `cost [--json]`, `diff [--json]`, `deploy`, `destroy`, `drift [--json]`. Exit codes: 0
//! done (no changes, no drift, no lint errors), 1 error (including unsuppressed lint errors
//! and usage errors), 2 changes (`diff`) or drift (`drift`).
#![warn(missing_docs)]

pub mod args;
mod commands;
pub mod cost;
pub mod error;
pub mod graph;
pub mod lint;
pub mod model;
mod print_rust;
mod term;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};

use clap::Parser;
use landform_core::App;

pub use args::Cli;
pub use commands::Exit;
pub use error::CliError;

/// Run the command line on the process arguments and return the exit code.
pub fn run(app: App) -> std::process::ExitCode {
    run_from(std::env::args_os(), app)
}

/// The command line with handlers of the deployer's own: for a resource type no backend
/// handles, or to handle one differently. A registered handler takes its type over from
/// the backend's with `--provider memory` and `--provider aws` alike, behind the engine's
/// rate-limit and retry layers.
///
/// ```
/// use std::sync::Arc;
/// use landform_core::{App, Environment, Resource};
/// use landform_deploy::{InMemoryCloud, Provider};
///
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "Alerts");
/// app.scope(stack).add_resource("Topic", Resource::new("AWS::SNS::Topic"));
/// // Any `Provider`: here an in-memory cloud of its own stands in for a real handler.
/// let topics: Arc<dyn Provider> = Arc::new(InMemoryCloud::new());
/// let exit = landform_cli::Deployer::new(app)
///     .provider("AWS::SNS::Topic", topics)
///     .execute(["deployer", "list"]);
/// assert_eq!(exit, landform_cli::Exit::Success);
/// ```
pub struct Deployer {
    app: App,
    providers: args::Providers,
}

impl Deployer {
    /// The command line for `app`, with the backends' own handlers.
    pub fn new(app: App) -> Self {
        Deployer {
            app,
            providers: args::Providers::default(),
        }
    }

    /// Handle `type_name` with `provider` (the last registration of a type wins).
    pub fn provider(
        mut self,
        type_name: impl Into<String>,
        provider: std::sync::Arc<dyn landform_deploy::Provider>,
    ) -> Self {
        self.providers.0.push((type_name.into(), provider));
        self
    }

    /// Run on the process arguments and return the exit code.
    pub fn run(self) -> std::process::ExitCode {
        self.execute(std::env::args_os()).into()
    }

    /// Run on `args` (the first is the program name), returning the [`Exit`].
    pub fn execute<I, T>(self, args: I) -> Exit
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        execute_with(args, &self.app, &self.providers)
    }
}

/// Run the command line on `args` (the first is the program name).
///
/// ```
/// let app = landform_core::App::new();
/// // An app without stacks synthesises to nothing: `list` prints nothing and succeeds.
/// assert_eq!(landform_cli::execute(["deployer", "list"], app), landform_cli::Exit::Success);
/// ```
pub fn run_from<I, T>(args: I, app: App) -> std::process::ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    execute(args, app).into()
}

/// [`run_from`], returning the [`Exit`] instead of a process exit code.
pub fn execute<I, T>(args: I, app: App) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    execute_with(args, &app, &args::Providers::default())
}

fn execute_with<I, T>(args: I, app: &App, providers: &args::Providers) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; usage errors exit 1 (2 means "changes").
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Success
            };
        }
    };
    if let Some(target) = cli.command.target_mut() {
        target.providers = providers.clone();
    }
    init_tracing(cli.verbose);
    let term = term::Term::detect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = commands::dispatch(cli, app, &mut out, &term);
    let _ = out.flush();
    match result {
        Ok(exit) => exit,
        Err(error) => {
            let err_term = std::io::stderr().is_terminal();
            let label = if err_term && term.color {
                "\x1b[1;31merror\x1b[0m"
            } else {
                "error"
            };
            let _ = writeln!(std::io::stderr(), "{label}: {error}");
            Exit::Error
        }
    }
}

fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_max_level(level)
        .try_init();
}
