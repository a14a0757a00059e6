//! State in an S3 object, written with ETag preconditions.

use std::path::PathBuf;
use std::sync::Mutex;

use async_trait::async_trait;
use aws_sdk_s3::primitives::ByteStream;
use landform_deploy::{DeployError, ErrorCode, State, StateStore};

use crate::error::{sdk_error, AwsError};
use crate::sessions::AwsSessions;

/// What the store last saw of the object.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// Not loaded yet: the next save writes without a precondition.
    Unknown,
    /// Loaded and absent: the next save only creates (`If-None-Match: *`).
    Absent,
    /// Loaded or saved with this ETag: the next save only replaces it (`If-Match`).
    ETag(String),
}

/// State as one JSON object in an S3 bucket (the Terraform-style backend).
///
/// Writes are conditional: after a load (or a save) the store only replaces the object
/// whose ETag it saw (`If-Match`), or only creates it when it was absent
/// (`If-None-Match: *`), so a save over a state another apply wrote in between fails with
/// [`AwsError::StateChanged`] instead of losing that apply's records. Take the
/// [`crate::DynamoDbLock`] first; the precondition is the second line of defence.
pub struct S3StateStore {
    client: aws_sdk_s3::Client,
    bucket: String,
    key: String,
    seen: Mutex<Seen>,
}

impl std::fmt::Debug for S3StateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3StateStore")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .finish()
    }
}

impl S3StateStore {
    /// A store at `s3://bucket/key`, reached with the sessions' credentials for `account`
    /// in `region`. The bucket must exist.
    pub async fn new(
        sessions: &AwsSessions,
        account: &str,
        region: &str,
        bucket: impl Into<String>,
        key: impl Into<String>,
    ) -> Result<Self, AwsError> {
        Ok(S3StateStore {
            client: s3_client(sessions, account, region).await?,
            bucket: bucket.into(),
            key: key.into(),
            seen: Mutex::new(Seen::Unknown),
        })
    }

    fn set_seen(&self, seen: Seen) {
        match self.seen.lock() {
            Ok(mut s) => *s = seen,
            Err(p) => *p.into_inner() = seen,
        }
    }

    fn seen(&self) -> Seen {
        match self.seen.lock() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn error(&self, e: AwsError) -> DeployError {
        DeployError::Io {
            path: PathBuf::from(format!("s3://{}/{}", self.bucket, self.key)),
            source: std::io::Error::other(e),
        }
    }
}

#[async_trait]
impl StateStore for S3StateStore {
    async fn load(&self) -> Result<State, DeployError> {
        let Some((bytes, etag)) = get_object(&self.client, &self.bucket, &self.key)
            .await
            .map_err(|e| self.error(e))?
        else {
            self.set_seen(Seen::Absent);
            return Ok(State::default());
        };
        let state: State = serde_json::from_slice(&bytes).map_err(|e| {
            self.error(AwsError::CorruptState {
                bucket: self.bucket.clone(),
                key: self.key.clone(),
                reason: e.to_string(),
            })
        })?;
        self.set_seen(etag.map(Seen::ETag).unwrap_or(Seen::Unknown));
        Ok(state)
    }

    async fn save(&self, state: &State) -> Result<(), DeployError> {
        // Serialising plain data (string keys only) cannot fail.
        let mut body = serde_json::to_vec_pretty(state).unwrap_or_default();
        body.push(b'\n');
        let mut put = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .content_type("application/json")
            .body(ByteStream::from(body));
        put = match self.seen() {
            Seen::Unknown => put,
            Seen::Absent => put.if_none_match("*"),
            Seen::ETag(etag) => put.if_match(etag),
        };
        match put.send().await {
            Ok(out) => {
                self.set_seen(out.e_tag.map(Seen::ETag).unwrap_or(Seen::Unknown));
                Ok(())
            }
            Err(e) => {
                let e = sdk_error("PutObject", e);
                if e.service_code.as_deref() == Some("PreconditionFailed") {
                    return Err(self.error(AwsError::StateChanged {
                        bucket: self.bucket.clone(),
                        key: self.key.clone(),
                    }));
                }
                Err(self.error(AwsError::call("PutObject", e)))
            }
        }
    }
}

/// The body and ETag of `s3://bucket/key`, or None when there is no such key (a missing
/// bucket is an error).
pub(crate) async fn get_object(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<Option<(Vec<u8>, Option<String>)>, AwsError> {
    let out = match client.get_object().bucket(bucket).key(key).send().await {
        Ok(out) => out,
        Err(e) => {
            let e = sdk_error("GetObject", e);
            if e.code == ErrorCode::NotFound && e.service_code.as_deref() != Some("NoSuchBucket") {
                return Ok(None);
            }
            return Err(AwsError::call("GetObject", e));
        }
    };
    let etag = out.e_tag.clone();
    let bytes = out
        .body
        .collect()
        .await
        .map_err(|e| AwsError::CorruptState {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            reason: e.to_string(),
        })?;
    Ok(Some((bytes.into_bytes().to_vec(), etag)))
}

/// An S3 client for the sessions' credentials in `account` and `region`, path-style when
/// the endpoint is overridden (moto, LocalStack).
pub(crate) async fn s3_client(
    sessions: &AwsSessions,
    account: &str,
    region: &str,
) -> Result<aws_sdk_s3::Client, AwsError> {
    let config = sessions.sdk_config(account, region).await?;
    let s3 = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(sessions.endpoint_override())
        .build();
    Ok(aws_sdk_s3::Client::from_conf(s3))
}
