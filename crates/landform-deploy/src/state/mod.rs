//! Recorded state: what the engine applied (resources with physical ids, properties as
//! applied and attributes; stack outputs) and the journal of calls in flight.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::error::DeployError;

mod file;
pub use file::FileStateStore;

/// One resource as applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedResource {
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The construct path (empty when unknown).
    #[serde(default)]
    pub path: String,
    /// The physical id (what `Ref` returns).
    pub physical_id: String,
    /// The properties as applied, intrinsics resolved.
    pub properties: Json,
    /// The attributes the provider returned.
    pub attributes: BTreeMap<String, Json>,
    /// Resources (`stack/logicalId`) this one depended on when applied: delete after them.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// `DeletionPolicy` as applied (`Retain` keeps the object when the resource goes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<String>,
    /// Found live and recorded by `adopt` (made outside this app, or before its state):
    /// never replaced unless the engine is told to
    /// ([`Engine::with_replace_adopted`](crate::Engine::with_replace_adopted)), and kept
    /// when it leaves the app unless the app says `DeletionPolicy: Delete`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adopted: bool,
}

impl RecordedResource {
    /// Whether removing this resource from the app forgets it instead of deleting it:
    /// `DeletionPolicy: Retain`, or adopted without an explicit `DeletionPolicy: Delete`.
    pub fn kept_on_removal(&self) -> bool {
        match self.deletion_policy.as_deref() {
            Some("Retain") => true,
            Some("Delete") => false,
            _ => self.adopted,
        }
    }
}

/// One stack as applied.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackState {
    /// The account it deployed into.
    pub account: String,
    /// The region.
    pub region: String,
    /// Resources by logical id.
    pub resources: BTreeMap<String, RecordedResource>,
    /// Outputs by id.
    pub outputs: BTreeMap<String, Json>,
    /// Stacks whose every resource this stack's resources depended on when applied (the
    /// stack's explicit dependencies): delete this stack's resources before theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

/// The operation of a journal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operation {
    /// Create.
    Create,
    /// Update.
    Update,
    /// Delete.
    Delete,
    /// Record a resource found live (no call to the cloud but reads).
    Adopt,
}

/// A call written to the journal before it is made. It stays in [`State::pending`] until the
/// result is recorded; one still there when an apply starts means "the call may or may not
/// have happened": the engine reads or looks the resource up before doing anything else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// The operation.
    pub operation: Operation,
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    /// The physical id (updates and deletes; creates once the provider answered "in
    /// progress").
    #[serde(default)]
    pub physical_id: Option<String>,
    /// The create request, to look the resource up by name, tag or idempotency key.
    #[serde(default)]
    pub request: Option<crate::provider::CreateRequest>,
}

/// One line of the journal: an intent or its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalRecord {
    /// Sequence number within the apply.
    pub seq: u64,
    /// `stack/logicalId`.
    pub resource: String,
    /// The operation.
    pub operation: Operation,
    /// `started`, `done`, `failed: ...` or `recovered: ...`.
    pub event: String,
}

/// Everything recorded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// Format version.
    #[serde(default)]
    pub version: u32,
    /// Stacks by name.
    pub stacks: BTreeMap<String, StackState>,
    /// Calls started and not recorded as finished, by `stack/logicalId`.
    #[serde(default)]
    pub pending: BTreeMap<String, Intent>,
    /// The journal of the latest apply or destroy.
    #[serde(default)]
    pub journal: Vec<JournalRecord>,
    /// Where these resources live, as the deployer names it ([`crate::Engine::with_target`]:
    /// the in-memory cloud, an AWS account, an endpoint). An engine given another target
    /// refuses this state rather than read, change or delete what it records somewhere else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Resources a destroy (or a removal) kept because of `DeletionPolicy: Retain`, by
    /// `stack/logicalId`: still live, no longer managed. A later apply whose app names the
    /// same resource again (same stack, logical id, type and region) records it again instead
    /// of creating a second one ([`State::readopt`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub retained: BTreeMap<String, RetainedResource>,
}

/// A resource Landform stopped managing but left in place (`DeletionPolicy: Retain`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetainedResource {
    /// The account it lives in.
    pub account: String,
    /// The region.
    pub region: String,
    /// The resource as last applied.
    pub resource: RecordedResource,
}

impl State {
    /// A recorded resource by stack and logical id.
    pub fn resource(&self, stack: &str, logical_id: &str) -> Option<&RecordedResource> {
        self.stacks.get(stack)?.resources.get(logical_id)
    }
    /// Number of recorded resources.
    pub fn resource_count(&self) -> usize {
        self.stacks.values().map(|s| s.resources.len()).sum()
    }

    /// Record again every retained resource that `wanted` names: an iterator of
    /// (stack, logical id, type, region, account when known before the apply). A retained
    /// resource comes back only to the same stack and logical id, with the same type, in the
    /// same region and (when the app's account is known) the same account, and only where
    /// nothing is recorded under that name now. Returns the `stack/logicalId` keys brought
    /// back, sorted; the plan then reads, updates or keeps them like any recorded resource.
    pub fn readopt<'a>(
        &mut self,
        wanted: impl IntoIterator<Item = (&'a str, &'a str, &'a str, &'a str, Option<&'a str>)>,
    ) -> Vec<String> {
        if self.retained.is_empty() {
            return Vec::new();
        }
        let mut back = Vec::new();
        for (stack, logical_id, type_name, region, account) in wanted {
            let key = format!("{stack}/{logical_id}");
            let Some(kept) = self.retained.get(&key) else {
                continue;
            };
            let entry = self.stacks.get(stack);
            let fits = kept.resource.type_name == type_name
                && kept.region == region
                && account.map_or(true, |a| a == kept.account)
                && entry.map_or(true, |e| {
                    e.resources.is_empty() || (e.account == kept.account && e.region == region)
                })
                && entry.map_or(true, |e| !e.resources.contains_key(logical_id));
            if !fits {
                continue;
            }
            let Some(kept) = self.retained.remove(&key) else {
                continue;
            };
            let entry = self.stacks.entry(stack.to_owned()).or_default();
            entry.account = kept.account;
            entry.region = kept.region;
            entry.resources.insert(logical_id.to_owned(), kept.resource);
            back.push(key);
        }
        back.sort();
        back
    }
}

/// What a step does to the pending intent of its resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PendingChange {
    /// Leave it as it is.
    Keep,
    /// Set (or replace) it.
    Set(Box<Intent>),
    /// Remove it: the call's outcome is recorded.
    Clear,
}

/// Where a step puts a recorded resource (or removes it, when `resource` is `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    /// The stack.
    pub stack: String,
    /// The logical id.
    pub logical_id: String,
    /// The stack's account.
    pub account: String,
    /// The stack's region.
    pub region: String,
    /// The resource as applied; `None` removes it.
    pub resource: Option<RecordedResource>,
    /// The stack's explicit dependencies ([`StackState::depends_on`]), when the step places
    /// a resource of a stack of the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_depends_on: Option<Vec<String>>,
    /// With `resource` `None`: the resource was kept in place (`DeletionPolicy: Retain`);
    /// it goes to [`State::retained`] as this record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retained: Option<RecordedResource>,
}

/// One step of an apply as the engine records it: a change to one resource's pending intent,
/// its recorded resource and a journal line. Its size does not depend on the size of the
/// state, so a store that can persist a step on its own (an edit in memory, an append to a
/// log) keeps an apply linear in the number of resources.
///
/// ```
/// use landform_deploy::{PendingChange, State, StateChange};
/// let mut state = State::default();
/// StateChange { resource: "S/Bucket".into(), pending: PendingChange::Clear, placement: None, journal: None }
///     .apply_to(&mut state);
/// assert_eq!(state, State::default());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateChange {
    /// `stack/logicalId`, the key of the pending intent.
    pub resource: String,
    /// The pending intent of `resource`.
    pub pending: PendingChange,
    /// The recorded resource to set or remove, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    /// The journal line to append, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<JournalRecord>,
}

impl StateChange {
    /// Apply the step to `state`. Every part but the journal line sets a value, so applying
    /// a step twice only repeats its journal line.
    pub fn apply_to(&self, state: &mut State) {
        match &self.pending {
            PendingChange::Keep => {}
            PendingChange::Set(intent) => {
                state
                    .pending
                    .insert(self.resource.clone(), (**intent).clone());
            }
            PendingChange::Clear => {
                state.pending.remove(&self.resource);
            }
        }
        if let Some(p) = &self.placement {
            let entry = state.stacks.entry(p.stack.clone()).or_default();
            entry.account.clone_from(&p.account);
            entry.region.clone_from(&p.region);
            if let Some(deps) = &p.stack_depends_on {
                entry.depends_on.clone_from(deps);
            }
            match &p.resource {
                Some(r) => {
                    entry.resources.insert(p.logical_id.clone(), r.clone());
                }
                None => {
                    entry.resources.remove(&p.logical_id);
                }
            }
            let key = || format!("{}/{}", p.stack, p.logical_id);
            match (&p.resource, &p.retained) {
                (None, Some(kept)) => {
                    state.retained.insert(
                        key(),
                        RetainedResource {
                            account: p.account.clone(),
                            region: p.region.clone(),
                            resource: kept.clone(),
                        },
                    );
                }
                (Some(_), _) if !state.retained.is_empty() => {
                    state.retained.remove(&key());
                }
                _ => {}
            }
        }
        if let Some(line) = &self.journal {
            state.journal.push(line.clone());
        }
    }
}

/// Where state lives. Implementations replace the whole state atomically on `save`.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// The recorded state (empty when nothing was ever saved).
    async fn load(&self) -> Result<State, DeployError>;
    /// Replace the recorded state.
    async fn save(&self, state: &State) -> Result<(), DeployError>;
    /// Persist one step. `state` is the whole state with `change` already applied, and the
    /// store holds the state as of the previous `save` or `record` (the engine, under its
    /// lock, is the only writer). The default saves `state` whole; a store that can persist
    /// `change` alone should, since the engine records a step before and after every call.
    async fn record(&self, state: &State, change: &StateChange) -> Result<(), DeployError> {
        let _ = change;
        self.save(state).await
    }
}

/// State in memory.
#[derive(Debug, Default)]
pub struct MemoryStateStore {
    state: Mutex<State>,
}

impl MemoryStateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl StateStore for MemoryStateStore {
    async fn load(&self) -> Result<State, DeployError> {
        Ok(self
            .state
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone()))
    }
    async fn save(&self, state: &State) -> Result<(), DeployError> {
        match self.state.lock() {
            Ok(mut s) => *s = state.clone(),
            Err(p) => *p.into_inner() = state.clone(),
        }
        Ok(())
    }
    /// Applies `change` to the held state instead of cloning `state` whole.
    async fn record(&self, _state: &State, change: &StateChange) -> Result<(), DeployError> {
        match self.state.lock() {
            Ok(mut s) => change.apply_to(&mut s),
            Err(p) => change.apply_to(&mut p.into_inner()),
        }
        Ok(())
    }
}

/// Read a JSON file, `None` when it does not exist.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Option<T>, DeployError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| DeployError::Corrupt {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DeployError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Write `value` as pretty JSON (and a final newline) to `path` atomically: a temp file
/// beside it, synced, then renamed over it, so a crash leaves the old file or the new one.
/// The JSON is streamed through a buffer, never built whole in memory. Returns the SHA-256
/// (hex) of the bytes written and their count.
pub(crate) fn write_json_atomic<T: Serialize>(
    path: &Path,
    value: &T,
) -> Result<(String, u64), DeployError> {
    use sha2::{Digest, Sha256};
    use std::io::Write;
    /// Hashes and counts what passes through to the file.
    struct Tee<W> {
        inner: W,
        hash: Sha256,
        bytes: u64,
    }
    impl<W: Write> Write for Tee<W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = self.inner.write(buf)?;
            self.hash.update(&buf[..n]);
            self.bytes += n as u64;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.inner.flush()
        }
    }
    let io = |source| DeployError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut out = Tee {
        inner: std::io::BufWriter::with_capacity(1 << 16, file),
        hash: Sha256::new(),
        bytes: 0,
    };
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| io(std::io::Error::other(e)))?;
    out.write_all(b"\n").map_err(io)?;
    let file = out
        .inner
        .into_inner()
        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    let hash = out
        .hash
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hash, out.bytes))
}

pub(crate) fn to_pretty_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain data (string keys only) cannot fail.
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The conformance suite every [`StateStore`] passes: empty at first, save/load round trip,
/// save replaces (no merge), pending intents survive, a recorded step lands on the saved
/// state. Panics on the first failed check.
pub async fn state_store_conformance(store: &dyn StateStore) {
    let empty = store.load().await.expect("load of an empty store");
    assert_eq!(empty, State::default(), "a new store is empty");
    let mut state = State::default();
    let mut stack = StackState {
        account: "111111111111".into(),
        region: "us-east-1".into(),
        ..StackState::default()
    };
    stack.resources.insert(
        "Bucket".into(),
        RecordedResource {
            type_name: "AWS::S3::Bucket".into(),
            path: "App/S/Bucket".into(),
            physical_id: "b".into(),
            properties: serde_json::json!({"BucketName": "b"}),
            attributes: [("Arn".to_owned(), serde_json::json!("arn:aws:s3:::b"))].into(),
            depends_on: vec![],
            deletion_policy: Some("Retain".into()),
            adopted: false,
        },
    );
    stack.outputs.insert("Out".into(), serde_json::json!("v"));
    state.stacks.insert("S".into(), stack);
    state.pending.insert(
        "S/Bucket".into(),
        Intent {
            operation: Operation::Create,
            type_name: "AWS::S3::Bucket".into(),
            account: "111111111111".into(),
            region: "us-east-1".into(),
            physical_id: None,
            request: None,
        },
    );
    store.save(&state).await.expect("save");
    assert_eq!(
        store.load().await.expect("load"),
        state,
        "load returns what was saved"
    );
    // A recorded step lands on top of the saved state, as if the whole state were saved.
    let mut stepped = state.clone();
    let change = StateChange {
        resource: "S/Bucket".into(),
        pending: PendingChange::Clear,
        placement: Some(Placement {
            stack: "S".into(),
            logical_id: "Bucket".into(),
            account: "111111111111".into(),
            region: "us-east-1".into(),
            resource: None,
            stack_depends_on: None,
            // Kept in place (DeletionPolicy: Retain): remembered as retained.
            retained: state.resource("S", "Bucket").cloned(),
        }),
        journal: Some(JournalRecord {
            seq: 1,
            resource: "S/Bucket".into(),
            operation: Operation::Delete,
            event: "retained".into(),
        }),
    };
    change.apply_to(&mut stepped);
    assert!(stepped.resource("S", "Bucket").is_none());
    assert_eq!(
        stepped.retained["S/Bucket"].resource.physical_id, "b",
        "a retained resource is remembered"
    );
    store.record(&stepped, &change).await.expect("record");
    assert_eq!(
        store.load().await.expect("load"),
        stepped,
        "load returns the recorded step on top of the saved state"
    );
    let replaced = State::default();
    store.save(&replaced).await.expect("save again");
    assert_eq!(
        store.load().await.expect("load"),
        replaced,
        "save replaces, never merges"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_conforms() {
        state_store_conformance(&MemoryStateStore::new()).await;
    }

    #[tokio::test]
    async fn file_store_conforms() {
        let dir = tempfile::tempdir().unwrap();
        state_store_conformance(&FileStateStore::new(dir.path().join("sub/state.json"))).await;
        // No temp file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    fn step(seq: u64) -> StateChange {
        StateChange {
            resource: format!("S/R{seq}"),
            pending: PendingChange::Keep,
            placement: None,
            journal: Some(JournalRecord {
                seq,
                resource: format!("S/R{seq}"),
                operation: Operation::Create,
                event: "started".into(),
            }),
        }
    }

    #[tokio::test]
    async fn file_store_replays_its_log_once_and_ignores_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let store = FileStateStore::new(&path);
        let mut state = State::default();
        store.save(&state).await.unwrap();
        for seq in 1..=2 {
            let change = step(seq);
            change.apply_to(&mut state);
            store.record(&state, &change).await.unwrap();
        }
        // A crash during a third append leaves half a line: that step was never durable.
        let mut log = std::fs::read(store.log_path()).unwrap();
        log.extend_from_slice(br#"{"resource":"S/R3","pend"#);
        std::fs::write(store.log_path(), &log).unwrap();
        assert_eq!(FileStateStore::new(&path).load().await.unwrap(), state);

        // A crash after a save's rename, before the log's removal: the log is not replayed.
        write_json_atomic(&path, &state).unwrap();
        assert!(store.log_path().exists());
        assert_eq!(FileStateStore::new(&path).load().await.unwrap(), state);

        // A new store does not append to a log it did not start.
        let again = FileStateStore::new(&path);
        let change = step(3);
        change.apply_to(&mut state);
        again.record(&state, &change).await.unwrap();
        assert_eq!(FileStateStore::new(&path).load().await.unwrap(), state);
    }

    #[tokio::test]
    async fn corrupt_file_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "{not json").unwrap();
        let err = FileStateStore::new(&path).load().await.unwrap_err();
        assert!(matches!(err, DeployError::Corrupt { .. }));
    }
    fn retained_bucket() -> State {
        let mut state = State::default();
        state.retained.insert(
            "S/Bucket".into(),
            RetainedResource {
                account: "111111111111".into(),
                region: "us-east-1".into(),
                resource: RecordedResource {
                    type_name: "AWS::S3::Bucket".into(),
                    path: "App/S/Bucket".into(),
                    physical_id: "b".into(),
                    properties: serde_json::json!({"BucketName": "b"}),
                    attributes: BTreeMap::new(),
                    depends_on: vec![],
                    deletion_policy: Some("Retain".into()),
                    adopted: false,
                },
            },
        );
        state
    }

    #[test]
    fn a_retained_resource_comes_back_only_to_its_own_name_type_region_and_account() {
        let bucket = "AWS::S3::Bucket";
        let (east, acct) = ("us-east-1", Some("111111111111"));
        for (what, wanted) in [
            ("another logical id", ("S", "Other", bucket, east, acct)),
            ("another stack", ("T", "Bucket", bucket, east, acct)),
            (
                "another type",
                ("S", "Bucket", "AWS::SQS::Queue", east, acct),
            ),
            ("another region", ("S", "Bucket", bucket, "eu-west-1", acct)),
            (
                "another account",
                ("S", "Bucket", bucket, east, Some("222222222222")),
            ),
        ] {
            let mut state = retained_bucket();
            assert!(state.readopt([wanted]).is_empty(), "{what}");
            assert_eq!(state.retained.len(), 1, "{what}: still retained");
            assert_eq!(state.resource_count(), 0, "{what}");
        }
        // The same resource, with the account known only at apply time or literally.
        for account in [None, acct] {
            let mut state = retained_bucket();
            let back = state.readopt([("S", "Bucket", bucket, east, account)]);
            assert_eq!(back, vec!["S/Bucket".to_owned()]);
            assert!(state.retained.is_empty());
            assert_eq!(state.resource("S", "Bucket").unwrap().physical_id, "b");
            assert_eq!(state.stacks["S"].account, "111111111111");
        }
        // Something recorded under that name already wins; the retained one stays aside.
        let mut state = retained_bucket();
        let mut recorded = state.retained["S/Bucket"].resource.clone();
        recorded.physical_id = "newer".into();
        let stack = state.stacks.entry("S".into()).or_default();
        stack.account = "111111111111".into();
        stack.region = east.into();
        stack.resources.insert("Bucket".into(), recorded);
        assert!(state
            .readopt([("S", "Bucket", bucket, east, acct)])
            .is_empty());
        assert_eq!(state.resource("S", "Bucket").unwrap().physical_id, "newer");
    }

    #[test]
    fn placing_a_resource_again_clears_its_retained_record() {
        let mut state = retained_bucket();
        let resource = state.retained["S/Bucket"].resource.clone();
        let change = StateChange {
            resource: "S/Bucket".into(),
            pending: PendingChange::Keep,
            placement: Some(Placement {
                stack: "S".into(),
                logical_id: "Bucket".into(),
                account: "111111111111".into(),
                region: "us-east-1".into(),
                resource: Some(resource),
                stack_depends_on: None,
                retained: None,
            }),
            journal: None,
        };
        change.apply_to(&mut state);
        change.apply_to(&mut state);
        assert!(state.retained.is_empty());
        assert_eq!(state.resource_count(), 1);
    }
}
