//! Locks so two applies never work on the same state at once.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::DeployError;
use crate::state::{read_json, to_pretty_json};

/// Who holds a lock and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockInfo {
    /// The holder id given to [`Lock::acquire`].
    pub holder: String,
    /// The host name.
    pub host: String,
    /// The process id.
    pub pid: u32,
    /// When it was acquired, RFC 3339 UTC.
    pub acquired_at: String,
}

impl LockInfo {
    /// Information about this process holding a lock now.
    pub fn here(holder: impl Into<String>) -> Self {
        LockInfo {
            holder: holder.into(),
            host: host_name(),
            pid: std::process::id(),
            acquired_at: rfc3339(SystemTime::now()),
        }
    }

    fn locked_error(&self) -> DeployError {
        DeployError::Locked {
            holder: self.holder.clone(),
            host: self.host.clone(),
            pid: self.pid,
            since: self.acquired_at.clone(),
        }
    }
}

fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown-host".to_owned())
}

/// Format a time as RFC 3339 UTC (`2024-05-01T12:00:00Z`).
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Whether a lock was taken on this host by a process that no longer runs (Linux: no
/// `/proc/<pid>`). Elsewhere nothing is taken for dead.
fn is_dead_local_holder(info: &LockInfo) -> bool {
    let proc_root = std::path::Path::new("/proc/self");
    info.host == host_name()
        && info.pid != std::process::id()
        && info.pid != 0
        && proc_root.exists()
        && !std::path::Path::new("/proc")
            .join(info.pid.to_string())
            .exists()
}

/// A mutual-exclusion lock on a state.
#[async_trait]
pub trait Lock: Send + Sync {
    /// Take the lock for `holder`, or fail with [`DeployError::Locked`] naming the holder.
    async fn acquire(&self, holder: &str) -> Result<LockInfo, DeployError>;
    /// Release the lock held by `holder`. Fails with [`DeployError::Locked`] when someone
    /// else holds it; releasing a free lock is fine.
    async fn release(&self, holder: &str) -> Result<(), DeployError>;
    /// The current holder, if any.
    async fn holder(&self) -> Result<Option<LockInfo>, DeployError>;
}

/// A lock in memory (one process).
#[derive(Debug, Default)]
pub struct MemoryLock {
    held: Mutex<Option<LockInfo>>,
}

impl MemoryLock {
    /// A free lock.
    pub fn new() -> Self {
        Self::default()
    }
    fn with<T>(&self, f: impl FnOnce(&mut Option<LockInfo>) -> T) -> T {
        match self.held.lock() {
            Ok(mut g) => f(&mut g),
            Err(p) => f(&mut p.into_inner()),
        }
    }
}

#[async_trait]
impl Lock for MemoryLock {
    async fn acquire(&self, holder: &str) -> Result<LockInfo, DeployError> {
        self.with(|held| match held {
            Some(info) => Err(info.locked_error()),
            None => {
                let info = LockInfo::here(holder);
                *held = Some(info.clone());
                Ok(info)
            }
        })
    }
    async fn release(&self, holder: &str) -> Result<(), DeployError> {
        self.with(|held| match held {
            Some(info) if info.holder != holder => Err(info.locked_error()),
            _ => {
                *held = None;
                Ok(())
            }
        })
    }
    async fn holder(&self) -> Result<Option<LockInfo>, DeployError> {
        Ok(self.with(|held| held.clone()))
    }
}

/// A lock file created with `O_EXCL` (create-new): exactly one process can create it. It
/// holds the [`LockInfo`] as JSON. A lock left by a process of this host that is gone
/// (killed mid-apply) is taken over; one held by another host must be removed by hand after
/// checking that its process is gone.
#[derive(Debug, Clone)]
pub struct FileLock {
    path: PathBuf,
}

impl FileLock {
    /// A lock at `path` (its directory is created when needed).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileLock { path: path.into() }
    }
    fn io(&self, source: std::io::Error) -> DeployError {
        DeployError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

#[async_trait]
impl Lock for FileLock {
    async fn acquire(&self, holder: &str) -> Result<LockInfo, DeployError> {
        use std::io::Write;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        }
        let info = LockInfo::here(holder);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&self.path)
        {
            Ok(mut file) => {
                file.write_all(&to_pretty_json(&info))
                    .map_err(|e| self.io(e))?;
                file.sync_all().map_err(|e| self.io(e))?;
                Ok(info)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // The holder may be writing its info right now: an empty file still names
                // "unknown" rather than failing on partial JSON.
                let current: Option<LockInfo> = read_json(&self.path).ok().flatten();
                if let Some(stale) = current.as_ref().filter(|c| is_dead_local_holder(c)) {
                    // The holder was on this host and its process is gone (killed, crashed):
                    // take the lock over. Its journal tells the engine what to settle.
                    let _ = stale;
                    std::fs::remove_file(&self.path).map_err(|e| self.io(e))?;
                    return self.acquire(holder).await;
                }
                Err(current
                    .unwrap_or_else(|| LockInfo {
                        holder: "unknown".into(),
                        host: "unknown".into(),
                        pid: 0,
                        acquired_at: "unknown".into(),
                    })
                    .locked_error())
            }
            Err(e) => Err(self.io(e)),
        }
    }
    async fn release(&self, holder: &str) -> Result<(), DeployError> {
        match read_json::<LockInfo>(&self.path)? {
            Some(info) if info.holder != holder => Err(info.locked_error()),
            Some(_) => std::fs::remove_file(&self.path).map_err(|e| self.io(e)),
            None => Ok(()),
        }
    }
    async fn holder(&self) -> Result<Option<LockInfo>, DeployError> {
        read_json(&self.path)
    }
}

/// The conformance suite every [`Lock`] passes. Panics on the first failed check.
pub async fn lock_conformance(lock: &dyn Lock) {
    assert_eq!(
        lock.holder().await.expect("holder"),
        None,
        "a new lock is free"
    );
    let info = lock.acquire("apply-a").await.expect("first acquire");
    assert_eq!(info.holder, "apply-a");
    assert_eq!(info.pid, std::process::id());
    match lock.acquire("apply-b").await {
        Err(DeployError::Locked { holder, since, .. }) => {
            assert_eq!(holder, "apply-a", "the error names the holder");
            assert_eq!(since, info.acquired_at, "and since when");
        }
        other => panic!("a held lock refuses a second holder, got {other:?}"),
    }
    assert!(
        matches!(
            lock.release("apply-b").await,
            Err(DeployError::Locked { .. })
        ),
        "only the holder releases"
    );
    assert_eq!(
        lock.holder().await.expect("holder").map(|i| i.holder),
        Some("apply-a".into())
    );
    lock.release("apply-a").await.expect("release");
    lock.release("apply-a")
        .await
        .expect("releasing a free lock is fine");
    lock.acquire("apply-b")
        .await
        .expect("acquire after release");
    lock.release("apply-b").await.expect("release b");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_lock_conforms() {
        lock_conformance(&MemoryLock::new()).await;
    }

    #[tokio::test]
    async fn file_lock_conforms() {
        let dir = tempfile::tempdir().unwrap();
        lock_conformance(&FileLock::new(dir.path().join("state.lock"))).await;
    }

    #[test]
    fn rfc3339_formats_known_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_709_210_096);
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56Z");
    }
}
