//! The DocuStack reference layout, synthesised to a directory.
//!
//! Run: `cargo run --example docustack [-- --out DIR]`

use std::path::PathBuf;
use std::process::ExitCode;

use landform::constructs::layouts::{docustack, resource_counts, DocuStackOptions};

fn main() -> ExitCode {
    let mut out = PathBuf::from("target/landform/docustack");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--out", Some(dir)) => out = dir.into(),
            _ => {
                eprintln!("usage: docustack [--out DIR]");
                return ExitCode::from(2);
            }
        }
    }
    let assembly = match docustack(&DocuStackOptions::default()).synth() {
        Ok(assembly) => assembly,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(err) = assembly.write(&out) {
        eprintln!("{err}");
        return ExitCode::FAILURE;
    }
    println!(
        "{} stacks written to {}",
        assembly.stacks().len(),
        out.display()
    );
    for (type_name, count) in resource_counts(&assembly) {
        println!("{count:>6}  {type_name}");
    }
    ExitCode::SUCCESS
}
