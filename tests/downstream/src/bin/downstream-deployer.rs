//! The downstream crate's deployer: its app and the ready command line. `DOWNSTREAM_KMS=1`
//! switches the repository to KMS encryption (a create-only change).

fn main() -> std::process::ExitCode {
    let kms = std::env::var("DOWNSTREAM_KMS").is_ok_and(|v| v == "1");
    landform::cli::Deployer::new(landform_downstream::app(kms)).run()
}
