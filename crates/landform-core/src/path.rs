//! Construct paths: how errors, logical ids, lint findings and the graph name a node.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// A construct path: the ids from the root down, displayed joined by `/`.
///
/// Segments share the tree's own id strings, so naming every resource of a large app (as
/// the manifest does) copies no text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Path(pub(crate) Vec<Arc<str>>);

impl Path {
    /// A path from its segments.
    pub fn from_segments<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> Self {
        Path(segments.into_iter().map(|s| Arc::from(s.into())).collect())
    }
    /// The segments, root first.
    pub fn segments(&self) -> &[Arc<str>] {
        &self.0
    }
    /// The path with one more segment.
    pub fn join(&self, segment: &str) -> Path {
        let mut segments = self.0.clone();
        segments.push(Arc::from(segment));
        Path(segments)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, segment) in self.0.iter().enumerate() {
            if n > 0 {
                f.write_str("/")?;
            }
            f.write_str(segment)?;
        }
        Ok(())
    }
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
