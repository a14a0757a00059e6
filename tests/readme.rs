//! The README tells the truth: its resource-count table is what the layouts synthesise.

use std::collections::BTreeSet;

use landform::constructs::layouts::{
    docustack, house_escort, resource_counts, DocuStackOptions, HouseEscortOptions,
};

const START: &str = "<!-- resource-counts:start -->\n";
const END: &str = "<!-- resource-counts:end -->";

fn table() -> String {
    let he = house_escort(&HouseEscortOptions::default())
        .synth()
        .expect("House Escort synthesises");
    let ds = docustack(&DocuStackOptions::default())
        .synth()
        .expect("DocuStack synthesises");
    let (he_counts, ds_counts) = (resource_counts(&he), resource_counts(&ds));
    let types: BTreeSet<&String> = he_counts.keys().chain(ds_counts.keys()).collect();
    let mut out = String::from("| Resource type | House Escort | DocuStack |\n|---|---:|---:|\n");
    for t in types {
        let count = |c: &std::collections::BTreeMap<String, usize>| c.get(t).copied().unwrap_or(0);
        out.push_str(&format!(
            "| `{t}` | {} | {} |\n",
            count(&he_counts),
            count(&ds_counts)
        ));
    }
    out.push_str(&format!(
        "| **stacks / resources** | {} / {} | {} / {} |\n",
        he.stacks().len(),
        he_counts.values().sum::<usize>(),
        ds.stacks().len(),
        ds_counts.values().sum::<usize>()
    ));
    out
}

#[test]
fn readme_resource_counts_match_the_layouts() {
    let readme = include_str!("../README.md");
    let start = readme
        .find(START)
        .expect("README has the resource-counts markers")
        + START.len();
    let end = readme[start..].find(END).expect("end marker") + start;
    let expected = table();
    assert!(
        readme[start..end] == expected,
        "README resource counts are stale; replace the table between the markers with:\n{expected}"
    );
}
