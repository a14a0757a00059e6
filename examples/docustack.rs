//! The DocuStack reference layout as a deployer binary: its constructs plus one call.
//!
//! ```text
//! cargo run --example docustack -- deploy              # plan, apply to the in-memory cloud, summary
//! cargo run --example docustack -- synth --out DIR     # CloudFormation templates + manifest.json
//! cargo run --example docustack -- cost                # fixed monthly cost per account
//! ```

use std::process::ExitCode;

use landform::constructs::layouts::{docustack, DocuStackOptions};

fn main() -> ExitCode {
    landform::cli::run(docustack(&DocuStackOptions::default()))
}
