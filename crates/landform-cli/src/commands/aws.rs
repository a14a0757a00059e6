//! `--provider aws`: the engine over [`landform_aws`], with credentials from aws-config's
//! default chain, sessions assumed into member accounts, and state either in `--state-dir`
//! or in an S3 bucket, locked by an S3 object or a DynamoDB table (a StateBackend the app
//! itself created).

use std::sync::Arc;

use landform_aws::{AwsConfig, AwsProvider, AwsSessions, DynamoDbLock, S3Lock, S3StateStore};
use landform_deploy::{
    Engine, FileLock, FileStateStore, Lock, Observe, Provider, RetryPolicy, StateStore, TokioClock,
};

use super::deploy::{notify, Backend, ObserverSlot, LOCK_FILE, STATE_FILE};
use crate::args::TargetArgs;
use crate::error::CliError;

pub(crate) fn setup(what: impl Into<String>) -> impl FnOnce(landform_aws::AwsError) -> CliError {
    let what = what.into();
    move |e| CliError::AwsSetup {
        what,
        reason: e.to_string(),
    }
}

/// The sessions of `--provider aws`: the caller's credentials (aws-config's default chain),
/// roles assumed in member accounts; with the caller's account and the default region.
pub(crate) async fn sessions(
    target: &TargetArgs,
) -> Result<(Arc<AwsSessions>, String, String), CliError> {
    let region = target
        .region
        .clone()
        .or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let mut config = AwsConfig::new(&region).with_assume_role_name(&target.assume_role_name);
    if let Some(url) = &target.endpoint_url {
        config = config.with_endpoint_url(url);
    }
    let sessions = Arc::new(AwsSessions::new(config).await);
    let caller = sessions
        .caller_account()
        .await
        .map_err(setup("who is calling (STS GetCallerIdentity)"))?;
    Ok((sessions, caller, region))
}

pub(crate) async fn backend(
    target: &TargetArgs,
    concurrency: usize,
    refresh: bool,
) -> Result<Backend, CliError> {
    let (sessions, caller, region) = sessions(target).await?;
    // What the state records it belongs to: the caller's account, and the endpoint if not AWS's.
    let endpoint = target
        .endpoint_url
        .clone()
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .filter(|u| !u.is_empty());
    let applies_to = match endpoint {
        Some(url) => format!("AWS account {caller} at {url}"),
        None => format!("AWS account {caller}"),
    };
    let (state, lock): (Arc<dyn StateStore>, Arc<dyn Lock>) = match &target.state_bucket {
        Some(bucket) => {
            let store = S3StateStore::new(
                &sessions,
                &caller,
                &region,
                bucket.clone(),
                target.state_key.clone(),
            )
            .await
            .map_err(setup(format!(
                "the state object s3://{bucket}/{}",
                target.state_key
            )))?;
            let lock: Arc<dyn Lock> = match &target.lock_table {
                Some(table) => Arc::new(
                    DynamoDbLock::new(
                        &sessions,
                        &caller,
                        &region,
                        table.clone(),
                        target.state_key.clone(),
                    )
                    .await
                    .map_err(setup(format!("the lock table {table}")))?,
                ),
                None => {
                    let key = format!("{}.lock", target.state_key);
                    Arc::new(
                        S3Lock::new(&sessions, &caller, &region, bucket.clone(), key.clone())
                            .await
                            .map_err(setup(format!("the lock object s3://{bucket}/{key}")))?,
                    )
                }
            };
            (Arc::new(store), lock)
        }
        None => {
            let dir = &target.state_dir;
            std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
                path: dir.clone(),
                source,
            })?;
            (
                Arc::new(FileStateStore::new(dir.join(STATE_FILE))),
                Arc::new(FileLock::new(dir.join(LOCK_FILE))),
            )
        }
    };
    let observer = ObserverSlot::default();
    let slot = observer.clone();
    let mut registry = AwsProvider::new(sessions.clone()).registry();
    target.providers.add_to(&mut registry);
    let registry = registry
        .with_engine_layers(
            landform_deploy::RateLimits::aws_defaults(),
            RetryPolicy::default(),
            Arc::new(TokioClock::new()),
        )
        .layer(move |p| {
            let slot = slot.clone();
            let observed: Arc<dyn Provider> =
                Arc::new(Observe::new(p, Arc::new(move |call| notify(&slot, call))));
            observed
        });
    let engine = Engine::new(registry, state, lock, sessions)
        .with_target(applies_to)
        .with_concurrency(concurrency)
        .with_refresh(refresh);
    Ok(Backend {
        engine,
        observer,
        cloud: None,
    })
}
