//! The command line's error type.

use std::path::PathBuf;

use landform_core::CoreError;

/// What went wrong while running a verb. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The app does not synthesise (every issue is listed).
    #[error("the app does not synthesise:\n{0}")]
    Synth(#[from] CoreError),
    /// A file or directory could not be read or written.
    #[error("cannot use {path}: {source} (check the path exists and is writable)")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Writing to the terminal or a pipe failed.
    #[error("cannot write output: {0}")]
    Output(#[source] std::io::Error),
    /// The requested provider is not compiled into this binary.
    #[error("provider `{provider}` is not available in this build: {hint}")]
    ProviderUnavailable {
        /// The provider asked for.
        provider: String,
        /// What to do instead.
        hint: &'static str,
    },
    /// The AWS provider could not be set up (credentials, state bucket, lock table).
    #[error("cannot set up the AWS provider: {what}: {reason}")]
    AwsSetup {
        /// What was being set up.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// Approval was required but nobody can answer: stdin is not a terminal, or the output
    /// is a JSON stream.
    #[error("{verb} asks for confirmation, but {why}: review what it will do (`diff`, or the list above), then re-run with --yes to approve")]
    ApprovalUnavailable {
        /// The verb that asked (`deploy --require-approval`, `destroy`).
        verb: &'static str,
        /// Why nobody can answer.
        why: &'static str,
    },
    /// The operator answered no.
    #[error("not approved: nothing was changed")]
    NotApproved,
    /// The lint pack found unsuppressed errors and the verb refuses to go on.
    #[error(
        "{errors} lint error(s): fix them, suppress them with a reason, or pass --ignore-lint"
    )]
    LintFailed {
        /// How many error-severity findings.
        errors: usize,
    },
    /// After an apply, a new plan still shows changes: the cloud did not converge to the app.
    #[error("the apply finished but a new plan still shows {changes} change(s): the deployed resources do not match the app (run `diff` to see them; a provider may not apply a property it accepts)")]
    NotConverged {
        /// Changes left in the verification plan.
        changes: usize,
    },
    /// `adopt` found live resources the app would take that Control Tower, StackSets or AWS
    /// own (listed above the error).
    #[error("{count} resource(s) of the app would take what Control Tower, StackSets or AWS own (listed above): rename them, or remove them from the app and leave those resources to their owner")]
    OwnedElsewhere {
        /// How many.
        count: usize,
    },
    /// The deploy engine failed (state, lock, provider or resolution).
    #[error(transparent)]
    Deploy(Box<landform_deploy::DeployError>),
    /// A verb or option does not go with `--engine`.
    #[error("{what} is not available with --engine {engine}: {hint}")]
    EngineUnavailable {
        /// What was asked for (`adopt`, `--provider memory`).
        what: String,
        /// The engine.
        engine: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// The CloudFormation engine failed (a change set, a stack operation, a wait), with the
    /// stack and CloudFormation's reason.
    #[cfg(feature = "aws")]
    #[error(transparent)]
    CloudFormation(Box<landform_aws::cloudformation::CloudFormationError>),
}

#[cfg(feature = "aws")]
impl From<landform_aws::cloudformation::CloudFormationError> for CliError {
    fn from(error: landform_aws::cloudformation::CloudFormationError) -> Self {
        CliError::CloudFormation(Box::new(error))
    }
}

impl From<landform_deploy::DeployError> for CliError {
    fn from(error: landform_deploy::DeployError) -> Self {
        CliError::Deploy(Box::new(error))
    }
}
