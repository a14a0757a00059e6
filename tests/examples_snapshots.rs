//! The templates and manifests of both reference layouts, held as snapshots: any change to a
//! synthesised template (a renamed logical id is a replacement in AWS) shows up in review.

use landform::constructs::layouts::{
    docustack, house_escort, resource_counts, DocuStackOptions, HouseEscortOptions,
};
use landform::core::Assembly;

fn snapshot(layout: &str, assembly: &Assembly) {
    for stack in assembly.stacks() {
        insta::assert_json_snapshot!(format!("{layout}__{}", stack.name), stack.template);
    }
    insta::assert_json_snapshot!(format!("{layout}__manifest"), assembly.manifest());
    insta::assert_json_snapshot!(
        format!("{layout}__resource_counts"),
        resource_counts(assembly)
    );
}

#[test]
fn house_escort_templates_match_their_snapshots() {
    let assembly = house_escort(&HouseEscortOptions::default())
        .synth()
        .expect("house escort synthesises");
    snapshot("house_escort", &assembly);
}

#[test]
fn docustack_templates_match_their_snapshots() {
    let assembly = docustack(&DocuStackOptions::default())
        .synth()
        .expect("docustack synthesises");
    snapshot("docustack", &assembly);
}

#[test]
fn synthesis_is_byte_identical_across_runs() {
    let a = house_escort(&HouseEscortOptions {
        extra_workload_accounts: 2,
        ..Default::default()
    })
    .synth()
    .expect("ok");
    let b = house_escort(&HouseEscortOptions {
        extra_workload_accounts: 2,
        ..Default::default()
    })
    .synth()
    .expect("ok");
    let text = |x: &Assembly| {
        x.stacks()
            .iter()
            .map(Assembly::template_text)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(text(&a), text(&b));
    assert_eq!(a.manifest(), b.manifest());
}

#[test]
fn adding_workload_accounts_renames_nothing_that_exists() {
    let base = house_escort(&HouseEscortOptions::default())
        .synth()
        .expect("ok");
    let more = house_escort(&HouseEscortOptions {
        extra_workload_accounts: 3,
        ..Default::default()
    })
    .synth()
    .expect("ok");
    for stack in base.stacks() {
        let grown = more.stack(&stack.name).expect("every stack is still there");
        for id in stack.resources.keys() {
            assert!(grown.resources.contains_key(id), "{} lost {id}", stack.name);
        }
    }
}
