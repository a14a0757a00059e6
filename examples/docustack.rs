//! The DocuStack reference layout as a deployer binary: its constructs plus one call.
//!
//! ```text
//! cargo run --example docustack -- deploy              # plan, apply to the in-memory cloud, summary
//! cargo run --example docustack -- synth --out DIR     # CloudFormation templates + manifest.json
//! cargo run --example docustack -- cost                # fixed monthly cost per account
//! ```

use std::process::ExitCode;

use landform::constructs::layouts::{
    docustack, docustack_in, DocuStackOptions, OrganizationTarget,
};

fn main() -> ExitCode {
    let options = DocuStackOptions::default();
    // LANDFORM_MANAGEMENT_ACCOUNT and LANDFORM_ROOT_ID point it at a real organization.
    landform::cli::run(match OrganizationTarget::from_env() {
        Some(target) => docustack_in(&options, &target),
        None => docustack(&options),
    })
}
