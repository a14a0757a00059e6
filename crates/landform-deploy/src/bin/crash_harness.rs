//! Test harness for the crash test: applies the representative app with the file-persisted
//! in-memory cloud and a file state store in the directory given as the first argument,
//! printing `call <n> <operation> <type> <ok>` after every call once its effect is saved,
//! then `done <report>`. The test kills it after the n-th line and runs it again.

use std::io::Write;
use std::sync::Arc;

use landform_deploy::fixtures::representative_app;
use landform_deploy::{Engine, FileLock, FileStateStore, InMemoryCloud};

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: landform-deploy-crash-harness <dir>");
        return std::process::ExitCode::FAILURE;
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let cloud = InMemoryCloud::persistent(dir.join("cloud.json"))?;
        cloud.set_account_creation(1, 0);
        cloud.set_observer(|call| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "call {} {} {} {}",
                call.number, call.operation, call.type_name, call.ok
            );
            let _ = out.flush();
        });
        let assembly =
            representative_app()
                .synth()
                .map_err(|e| landform_deploy::DeployError::Resolve {
                    stack: String::new(),
                    location: "synth".into(),
                    reason: e.to_string(),
                })?;
        let engine = Engine::new(
            cloud.registry(),
            Arc::new(FileStateStore::new(dir.join("state.json"))),
            Arc::new(FileLock::new(dir.join("state.lock"))),
            Arc::new(cloud.sessions()),
        )
        .with_concurrency(4);
        engine.apply(&assembly).await
    });
    match result {
        Ok(report) => {
            println!("done {report}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            println!("error {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
