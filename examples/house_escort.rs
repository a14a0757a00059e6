//! The House Escort reference layout as a deployer binary: its constructs plus one call.
//!
//! ```text
//! cargo run --example house_escort -- deploy             # plan, apply to the in-memory cloud, summary
//! cargo run --example house_escort -- synth --out DIR    # CloudFormation templates + manifest.json
//! cargo run --example house_escort -- --accounts 100 synth --out DIR   # 100 more workload accounts
//! cargo run --example house_escort -- --accounts 1000 --baseline-stack-set diff --engine cloudformation
//!     # their baseline as one service-managed StackSet on a Generated OU (CloudFormation engine)
//! cargo run --example house_escort -- --help             # every verb: diff, destroy, drift, graph, lint, list, cost
//! LANDFORM_MANAGEMENT_ACCOUNT=123456789012 LANDFORM_ROOT_ID=r-ab12 \
//!   cargo run --features aws --example house_escort -- deploy --provider aws   # a real organization
//! ```

use std::process::ExitCode;

use landform::constructs::layouts::{
    house_escort, house_escort_in, HouseEscortOptions, OrganizationTarget,
};
use landform::core::stack_set::{StackSetPreferences, Tolerance};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    let mut options = HouseEscortOptions::default();
    // `--accounts N` shapes the app itself, so it is taken before the command line sees the rest.
    if let Some(at) = args.iter().position(|a| a == "--accounts") {
        match args.get(at + 1).map(|n| n.parse::<usize>()) {
            Some(Ok(n)) => options.extra_workload_accounts = n,
            _ => {
                eprintln!("error: --accounts takes a number of extra workload accounts");
                return ExitCode::FAILURE;
            }
        }
        args.drain(at..at + 2);
    }
    // `--baseline-stack-set`: the generated accounts' baseline as one StackSet, a quarter of
    // the accounts at a time, stopping when a tenth fail.
    if let Some(at) = args.iter().position(|a| a == "--baseline-stack-set") {
        options.generated_baseline_stack_set = Some(StackSetPreferences {
            max_concurrent: Tolerance::Percentage(25),
            failure_tolerance: Tolerance::Percentage(10),
            ..Default::default()
        });
        args.remove(at);
    }
    // LANDFORM_MANAGEMENT_ACCOUNT and LANDFORM_ROOT_ID point it at a real organization.
    let app = match OrganizationTarget::from_env() {
        Some(target) => house_escort_in(&options, &target),
        None => house_escort(&options),
    };
    landform::cli::run_from(args, app)
}
