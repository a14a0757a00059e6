//! Logical ids derived from construct paths: a readable prefix plus a short hash of the full
//! path (the CDK's `makeUniqueId` scheme), so adding a sibling never renames a resource.

use sha2::{Digest, Sha256};

/// CloudFormation's limit on a logical id's length.
pub const MAX_LOGICAL_ID_LEN: usize = 255;
const HASH_LEN: usize = 8;

/// The logical id for a node, given its path segments below the stack.
///
/// One alphanumeric segment is used as it is (`Bucket`); otherwise the alphanumeric parts of
/// the segments are joined and the first 8 hex digits of the SHA-256 of the `/`-joined path are
/// appended. Segments named `Resource` or `Default` add nothing to the readable prefix (the CDK
/// convention for a construct's main resource).
///
/// ```
/// use landform_core::logical_id::logical_id;
/// assert_eq!(logical_id(&["Bucket"]), "Bucket");
/// let id = logical_id(&["State", "Bucket"]);
/// assert!(id.starts_with("StateBucket") && id.len() == "StateBucket".len() + 8);
/// assert_eq!(id, logical_id(&["State", "Bucket"]));
/// ```
pub fn logical_id<S: AsRef<str>>(segments: &[S]) -> String {
    let mut id = String::new();
    push_logical_id(segments, &mut id);
    id
}

/// [`logical_id`], appended to `out` (synthesis keeps every id of an app in one buffer).
pub(crate) fn push_logical_id<S: AsRef<str>>(segments: &[S], out: &mut String) {
    if let [only] = segments {
        let only = only.as_ref();
        if is_valid_logical_id(only) {
            out.push_str(only);
            return;
        }
    }
    let start = out.len();
    for segment in segments {
        let segment = segment.as_ref();
        if segment == "Resource" || segment == "Default" {
            continue;
        }
        if segment.bytes().all(|b| b.is_ascii_alphanumeric()) {
            out.push_str(segment);
        } else {
            // The alphanumeric runs, each in one copy.
            for run in segment.split(|c: char| !c.is_ascii_alphanumeric()) {
                out.push_str(run);
            }
        }
    }
    // Only ASCII was pushed, so any length is a character boundary.
    out.truncate(start + (out.len() - start).min(MAX_LOGICAL_ID_LEN - HASH_LEN));
    if out.len() == start {
        out.push_str("Resource");
    }
    let mut hasher = Sha256::new();
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            hasher.update(b"/");
        }
        hasher.update(segment.as_ref().as_bytes());
    }
    let digest = hasher.finalize();
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in &digest[..HASH_LEN / 2] {
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 0xf) as usize] as char);
    }
}

/// True when `id` is a legal CloudFormation logical id (alphanumeric, 1 to 255 characters).
pub fn is_valid_logical_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LOGICAL_ID_LEN
        && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A legal name built from free text: its alphanumeric characters, hashed when too long.
pub(crate) fn alphanumeric_name(text: &str) -> String {
    let name: String = text.chars().filter(char::is_ascii_alphanumeric).collect();
    if name.len() <= MAX_LOGICAL_ID_LEN && !name.is_empty() {
        name
    } else {
        logical_id(&[text, "name"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_alphanumeric_segment_is_kept() {
        assert_eq!(logical_id(&["LockTable"]), "LockTable");
    }

    #[test]
    fn single_segment_with_symbols_is_hashed() {
        let id = logical_id(&["lock-table"]);
        assert!(id.starts_with("locktable"));
        assert_eq!(id.len(), "locktable".len() + 8);
    }

    #[test]
    fn id_depends_only_on_own_path() {
        let a = logical_id(&["Org", "Workloads"]);
        // Same readable prefix, different path: different hash.
        let b = logical_id(&["OrgW", "orkloads"]);
        assert!(a.starts_with("OrgWorkloads") && b.starts_with("OrgWorkloads"));
        assert_ne!(a, b);
    }

    #[test]
    fn known_value_is_stable_across_releases() {
        // Changing this value renames every resource users have deployed: a breaking change.
        assert_eq!(logical_id(&["State", "Bucket"]), "StateBucket3E5FCF3B");
    }

    #[test]
    fn resource_and_default_segments_are_hidden_from_the_prefix() {
        let id = logical_id(&["Trail", "Resource"]);
        assert!(id.starts_with("Trail") && !id.contains("Resource"));
        assert_ne!(id, logical_id(&["Trail"]));
    }

    #[test]
    fn long_paths_are_truncated_to_the_limit() {
        let long = "A".repeat(400);
        let id = logical_id(&[long.as_str(), "B"]);
        assert_eq!(id.len(), MAX_LOGICAL_ID_LEN);
        assert!(is_valid_logical_id(&id));
    }

    #[test]
    fn symbol_only_paths_still_give_legal_ids() {
        let id = logical_id(&["--", "__"]);
        assert!(is_valid_logical_id(&id), "{id}");
    }
}
