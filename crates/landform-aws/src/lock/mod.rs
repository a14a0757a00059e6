//! Locks on the engine's state in AWS: an item of a DynamoDB table ([`DynamoDbLock`]) or an
//! object written with S3 conditional writes ([`S3Lock`]).

mod dynamodb;
mod s3;

pub use dynamodb::DynamoDbLock;
pub use s3::S3Lock;

use landform_deploy::{DeployError, LockInfo};

/// [`DeployError::Locked`] naming `holder`, or `unknown` when the lock vanished between the
/// refused write and the read of who holds it.
fn locked(holder: Option<LockInfo>) -> DeployError {
    match holder {
        Some(info) => DeployError::Locked {
            holder: info.holder,
            host: info.host,
            pid: info.pid,
            since: info.acquired_at,
        },
        None => DeployError::Locked {
            holder: "unknown".into(),
            host: "unknown".into(),
            pid: 0,
            since: "unknown".into(),
        },
    }
}
