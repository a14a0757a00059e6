//! The file backend of [`StateStore`]: a JSON file replaced atomically, and a write-ahead log
//! of the steps recorded since the last save.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{write_json_atomic, State, StateChange, StateStore};
use crate::error::DeployError;

/// State in a local JSON file, replaced atomically (temp file in the same directory, then
/// rename), so a crash leaves either the old or the new state, never half of one.
///
/// Steps between two saves ([`StateStore::record`]) are appended, one JSON line each and
/// synced, to a write-ahead log beside the file (`<file>.wal`), so recording a step costs
/// the size of the step, not of the state. The log's first line names the SHA-256 of the
/// state file it applies to: `load` replays a log only onto that file, so a crash between a
/// save's rename and the log's removal cannot apply a step twice. A torn last line (a crash
/// during an append) is a step that was never durable, and is ignored.
///
/// ```
/// use landform_deploy::{FileStateStore, StateStore, State};
/// # tokio_test_block(async {
/// let dir = std::env::temp_dir().join("landform-doc-state");
/// let store = FileStateStore::new(dir.join("state.json"));
/// store.save(&State::default()).await.unwrap();
/// assert_eq!(store.load().await.unwrap(), State::default());
/// # });
/// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FileStateStore {
    path: PathBuf,
    /// Whether this store started the log on disk since its last save (a log it did not
    /// start is replaced, never appended to), and the SHA-256 of the file it last saved.
    log_open: std::sync::Arc<Mutex<LogStatus>>,
}

#[derive(Debug, Default)]
struct LogStatus {
    open: bool,
    /// The hash of the state file as this store wrote it, so starting a log does not read
    /// the file back.
    saved_hash: Option<String>,
}

/// The first line of a write-ahead log.
#[derive(Serialize, Deserialize)]
struct LogHeader {
    /// SHA-256 (hex) of the state file's bytes the log applies to; of no bytes when there is
    /// no file.
    base: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A reader that hashes what it reads.
struct HashingReader<R> {
    inner: R,
    hash: sha2::Sha256,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> Self {
        use sha2::Digest;
        HashingReader {
            inner,
            hash: sha2::Sha256::new(),
        }
    }
    fn finish(self) -> String {
        use sha2::Digest;
        self.hash
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

impl FileStateStore {
    /// A store at `path` (its directory is created on first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStateStore {
            path: path.into(),
            log_open: Default::default(),
        }
    }
    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The write-ahead log beside the file.
    pub fn log_path(&self) -> PathBuf {
        let mut log = self.path.as_os_str().to_owned();
        log.push(".wal");
        PathBuf::from(log)
    }

    fn io(&self, path: &Path) -> impl Fn(std::io::Error) -> DeployError {
        let path = path.to_owned();
        move |source| DeployError::Io {
            path: path.clone(),
            source,
        }
    }

    /// The state file's bytes, empty when there is none.
    fn base_bytes(&self) -> Result<Vec<u8>, DeployError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(self.io(&self.path)(e)),
        }
    }

    /// Apply the log's steps to `state` when the log belongs to the file whose SHA-256 is
    /// `base_hash`.
    fn replay(&self, base_hash: &str, state: &mut State) -> Result<(), DeployError> {
        let log_path = self.log_path();
        let text = match std::fs::read_to_string(&log_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.io(&log_path)(e)),
        };
        let corrupt = |reason: String| DeployError::Corrupt {
            path: log_path.clone(),
            reason,
        };
        // Only lines ending in a newline were fully written (and synced) before their call.
        let complete = text.rfind('\n').map_or("", |end| &text[..end]);
        let mut lines = complete.lines();
        let Some(header) = lines.next() else {
            return Ok(());
        };
        let header: LogHeader =
            serde_json::from_str(header).map_err(|e| corrupt(format!("header: {e}")))?;
        if header.base != base_hash {
            // A log left by a save that replaced the file: its steps are in the file.
            return Ok(());
        }
        for (n, line) in lines.enumerate() {
            let change: StateChange =
                serde_json::from_str(line).map_err(|e| corrupt(format!("line {}: {e}", n + 2)))?;
            change.apply_to(state);
        }
        Ok(())
    }
}
#[async_trait]
impl StateStore for FileStateStore {
    async fn load(&self) -> Result<State, DeployError> {
        // Parsed as it is read, and hashed on the way (to match the log's header), so the
        // file's bytes are never held whole beside the state they make. The hash sits under
        // the buffer: serde_json reads a byte at a time, the hash sees whole chunks.
        let (mut state, base_hash) = match std::fs::File::open(&self.path) {
            Ok(file) => {
                let mut reader =
                    std::io::BufReader::with_capacity(1 << 16, HashingReader::new(file));
                let state: State =
                    serde_json::from_reader(&mut reader).map_err(|e| DeployError::Corrupt {
                        path: self.path.clone(),
                        reason: e.to_string(),
                    })?;
                // What follows the JSON (its final newline) is part of the file's hash.
                std::io::copy(&mut reader, &mut std::io::sink()).map_err(self.io(&self.path))?;
                (state, reader.into_inner().finish())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (State::default(), sha256_hex(&[]))
            }
            Err(e) => return Err(self.io(&self.path)(e)),
        };
        self.replay(&base_hash, &mut state)?;
        Ok(state)
    }
    async fn save(&self, state: &State) -> Result<(), DeployError> {
        let mut log_open = self.log_open.lock().unwrap_or_else(|p| p.into_inner());
        log_open.saved_hash = None;
        let (hash, _) = write_json_atomic(&self.path, state)?;
        // The file now holds every logged step; the log no longer matches it either way.
        let log_path = self.log_path();
        match std::fs::remove_file(&log_path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(self.io(&log_path)(e)),
        }
        log_open.open = false;
        log_open.saved_hash = Some(hash);
        Ok(())
    }
    /// Appends `change` to the write-ahead log and syncs it.
    async fn record(&self, _state: &State, change: &StateChange) -> Result<(), DeployError> {
        use std::io::Write;
        let mut log_open = self.log_open.lock().unwrap_or_else(|p| p.into_inner());
        let log_path = self.log_path();
        let io = self.io(&log_path);
        let mut bytes = Vec::new();
        let mut options = std::fs::OpenOptions::new();
        if log_open.open {
            options.append(true);
        } else {
            let base = match log_open.saved_hash.clone() {
                Some(hash) => hash,
                None => sha256_hex(&self.base_bytes()?),
            };
            let header = LogHeader { base };
            bytes.extend(serde_json::to_vec(&header).unwrap_or_default());
            bytes.push(b'\n');
            options.write(true).create(true).truncate(true);
        }
        // Serialising plain data (string keys only) cannot fail.
        bytes.extend(serde_json::to_vec(change).unwrap_or_default());
        bytes.push(b'\n');
        let mut file = options.open(&log_path).map_err(&io)?;
        file.write_all(&bytes).map_err(&io)?;
        file.sync_data().map_err(&io)?;
        log_open.open = true;
        Ok(())
    }
}
