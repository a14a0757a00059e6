//! `cargo run -p landform-cfn-gen` rewrites landform-cfn's generated files (the service
//! modules and the features block of its Cargo.toml) from the vendored schemas;
//! `-- --check` only says whether they are up to date.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../landform-cfn");
    match landform_cfn_gen::sync(&crate_dir, !check) {
        Ok(stale) if stale.is_empty() => {
            println!("landform-cfn: generated files are up to date");
            ExitCode::SUCCESS
        }
        Ok(stale) if check => {
            for path in &stale {
                eprintln!("out of date: {}", display(&crate_dir, path));
            }
            eprintln!("run `cargo run -p landform-cfn-gen` to regenerate");
            ExitCode::FAILURE
        }
        Ok(stale) => {
            println!("landform-cfn: rewrote {} files", stale.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("landform-cfn-gen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
