//! The persisted in-memory cloud: a JSON snapshot (`cloud.json`) and an append-only log
//! beside it (`cloud.json.log`) of what each call changed, one JSON line per call.
//!
//! A call appends only the entries it changed, so a deploy costs O(writes), not O(writes x
//! size of the cloud). When the log outgrows the snapshot (and 1 MiB), the snapshot is
//! written again and the log emptied: the total bytes rewritten stay proportional to the
//! bytes logged. Every line sets values (an entry, or its absence), so replaying a log onto
//! a snapshot that already holds its effects changes nothing: a crash between writing a
//! snapshot and emptying the log is harmless, and a torn last line (the process killed during
//! an append) is a call whose effect was never reported, and is ignored.
//!
//! The log is written, not synced: it survives the process being killed (what the crash
//! tests do), not the machine losing power. It is a simulated cloud, not a database.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::data::{AccountRequest, CloudAccount, CloudData};
use super::table::StoredResource;
use crate::error::DeployError;
use crate::state::write_json_atomic;

/// The log is compacted once it is larger than the snapshot and than this.
const MIN_COMPACTION_BYTES: u64 = 1 << 20;

/// What one call changed: each entry's value now (`None`: removed).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delta {
    calls: u64,
    writes: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    resources: BTreeMap<String, Option<StoredResource>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    accounts: BTreeMap<String, Option<CloudAccount>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    account_requests: BTreeMap<String, Option<AccountRequest>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    creates: BTreeMap<String, Option<u64>>,
    /// `(polls, interval_ms)` of account creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_creation: Option<(u32, u64)>,
}

impl Delta {
    /// Take what changed in `data` since the last delta; `None` when nothing did.
    fn take(data: &mut CloudData) -> Option<Delta> {
        if !data.resources.is_dirty() && data.dirty.is_empty() {
            return None;
        }
        let dirty = std::mem::take(&mut data.dirty);
        Some(Delta {
            calls: data.calls,
            writes: data.writes,
            resources: data.resources.take_dirty(),
            accounts: dirty
                .accounts
                .into_iter()
                .map(|k| {
                    let v = data.accounts.get(&k).cloned();
                    (k, v)
                })
                .collect(),
            account_requests: dirty
                .requests
                .into_iter()
                .map(|k| {
                    let v = data.account_requests.get(&k).cloned();
                    (k, v)
                })
                .collect(),
            creates: dirty
                .creates
                .into_iter()
                .map(|k| {
                    let v = data.creates.get(&k).copied();
                    (k, v)
                })
                .collect(),
            account_creation: dirty.settings.then_some((data.account_polls, data.poll_ms)),
        })
    }

    fn apply(self, data: &mut CloudData) {
        data.calls = data.calls.max(self.calls);
        data.writes = data.writes.max(self.writes);
        for (k, v) in self.resources {
            data.resources.replay(k, v);
        }
        fn set<V>(map: &mut BTreeMap<String, V>, k: String, v: Option<V>) {
            match v {
                Some(v) => {
                    map.insert(k, v);
                }
                None => {
                    map.remove(&k);
                }
            }
        }
        for (k, v) in self.accounts {
            set(&mut data.accounts, k, v);
        }
        for (k, v) in self.account_requests {
            set(&mut data.account_requests, k, v);
        }
        for (k, v) in self.creates {
            set(&mut data.creates, k, v);
        }
        if let Some((polls, ms)) = self.account_creation {
            data.account_polls = polls;
            data.poll_ms = ms;
        }
    }
}

/// Where a persisted cloud lives, and its open log.
#[derive(Debug)]
pub(crate) struct Persist {
    path: PathBuf,
    log_path: PathBuf,
    log: File,
    log_bytes: u64,
    snapshot_bytes: u64,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> DeployError + '_ {
    move |source| DeployError::Io {
        path: path.to_owned(),
        source,
    }
}

impl Persist {
    /// The log beside the snapshot at `path`.
    pub fn log_path(path: &Path) -> PathBuf {
        let mut log = path.as_os_str().to_owned();
        log.push(".log");
        PathBuf::from(log)
    }

    /// Load the cloud at `path` (its snapshot and log), or start `fresh` when there is none.
    pub fn open(
        path: PathBuf,
        fresh: impl FnOnce() -> CloudData,
    ) -> Result<(CloudData, Persist), DeployError> {
        let log_path = Self::log_path(&path);
        let (mut data, snapshot_bytes, existed) = match std::fs::read(&path) {
            Ok(bytes) => {
                let data: CloudData =
                    serde_json::from_slice(&bytes).map_err(|e| DeployError::Corrupt {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                (data, bytes.len() as u64, true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (fresh(), 0, false),
            Err(e) => return Err(io(&path)(e)),
        };
        let log_bytes = if existed {
            replay(&log_path, &mut data)?
        } else {
            0
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io(&log_path))?;
        // A torn last line is dropped, so the next append starts a line of its own.
        log.set_len(log_bytes).map_err(io(&log_path))?;
        let mut persist = Persist {
            path,
            log_path,
            log,
            log_bytes,
            snapshot_bytes,
        };
        if !existed {
            persist.compact(&data)?;
        }
        data.dirty = Default::default();
        data.resources.take_dirty();
        Ok((data, persist))
    }

    /// Append what changed in `data` since the last call; compact when the log has grown.
    pub fn record(&mut self, data: &mut CloudData) -> Result<(), DeployError> {
        let Some(delta) = Delta::take(data) else {
            return Ok(());
        };
        // Plain data with string keys: serialising cannot fail.
        let mut line = serde_json::to_vec(&delta).unwrap_or_default();
        line.push(b'\n');
        self.log.write_all(&line).map_err(io(&self.log_path))?;
        self.log_bytes += line.len() as u64;
        if self.log_bytes > self.snapshot_bytes.max(MIN_COMPACTION_BYTES) {
            self.compact(data)?;
        }
        Ok(())
    }

    /// Write the whole cloud as the snapshot and empty the log.
    pub fn compact(&mut self, data: &CloudData) -> Result<(), DeployError> {
        let (_, bytes) = write_json_atomic(&self.path, data)?;
        self.snapshot_bytes = bytes;
        self.log.set_len(0).map_err(io(&self.log_path))?;
        self.log_bytes = 0;
        Ok(())
    }

    /// Whether the log holds anything the snapshot does not.
    pub fn has_log(&self) -> bool {
        self.log_bytes > 0
    }
}

/// Apply the complete lines of the log at `path` to `data`; the size in bytes of those lines.
fn replay(path: &Path, data: &mut CloudData) -> Result<u64, DeployError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io(path)(e)),
    };
    // Only lines ending in a newline were written whole before their call was reported.
    let complete = text.rfind('\n').map_or("", |end| &text[..=end]);
    for (n, line) in complete.lines().enumerate() {
        let delta: Delta = serde_json::from_str(line).map_err(|e| DeployError::Corrupt {
            path: path.to_owned(),
            reason: format!("line {}: {e}", n + 1),
        })?;
        delta.apply(data);
    }
    Ok(complete.len() as u64)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::cloud::CloudResource;

    fn fresh() -> CloudData {
        CloudData::new("111111111111", "r-lf00")
    }

    fn put(data: &mut CloudData, n: usize) {
        data.calls += 1;
        data.resources.insert(
            format!("111111111111/us-east-1/AWS::EC2::VPC/vpc-{n}"),
            CloudResource {
                account: "111111111111".into(),
                region: "us-east-1".into(),
                type_name: "AWS::EC2::VPC".into(),
                physical_id: format!("vpc-{n}"),
                name: None,
                tag: format!("S/Vpc{n}"),
                properties: serde_json::json!({"CidrBlock": "10.0.0.0/16", "Padding": "x".repeat(200)}),
                attributes: BTreeMap::new(),
                objects: Vec::new(),
            }
            .into(),
        );
    }

    #[test]
    fn a_reopened_cloud_has_every_recorded_change_and_the_log_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cloud.json");
        let (mut data, mut p) = Persist::open(path.clone(), fresh).unwrap();
        for n in 0..6000 {
            put(&mut data, n);
            p.record(&mut data).unwrap();
            // The log never grows past the snapshot (or the floor) by more than a line.
            assert!(p.log_bytes <= p.snapshot_bytes.max(MIN_COMPACTION_BYTES) + 1024);
        }
        data.resources
            .remove("111111111111/us-east-1/AWS::EC2::VPC/vpc-7");
        p.record(&mut data).unwrap();
        assert!(p.snapshot_bytes > MIN_COMPACTION_BYTES, "it compacted");
        drop(p);
        let (again, _) = Persist::open(path, fresh).unwrap();
        assert_eq!(again.resources, data.resources);
        assert_eq!(again.calls, data.calls);
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_the_next_append_starts_its_own_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cloud.json");
        let (mut data, mut p) = Persist::open(path.clone(), fresh).unwrap();
        put(&mut data, 1);
        p.record(&mut data).unwrap();
        drop(p);
        // The process was killed during the append of a second call.
        let log = Persist::log_path(&path);
        let mut bytes = std::fs::read(&log).unwrap();
        bytes.extend_from_slice(br#"{"calls":2,"resources":{"x":"#);
        std::fs::write(&log, &bytes).unwrap();
        let (mut data, mut p) = Persist::open(path.clone(), fresh).unwrap();
        assert_eq!(data.resources.values().count(), 1);
        put(&mut data, 2);
        p.record(&mut data).unwrap();
        drop(p);
        let (again, _) = Persist::open(path, fresh).unwrap();
        assert_eq!(again.resources.values().count(), 2);
    }

    #[test]
    fn replaying_a_log_onto_a_snapshot_that_holds_it_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cloud.json");
        let (mut data, mut p) = Persist::open(path.clone(), fresh).unwrap();
        for n in 0..3 {
            put(&mut data, n);
            p.record(&mut data).unwrap();
        }
        data.resources
            .remove("111111111111/us-east-1/AWS::EC2::VPC/vpc-1");
        p.record(&mut data).unwrap();
        let log = std::fs::read(Persist::log_path(&path)).unwrap();
        // A crash after the snapshot's rename, before the log was emptied.
        p.compact(&data).unwrap();
        std::fs::write(Persist::log_path(&path), log).unwrap();
        drop(p);
        let (again, _) = Persist::open(path, fresh).unwrap();
        assert_eq!(again.resources, data.resources);
        assert_eq!(again.resources.values().count(), 2);
    }
}
