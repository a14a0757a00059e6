//! The core crate's error type.

use std::path::PathBuf;

use crate::issue::Issues;

/// What went wrong in `landform-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// The app has problems; every one of them is listed. Fix them and synthesise again.
    #[error("{0}")]
    Validation(Issues),
    /// The assembly could not be written.
    #[error("cannot write {path}: {source} (check the directory exists and is writable)")]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Two conditions with the same operator and key in one statement: AWS would keep only
    /// one of them silently.
    #[error("condition {operator} on key {key} is given twice in one statement; merge the values into one condition")]
    DuplicateCondition {
        /// The condition operator (`StringEquals`).
        operator: String,
        /// The condition key (`aws:PrincipalOrgID`).
        key: String,
    },
    /// A resource type schema given to `schema::register` cannot be used.
    #[error("cannot register the schema of {type_name}: {reason}")]
    Schema {
        /// The schema's `typeName` (or what stood there).
        type_name: String,
        /// What is wrong with it.
        reason: String,
    },
}
