//! The command line's arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A Landform deployer: synthesise, check, picture, price and deploy this landing zone.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// More logs on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The verb.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write every CloudFormation template and manifest.json into a directory.
    Synth {
        /// The directory (created if missing).
        #[arg(long, short, default_value = "landform.out")]
        out: PathBuf,
    },
    /// List stacks in deployment order with their account, region and dependencies.
    List {
        /// JSON on stdout instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run the security lint pack; exits 1 on any unsuppressed error finding.
    Lint {
        /// JSON on stdout instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Draw stacks and resources grouped by account, with dependency edges.
    Graph {
        /// The text format.
        #[arg(long, value_enum, default_value_t = GraphFormatArg::Mermaid)]
        format: GraphFormatArg,
    },
    /// Estimate the fixed monthly cost per account and in total.
    Cost {
        /// JSON on stdout instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the least-privilege IAM policies deploying this app with `--provider aws` needs
    /// (JSON: one for the caller in the management account, one for the role assumed in member
    /// accounts). Needs a deployer built with the `aws` feature.
    Permissions {
        /// The state bucket the deploy will use (grants its state and lock objects).
        #[arg(long)]
        state_bucket: Option<String>,
        /// The lock table the deploy will use, if any.
        #[arg(long, requires = "state_bucket")]
        lock_table: Option<String>,
        /// The state object's key.
        #[arg(long, default_value = "landform/state.json")]
        state_key: String,
        /// The role assumed in member accounts.
        #[arg(long, default_value = "OrganizationAccountAccessRole")]
        assume_role_name: String,
    },
    /// Show what deploy would change; exits 0 with no changes, 2 with changes, 1 on error.
    Diff {
        #[allow(missing_docs)]
        #[command(flatten)]
        target: TargetArgs,
        #[allow(missing_docs)]
        #[command(flatten)]
        refresh: RefreshArgs,
        /// JSON on stdout instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Create, update and delete resources so the cloud matches the app (repairing drift).
    Deploy {
        #[allow(missing_docs)]
        #[command(flatten)]
        target: TargetArgs,
        #[allow(missing_docs)]
        #[command(flatten)]
        refresh: RefreshArgs,
        #[allow(missing_docs)]
        #[command(flatten)]
        approval: ApprovalArgs,
        /// Stream one JSON event per line on stdout (the plan's changes, each call, the
        /// summary) instead of text. Approval then needs --yes.
        #[arg(long)]
        json: bool,
        /// How many resource operations may run at once.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
        /// Deploy even when the lint pack reports errors.
        #[arg(long)]
        ignore_lint: bool,
        /// Replace adopted resources (found by `adopt`, not created by this app) whose
        /// create-only properties differ from the app's: deletes the live one. Without it,
        /// such a plan is refused before any change.
        #[arg(long)]
        replace_adopted: bool,
    },
    /// Find the app's resources where they already exist (an organization made by hand, by
    /// Control Tower, or a lost state) by their natural keys, and record them in state with
    /// no write call. Prints what was adopted, what the next deploy updates or would have to
    /// replace, what it creates, and what belongs to Control Tower, StackSets or AWS; exits 1
    /// when the app would take something those own.
    Adopt {
        #[allow(missing_docs)]
        #[command(flatten)]
        target: TargetArgs,
        /// Report only: record nothing, take no lock.
        #[arg(long)]
        dry_run: bool,
        /// Print a Landform program (Rust, with the typed builders) that declares the live
        /// organization's OUs, accounts and service control policies as they are; record
        /// nothing. Running it with `adopt`, then `diff`, shows no change.
        #[arg(long, conflicts_with_all = ["dry_run", "json"])]
        print_rust: bool,
        /// JSON on stdout instead of text.
        #[arg(long)]
        json: bool,
        /// How many look-ups may run at once.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Delete every resource this app deployed (recorded in state), keeping `Retain` ones.
    /// Asks for confirmation unless --yes (and refuses without a terminal).
    Destroy {
        #[allow(missing_docs)]
        #[command(flatten)]
        target: TargetArgs,
        #[allow(missing_docs)]
        #[command(flatten)]
        approval: ApprovalArgs,
        /// Stream one JSON event per line on stdout instead of text (needs --yes).
        #[arg(long)]
        json: bool,
    },
    /// Compare recorded state with the cloud; exits 0 without drift, 2 with drift, 1 on error.
    Drift {
        #[allow(missing_docs)]
        #[command(flatten)]
        target: TargetArgs,
        /// JSON on stdout instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Where deploy-time verbs act.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// What applies the app: `direct` (Landform calls each service's API and keeps state) or
    /// `cloudformation` (one CloudFormation stack per synthesised stack in its own account,
    /// through change sets; needs `--provider aws`). `diff`, `deploy`, `destroy` and `drift`
    /// take either.
    #[arg(long, value_enum, default_value_t = EngineArg::Direct)]
    pub engine: EngineArg,
    /// With `--engine cloudformation`: milliseconds between two polls of a change set, a
    /// stack or a drift detection.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub poll_ms: u64,
    /// With `--engine cloudformation`: the S3 bucket (in the caller's account) that
    /// templates over TemplateBody's 51,200 bytes are uploaded to and read from by URL.
    #[arg(long)]
    pub template_bucket: Option<String>,
    /// The provider: `memory` (an in-memory AWS persisted in --state-dir) or `aws`.
    #[arg(long, value_enum, default_value_t = ProviderArg::Memory)]
    pub provider: ProviderArg,
    /// An AWS-compatible endpoint (moto, LocalStack) for the aws provider; else
    /// `AWS_ENDPOINT_URL`, else AWS.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// The aws provider's default region (each stack names its own); else `AWS_REGION`,
    /// else us-east-1.
    #[arg(long)]
    pub region: Option<String>,
    /// The role the aws provider assumes in each member account.
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    pub assume_role_name: String,
    /// Keep the aws provider's state in this S3 bucket of the caller's account (a
    /// StateBackend), instead of --state-dir. Deployers are serialised by a lock object
    /// beside the state (its key plus `.lock`, taken with an S3 conditional write), or by
    /// --lock-table.
    #[arg(long)]
    pub state_bucket: Option<String>,
    /// The DynamoDB table (key `LockID`) that serialises deployers instead of the lock
    /// object; needs --state-bucket.
    #[arg(long, requires = "state_bucket")]
    pub lock_table: Option<String>,
    /// The state object's key in --state-bucket.
    #[arg(long, default_value = "landform/state.json")]
    pub state_key: String,
    /// Directory holding state, lock and the memory provider's cloud; else
    /// `LANDFORM_STATE_DIR` (scripts/rehearse.sh sets it), else `.landform`.
    #[arg(long, env = "LANDFORM_STATE_DIR", default_value = ".landform")]
    pub state_dir: PathBuf,
    /// Handlers the deployer registered ([`crate::Deployer::provider`]); not an argument.
    #[arg(skip)]
    pub providers: Providers,
}

/// Resource handlers a deployer binary registers for types of its own, by type name: they
/// take those types over from the backend's own handlers, with every backend.
#[derive(Clone, Default)]
pub struct Providers(pub Vec<(String, std::sync::Arc<dyn landform_deploy::Provider>)>);

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(t, _)| t))
            .finish()
    }
}

impl Providers {
    /// Route each registered type to its handler in `registry`.
    pub fn add_to(&self, registry: &mut landform_deploy::ProviderRegistry) {
        for (type_name, provider) in &self.0 {
            registry.register(type_name.clone(), provider.clone());
        }
    }
}

impl Command {
    /// The target of a verb that reaches a cloud.
    pub fn target(&self) -> Option<&TargetArgs> {
        match self {
            Command::Diff { target, .. }
            | Command::Deploy { target, .. }
            | Command::Adopt { target, .. }
            | Command::Destroy { target, .. }
            | Command::Drift { target, .. } => Some(target),
            _ => None,
        }
    }

    /// The target of a verb that reaches a cloud, to change.
    pub fn target_mut(&mut self) -> Option<&mut TargetArgs> {
        match self {
            Command::Diff { target, .. }
            | Command::Deploy { target, .. }
            | Command::Adopt { target, .. }
            | Command::Destroy { target, .. }
            | Command::Drift { target, .. } => Some(target),
            _ => None,
        }
    }
}

/// Whether diff and deploy read the cloud back first.
#[derive(Debug, Clone, Args)]
pub struct RefreshArgs {
    /// Read every recorded resource back before planning, so a property changed or a
    /// resource deleted outside Landform is planned as an update or a create.
    /// `--refresh=false` compares with recorded state only (no read calls).
    #[arg(
        long,
        default_value_t = true,
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub refresh: bool,
}

/// Approval of changes.
#[derive(Debug, Clone, Args)]
pub struct ApprovalArgs {
    /// Show the plan and ask y/N before changing anything (needs a terminal, or --yes).
    /// `destroy` always asks.
    #[arg(long)]
    pub require_approval: bool,
    /// Answer yes to the approval question.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `--provider` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// The in-memory AWS from landform-deploy, persisted in --state-dir.
    Memory,
    /// AWS through the SDK (deployers built with the `aws` feature).
    Aws,
}

/// `--engine` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    /// Landform's own engine: calls each service's API, keeps state, reads back for drift.
    Direct,
    /// CloudFormation: a stack per synthesised stack, through change sets.
    Cloudformation,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormatArg {
    /// Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}
