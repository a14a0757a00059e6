//! The House Escort reference layout, synthesised to a directory.
//!
//! Run: `cargo run --example house_escort [-- --out DIR] [--accounts N]`
//! (`--accounts N` adds N generated workload accounts, to measure size).

use std::path::PathBuf;
use std::process::ExitCode;

use landform::constructs::layouts::{house_escort, resource_counts, HouseEscortOptions};

fn main() -> ExitCode {
    let mut out = PathBuf::from("target/landform/house_escort");
    let mut options = HouseEscortOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--out", Some(dir)) => out = dir.into(),
            ("--accounts", Some(n)) => match n.parse() {
                Ok(n) => options.extra_workload_accounts = n,
                Err(_) => return usage(),
            },
            _ => return usage(),
        }
    }
    let assembly = match house_escort(&options).synth() {
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

fn usage() -> ExitCode {
    eprintln!("usage: house_escort [--out DIR] [--accounts N]");
    ExitCode::from(2)
}
