//! The regions of each AWS partition, vendored in `data/regions.tsv` from botocore's endpoint
//! data (its version is in the file's first line; `scripts/vendor_regions.py` rewrites it).

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/regions.tsv");

fn regions() -> &'static HashMap<&'static str, &'static str> {
    static REGIONS: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    REGIONS.get_or_init(|| {
        DATA.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .flat_map(|(partition, list)| list.split(',').map(move |r| (r, partition)))
            .collect()
    })
}

/// The partition `region` belongs to (`aws`, `aws-cn`, `aws-us-gov`...), or `None` when it is
/// no region of any partition.
///
/// ```
/// assert_eq!(landform_core::regions::partition_of("eu-west-1"), Some("aws"));
/// assert_eq!(landform_core::regions::partition_of("us-gov-west-1"), Some("aws-us-gov"));
/// assert_eq!(landform_core::regions::partition_of("eu-west-4"), None);
/// ```
pub fn partition_of(region: &str) -> Option<&'static str> {
    regions().get(region).copied()
}

/// Where the list came from (the data file's `# source:` line).
///
/// ```
/// assert!(landform_core::regions::source().starts_with("botocore "));
/// ```
pub fn source() -> &'static str {
    DATA.lines()
        .find_map(|l| l.strip_prefix("# source: "))
        .unwrap_or("the vendored region list")
}

/// Whether `partition` is an AWS partition (`aws`, `aws-cn`, `aws-us-gov`...).
///
/// ```
/// assert!(landform_core::regions::is_partition("aws-us-gov"));
/// assert!(!landform_core::regions::is_partition("aws-gov"));
/// ```
pub fn is_partition(partition: &str) -> bool {
    DATA.lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.split('\t').next() == Some(partition))
}
