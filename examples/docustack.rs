//! The DocuStack reference layout as a deployer binary: its constructs plus one call.
//!
//! ```text
//! cargo run --example docustack -- deploy              # plan, apply to the in-memory cloud, summary
//! cargo run --example docustack -- synth --out DIR     # CloudFormation templates + manifest.json
//! cargo run --example docustack -- cost                # fixed monthly cost per account
//! cargo run --example docustack -- --sandboxes 20 synth --out DIR   # 20 developer sandboxes
//! cargo run --example docustack -- --sandboxes 20 --baseline-stack-set diff --engine cloudformation
//!     # their baseline as one service-managed StackSet on the Sandbox OU (CloudFormation engine)
//! ```

use std::process::ExitCode;

use landform::constructs::layouts::{
    docustack, docustack_in, DocuStackOptions, OrganizationTarget,
};
use landform::core::stack_set::{StackSetPreferences, Tolerance};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    let mut options = DocuStackOptions::default();
    // `--sandboxes N` and `--baseline-stack-set` shape the app itself, so they are taken
    // before the command line sees the rest.
    if let Some(at) = args.iter().position(|a| a == "--sandboxes") {
        match args.get(at + 1).map(|n| n.parse::<usize>()) {
            Some(Ok(n)) => options.developer_sandboxes = n,
            _ => {
                eprintln!("error: --sandboxes takes a number of developer sandbox accounts");
                return ExitCode::FAILURE;
            }
        }
        args.drain(at..at + 2);
    }
    // The sandboxes' baseline as one StackSet, a quarter of them at a time, stopping when a
    // tenth fail.
    if let Some(at) = args.iter().position(|a| a == "--baseline-stack-set") {
        options.sandbox_baseline_stack_set = Some(StackSetPreferences {
            max_concurrent: Tolerance::Percentage(25),
            failure_tolerance: Tolerance::Percentage(10),
            ..Default::default()
        });
        args.remove(at);
    }
    // LANDFORM_MANAGEMENT_ACCOUNT and LANDFORM_ROOT_ID point it at a real organization.
    let app = match OrganizationTarget::from_env() {
        Some(target) => docustack_in(&options, &target),
        None => docustack(&options),
    };
    landform::cli::run_from(args, app)
}
