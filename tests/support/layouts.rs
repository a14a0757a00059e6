//! What the lint and cross-check tests share: both reference layouts written as templates.

use std::path::Path;

use landform::constructs::layouts::{
    docustack, house_escort, DocuStackOptions, HouseEscortOptions,
};

/// House Escort (with one extra workload account) and DocuStack, written to
/// `dir/house_escort` and `dir/docustack`.
pub fn write_both(dir: &Path) {
    let he = house_escort(&HouseEscortOptions {
        extra_workload_accounts: 1,
        ..Default::default()
    })
    .synth()
    .expect("house escort synthesises");
    he.write(dir.join("house_escort")).expect("written");
    let ds = docustack(&DocuStackOptions::default())
        .synth()
        .expect("docustack synthesises");
    ds.write(dir.join("docustack")).expect("written");
}
