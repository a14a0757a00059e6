//! Every resource of both reference layouts, House Escort at N = 1000 included, fits its
//! CloudFormation registry schema (issue 13): the check synth runs finds nothing, and every
//! type the layouts emit has a schema (none is let through as unknown).

use std::collections::BTreeSet;

use landform::constructs::layouts::{
    docustack, house_escort, DocuStackOptions, HouseEscortOptions,
};
use landform::core::{schema, App};

fn types(app: &App) -> BTreeSet<String> {
    let tree = app.tree();
    tree.ids()
        .filter_map(|id| tree.node(id).resource().map(|r| r.type_name().to_owned()))
        .collect()
}

#[test]
fn both_layouts_fit_their_schemas_with_no_issue() {
    for (name, app) in [
        ("house_escort", house_escort(&HouseEscortOptions::default())),
        (
            "house_escort N=1000",
            house_escort(&HouseEscortOptions {
                extra_workload_accounts: 1000,
                ..Default::default()
            }),
        ),
        ("docustack", docustack(&DocuStackOptions::default())),
    ] {
        let issues = schema::check_app(&app);
        assert!(issues.is_empty(), "{name}: {issues:#?}");
        for t in types(&app) {
            assert!(schema::lookup(&t).is_some(), "{name}: {t} has a schema");
        }
    }
}
