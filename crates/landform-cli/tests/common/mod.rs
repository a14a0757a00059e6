//! Helpers shared by the lint fixture tests.
#![allow(dead_code)]

use landform_cli::lint::{self, LintReport, Rule, Suppressions};
use landform_core::{App, Environment, Resource, Scope, Value};
use serde_json::Value as Json;

/// A resource of `type_name` with the top-level properties of `props`.
pub fn res(type_name: &'static str, props: Json) -> Resource {
    let mut r = Resource::new(type_name);
    if let Json::Object(map) = props {
        for (k, v) in map {
            r.set_property(k, Value::from(v));
        }
    }
    r
}

/// One stage, one stack `App/Mgmt/Main`, built by `build`.
pub fn single(build: impl FnOnce(&mut Scope<'_>)) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "Main");
    build(&mut app.scope(stack));
    app
}

pub fn lint(app: &App) -> LintReport {
    let assembly = app.synth().expect("fixture synthesises");
    lint::check(&assembly, &Suppressions::from_tree(app.tree()))
}

pub fn fired(app: &App, rule: Rule) -> Vec<String> {
    lint(app)
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.path.to_string())
        .collect()
}

pub fn assert_fires(app: &App, rule: Rule, path: &str) {
    let paths = fired(app, rule);
    assert!(
        paths.iter().any(|p| p == path),
        "{rule} should fire at {path}, fired at {paths:?}"
    );
}

pub fn assert_quiet(app: &App, rule: Rule) {
    let paths = fired(app, rule);
    assert!(
        paths.is_empty(),
        "{rule} should not fire, fired at {paths:?}"
    );
}
