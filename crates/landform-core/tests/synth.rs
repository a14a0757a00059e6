//! Synthesis behaviour: reference resolution, dependencies, cycles, limits, determinism.

use landform_core::{
    limits, text, App, Environment, Issue, NodeId, Pseudo, Resource, ResourceHandle, SubPart, Value,
};
use serde_json::json;

const MGMT: &str = "111111111111";
const OTHER: &str = "222222222222";

fn bucket() -> Resource {
    Resource::new("AWS::S3::Bucket")
}

fn account(name: &str) -> Resource {
    Resource::new("AWS::Organizations::Account")
        .property("AccountName", name)
        .property("Email", format!("aws+{name}@example.com"))
}

/// A custom resource: any property goes (the schema check has nothing to say), so a test of
/// references can name its properties as it likes.
fn thing() -> Resource {
    Resource::new("Custom::Thing").property(
        "ServiceToken",
        "arn:aws:lambda:us-east-1:111111111111:function:thing",
    )
}

fn issues(app: &App) -> Vec<Issue> {
    app.validate().0
}

fn codes(app: &App) -> Vec<String> {
    issues(app).into_iter().map(|i| i.code).collect()
}

#[test]
fn same_stack_reference_becomes_ref_and_get_att() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let stack = app.add_stack(stage, "Main");
    let mut scope = app.scope(stack);
    let b = scope.add_resource("Logs", bucket());
    scope.add_resource(
        "Policy",
        thing()
            .property("Bucket", b.ref_value())
            .property("Arn", b.get_att("Arn")),
    );
    let assembly = app.synth().unwrap();
    let props = &assembly.stacks()[0].template["Resources"]["Policy"]["Properties"];
    assert_eq!(props["Bucket"], json!({"Ref": "Logs"}));
    assert_eq!(props["Arn"], json!({"Fn::GetAtt": ["Logs", "Arn"]}));
    assert!(assembly.stacks()[0].dependencies.is_empty());
}

#[test]
fn same_environment_reference_is_an_export_and_import() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let producer = app.add_stack(stage, "Producer");
    let consumer = app.add_stack(stage, "Consumer");
    let b = app.scope(producer).add_resource("Logs", bucket());
    app.scope(consumer)
        .add_resource("Reader", thing().property("LogBucket", b.ref_value()));
    let assembly = app.synth().unwrap();
    let names: Vec<&str> = assembly.stacks().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Mgmt-Producer", "Mgmt-Consumer"]);
    let consumer = assembly.stack("Mgmt-Consumer").unwrap();
    assert_eq!(
        consumer.template["Resources"]["Reader"]["Properties"]["LogBucket"],
        json!({"Fn::ImportValue": "Mgmt-Producer:ExportLogsRef"})
    );
    assert_eq!(consumer.dependencies[0].stack, "Mgmt-Producer");
    assert_eq!(
        consumer.dependencies[0].reasons,
        ["App/Mgmt/Consumer/Reader reads App/Mgmt/Producer/Logs.Ref"]
    );
    let producer = assembly.stack("Mgmt-Producer").unwrap();
    assert_eq!(
        producer.template["Outputs"]["ExportLogsRef"],
        json!({"Value": {"Ref": "Logs"}, "Export": {"Name": "Mgmt-Producer:ExportLogsRef"}})
    );
}

#[test]
fn cross_account_reference_is_a_parameter_wired_in_the_manifest_without_export() {
    let mut app = App::new();
    let a = app.add_stage("Security", Environment::new(MGMT, "us-east-1"));
    let b = app.add_stage("Workload", Environment::new(OTHER, "us-east-1"));
    let producer = app.add_stack(a, "Logs");
    let consumer = app.add_stack(b, "Trail");
    let logs = app.scope(producer).add_resource("Bucket", bucket());
    app.scope(consumer).add_resource(
        "Trail",
        Resource::new("AWS::CloudTrail::Trail")
            .property("S3BucketName", logs.ref_value())
            .property("IsLogging", true),
    );
    let assembly = app.synth().unwrap();
    let trail = assembly.stack("Workload-Trail").unwrap();
    let (param, source) = trail.parameters.iter().next().unwrap();
    assert_eq!(source.stack, "Security-Logs");
    assert_eq!(source.output, "ExportBucketRef");
    assert_eq!(
        trail.template["Resources"]["Trail"]["Properties"]["S3BucketName"],
        json!({ "Ref": param })
    );
    assert_eq!(trail.template["Parameters"][param]["Type"], "String");
    let output = &assembly.stack("Security-Logs").unwrap().template["Outputs"]["ExportBucketRef"];
    assert!(
        output.get("Export").is_none(),
        "no export across accounts: {output}"
    );
    let manifest = assembly.manifest();
    assert_eq!(
        manifest["stacks"][1]["parameters"][param],
        json!({"stack": "Security-Logs", "output": "ExportBucketRef"})
    );
}

#[test]
fn other_region_same_account_is_also_a_parameter() {
    let mut app = App::new();
    let a = app.add_stage("East", Environment::new(MGMT, "us-east-1"));
    let b = app.add_stage("West", Environment::new(MGMT, "us-west-2"));
    let producer = app.add_stack(a, "P");
    let consumer = app.add_stack(b, "C");
    let h = app.scope(producer).add_resource("B", bucket());
    app.scope(consumer)
        .add_resource("R", thing().property("X", h.get_att("Arn")));
    let assembly = app.synth().unwrap();
    assert_eq!(assembly.stack("West-C").unwrap().parameters.len(), 1);
}

#[test]
fn stage_account_from_a_created_account_waits_for_it() {
    let mut app = App::new();
    let mgmt = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let org = app.add_stack(mgmt, "Org");
    let account = app.scope(org).add_resource(
        "Prod",
        Resource::new("AWS::Organizations::Account")
            .property("AccountName", "prod")
            .property("Email", "prod@example.com"),
    );
    let prod = app.add_stage(
        "Prod",
        Environment::for_account(account.att_token("AccountId"), "us-east-1"),
    );
    let base = app.add_stack(prod, "Baseline");
    app.scope(base).add_resource(
        "Detector",
        Resource::new("AWS::GuardDuty::Detector").property("Enable", true),
    );
    let assembly = app.synth().unwrap();
    let manifest = assembly.manifest();
    assert_eq!(
        manifest["stacks"][1]["environment"]["account"],
        json!({"fromOutput": {"stack": "Mgmt-Org", "output": "ExportProdAccountId"}})
    );
    assert_eq!(assembly.stacks()[1].dependencies[0].stack, "Mgmt-Org");
}

#[test]
fn reading_from_a_stack_in_an_account_it_creates_is_a_cycle() {
    // Stack A creates the account that stage Own deploys into; A also reads a resource of
    // Own/B: B waits for A (its account) and A waits for B (the reference).
    let mut app = App::new();
    let stage = app.add_stage("S", Environment::new(MGMT, "us-east-1"));
    let a = app.add_stack(stage, "A");
    let acct = app.scope(a).add_resource("Acct", account("acct"));
    let own = app.add_stage(
        "Own",
        Environment::for_account(acct.att_token("AccountId"), "us-east-1"),
    );
    let b = app.add_stack(own, "B");
    let in_b = app.scope(b).add_resource("R", bucket());
    app.scope(a)
        .add_resource("Reader", thing().property("X", in_b.ref_value()));
    let issues = issues(&app);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].code, "App.StackCycle");
    assert!(
        issues[0]
            .value
            .contains("App/Own/B deploys into the account created by App/S/A/Acct"),
        "{}",
        issues[0].value
    );
    assert!(
        issues[0]
            .value
            .contains("App/S/A/Reader reads App/Own/B/R.Ref"),
        "{}",
        issues[0].value
    );
}

#[test]
fn stack_cycle_is_named_by_construct_paths_and_reasons() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let a = app.add_stack(stage, "A");
    let b = app.add_stack(stage, "B");
    let ra = app.scope(a).add_resource("RA", thing());
    let rb = app
        .scope(b)
        .add_resource("RB", thing().property("X", ra.ref_value()));
    if let Some(r) = app.tree_mut().resource_mut(ra.node()) {
        r.set_property("Y", rb.ref_value());
    }
    let issues = issues(&app);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].code, "App.StackCycle");
    assert_eq!(issues[0].path.to_string(), "App/Mgmt/A");
    assert!(
        issues[0]
            .value
            .contains("App/Mgmt/A -> App/Mgmt/B (App/Mgmt/A/RA reads App/Mgmt/B/RB.Ref)"),
        "{}",
        issues[0].value
    );
    assert!(issues[0]
        .value
        .contains("App/Mgmt/B -> App/Mgmt/A (App/Mgmt/B/RB reads App/Mgmt/A/RA.Ref)"));
}

#[test]
fn resource_cycle_inside_a_stack_is_reported() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let s = app.add_stack(stage, "A");
    let one = app.scope(s).add_resource("One", thing());
    let two = app
        .scope(s)
        .add_resource("Two", thing().property("X", one.ref_value()));
    app.tree_mut()
        .resource_mut(one.node())
        .unwrap()
        .set_property("Y", two.get_att("Arn"));
    let issues = issues(&app);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, "Stack.ResourceCycle");
    assert_eq!(
        issues[0].value,
        "App/Mgmt/A/One -> App/Mgmt/A/Two -> App/Mgmt/A/One"
    );
}

#[test]
fn explicit_depends_on_is_written_unless_a_reference_implies_it() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let s = app.add_stack(stage, "A");
    let first = app.scope(s).add_resource("First", bucket());
    let second = app
        .scope(s)
        .add_resource("Second", bucket().depends_on(first.node()));
    app.scope(s).add_resource(
        "Third",
        thing()
            .depends_on(first.node())
            .property("X", first.ref_value()),
    );
    let t = app.synth().unwrap().stacks()[0].template.clone();
    assert_eq!(t["Resources"]["Second"]["DependsOn"], json!(["First"]));
    assert!(
        t["Resources"]["Third"].get("DependsOn").is_none(),
        "implied by Ref (cfn-lint W3005)"
    );
    let _ = second;
}

#[test]
fn explicit_dependency_across_stacks_orders_the_stacks() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let late = app.add_stack(stage, "Late");
    let early = app.add_stack(stage, "Early");
    let target = app.scope(early).add_resource("T", bucket());
    app.scope(late).add_resource("L", bucket());
    app.scope(late)
        .add_dependency(target.node(), "Late needs T to exist");
    let assembly = app.synth().unwrap();
    let names: Vec<&str> = assembly.stacks().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Mgmt-Early", "Mgmt-Late"]);
    assert_eq!(
        assembly.stacks()[1].dependencies[0].reasons,
        ["Late needs T to exist"]
    );
}

#[test]
fn sub_renders_refs_atts_pseudos_and_escapes_literal_dollar_braces() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let s = app.add_stack(stage, "A");
    let other = app.add_stage("Other", Environment::new(OTHER, "us-east-1"));
    let os = app.add_stack(other, "P");
    let remote = app.scope(os).add_resource("Remote", bucket());
    let b = app.scope(s).add_resource("B", bucket());
    let v = Value::sub([
        text("arn:"),
        SubPart::Value(Pseudo::Partition.into()),
        text(":${literal}:"),
        SubPart::Value(b.ref_value()),
        text("/"),
        SubPart::Value(b.get_att("Arn")),
        text("/"),
        SubPart::Value(remote.ref_value()),
        text("/"),
        SubPart::Value(Value::join("-", [Value::from("a"), b.ref_value()])),
    ]);
    app.scope(s).add_resource("User", thing().property("X", v));
    let assembly = app.synth().unwrap();
    let stack = assembly.stack("Mgmt-A").unwrap();
    let param = stack.parameters.keys().next().unwrap().clone();
    assert_eq!(
        stack.template["Resources"]["User"]["Properties"]["X"],
        json!({"Fn::Sub": [
            format!("arn:${{AWS::Partition}}:${{!literal}}:${{B}}/${{B.Arn}}/${{{param}}}/${{Var0}}"),
            {"Var0": {"Fn::Join": ["-", ["a", {"Ref": "B"}]]}}
        ]})
    );
}

#[test]
fn sub_without_variables_is_a_plain_string() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let s = app.add_stack(stage, "A");
    app.scope(s).add_resource(
        "B",
        thing()
            .property("X", Value::sub([text("a${b}"), text("c")]))
            // Literal text whose escaping puts `${!` next to `$` and `{`: still no variable.
            .property("Y", Value::sub([text("$${{")])),
    );
    let t = app.synth().unwrap().stacks()[0].template.clone();
    assert_eq!(t["Resources"]["B"]["Properties"]["X"], json!("a${b}c"));
    assert_eq!(t["Resources"]["B"]["Properties"]["Y"], json!("$${{"));
}

#[test]
fn every_issue_is_reported_at_once_with_its_path() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("12345", "moon-1"));
    let s = app.add_stack(stage, "A");
    app.scope(s).add_resource("Dup", bucket());
    app.scope(s).add_resource("Dup", bucket());
    app.scope(s).add_resource("bad/id", bucket());
    app.scope(s).add_resource(
        "Ref",
        bucket().property(
            "X",
            Value::Ref(landform_core::Reference {
                target: NodeId::ROOT,
                attribute: landform_core::Attribute::Ref,
            }),
        ),
    );
    let empty_stage = app.add_stage("Empty", Environment::new(OTHER, "us-east-1"));
    app.add_stack(empty_stage, "Nothing");
    // Shaped like a region, but no partition has it; a region of another partition is fine.
    let typo = app.add_stage("Typo", Environment::new(OTHER, "eu-west-4"));
    let s = app.add_stack(typo, "A");
    app.scope(s).add_resource("B", bucket());
    let gov = app.add_stage("Gov", Environment::new(OTHER, "us-gov-west-1"));
    let s = app.add_stack(gov, "A");
    app.scope(s).add_resource("B", bucket());
    let found: Vec<(String, String)> = issues(&app)
        .into_iter()
        .map(|i| (i.code, i.path.to_string()))
        .collect();
    for expected in [
        ("Tree.DuplicateId", "App/Mgmt/A/Dup"),
        ("Tree.InvalidId", "App/Mgmt/A/bad/id"),
        ("Stage.Region", "App/Mgmt"),
        ("Stage.AccountId", "App/Mgmt"),
        ("Reference.NotAResource", "App/Mgmt/A/Ref"),
        ("Stack.NoResources", "App/Empty/Nothing"),
        ("Stage.UnknownRegion", "App/Typo"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "missing {expected:?} in {found:?}"
        );
    }
    assert!(
        !found.iter().any(|(_, path)| path.starts_with("App/Gov")),
        "{found:?}"
    );
    let err = app.synth().unwrap_err().to_string();
    assert!(err.contains("App/Mgmt/A/Dup: id = \"Dup\""), "{err}");
    assert!(err.contains("botocore"), "the rule names its source: {err}");
}

#[test]
fn invalid_stack_names_are_refused() {
    let mut app = App::new();
    let stage = app.add_stage("9lives", Environment::new(MGMT, "us-east-1"));
    let s = app.add_stack(stage, "has_underscore");
    app.scope(s).add_resource("B", bucket());
    assert_eq!(codes(&app), ["Stack.Name"]);
}

#[test]
fn resources_outside_stacks_are_refused() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    app.scope(stage).add_resource("Loose", bucket());
    assert!(codes(&app).contains(&"Tree.ResourceOutsideStack".to_owned()));
}

fn one_stack(resources: usize) -> (App, NodeId) {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let s = app.add_stack(stage, "A");
    for i in 0..resources {
        app.scope(s).add_resource(&format!("R{i}"), bucket());
    }
    (app, s)
}

#[test]
fn resource_limit_is_500() {
    let (ok, _) = one_stack(limits::MAX_RESOURCES);
    assert!(ok.synth().is_ok());
    let (over, _) = one_stack(limits::MAX_RESOURCES + 1);
    let issues = issues(&over);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, "Stack.TooManyResources");
    assert_eq!(issues[0].value, "501");
    assert_eq!(issues[0].path.to_string(), "App/Mgmt/A");
}

#[test]
fn output_limit_is_200() {
    for (count, ok) in [
        (limits::MAX_OUTPUTS, true),
        (limits::MAX_OUTPUTS + 1, false),
    ] {
        let (mut app, s) = one_stack(1);
        for i in 0..count {
            app.scope(s).add_output(&format!("O{i}"), "v", None);
        }
        assert_eq!(app.synth().is_ok(), ok, "{count} outputs");
        if !ok {
            assert_eq!(codes(&app), ["Stack.TooManyOutputs"]);
        }
    }
}

fn cross_account_reads(count: usize) -> App {
    let mut app = App::new();
    let a = app.add_stage("A", Environment::new(MGMT, "us-east-1"));
    let b = app.add_stage("B", Environment::new(OTHER, "us-east-1"));
    let producer = app.add_stack(a, "P");
    let consumer = app.add_stack(b, "C");
    let handles: Vec<ResourceHandle> = (0..count)
        .map(|i| app.scope(producer).add_resource(&format!("R{i}"), bucket()))
        .collect();
    app.scope(consumer).add_resource(
        "Reader",
        thing().property("X", Value::array(handles.iter().map(|h| h.ref_value()))),
    );
    app
}

#[test]
fn parameter_limit_is_200() {
    assert!(cross_account_reads(limits::MAX_PARAMETERS).synth().is_ok());
    let over = cross_account_reads(limits::MAX_PARAMETERS + 1);
    let issues = issues(&over);
    // 201 exports from one producer also break the output limit.
    let found: Vec<&str> = issues.iter().map(|i| i.code.as_str()).collect();
    assert!(found.contains(&"Stack.TooManyParameters"), "{found:?}");
    let p = issues
        .iter()
        .find(|i| i.code == "Stack.TooManyParameters")
        .unwrap();
    assert_eq!(p.path.to_string(), "App/B/C");
}

#[test]
fn template_size_limit_is_one_megabyte() {
    let big = |bytes: usize| {
        let (mut app, s) = one_stack(0);
        app.scope(s)
            .add_resource("Big", thing().property("Blob", "x".repeat(bytes)));
        app
    };
    assert!(big(limits::MAX_TEMPLATE_BYTES - 1_000).synth().is_ok());
    let over = big(limits::MAX_TEMPLATE_BYTES);
    let issues = issues(&over);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, "Stack.TemplateTooLarge");
}

#[test]
fn logical_ids_do_not_change_when_siblings_are_added() {
    let build = |extra: bool| {
        let mut app = App::new();
        let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
        let s = app.add_stack(stage, "A");
        let mut scope = app.scope(s);
        if extra {
            scope.child("AAA", "Group").add_resource("Bucket", bucket());
        }
        scope
            .child("State", "Group")
            .add_resource("Bucket", bucket());
        if extra {
            scope.child("ZZZ", "Group").add_resource("Bucket", bucket());
        }
        app.synth().unwrap().stacks()[0].resources.clone()
    };
    let before = build(false);
    let after = build(true);
    for (id, info) in &before {
        assert_eq!(after.get(id), Some(info), "{id} renamed");
    }
    assert_eq!(after.len(), before.len() + 2);
}

#[test]
fn two_synths_are_byte_identical() {
    let build = || {
        let mut app = App::new();
        let a = app.add_stage("A", Environment::new(MGMT, "us-east-1"));
        let b = app.add_stage("B", Environment::new(OTHER, "eu-west-1"));
        let pa = app.add_stack(a, "P");
        let cb = app.add_stack(b, "C");
        let r = app
            .scope(pa)
            .add_resource("R", thing().property("Z", 1).property("A", true));
        app.scope(cb)
            .add_resource("S", thing().property("X", r.get_att("Arn")));
        app.scope(cb)
            .add_output("Out", r.ref_value(), Some("an output"));
        app.synth().unwrap()
    };
    let dir1 = tempfile::tempdir().unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let files1 = build().write(dir1.path()).unwrap();
    build().write(dir2.path()).unwrap();
    assert_eq!(files1.len(), 3);
    for file in files1 {
        let name = file.file_name().unwrap();
        assert_eq!(
            std::fs::read(&file).unwrap(),
            std::fs::read(dir2.path().join(name)).unwrap()
        );
    }
}

#[test]
fn writing_into_an_unwritable_place_is_a_typed_error() {
    let (app, _) = one_stack(1);
    let file = tempfile::NamedTempFile::new().unwrap();
    let err = app
        .synth()
        .unwrap()
        .write(file.path().join("sub"))
        .unwrap_err();
    assert!(
        matches!(err, landform_core::CoreError::Write { .. }),
        "{err}"
    );
}

#[test]
fn synthesising_into_an_unwritable_place_is_a_typed_error() {
    let (app, _) = one_stack(1);
    let file = tempfile::NamedTempFile::new().unwrap();
    let err = app.synth_to(file.path().join("sub")).unwrap_err();
    assert!(
        matches!(err, landform_core::CoreError::Write { .. }),
        "{err}"
    );
}

/// An app of 64 stacks in one stage, `Stack0` to `Stack63`, of different sizes (so that
/// stacks handled side by side finish at different times); `add` adds each stack's own part.
fn sixty_four_stacks(fillers: impl Fn(usize) -> usize, add: impl Fn(&mut App, NodeId)) -> App {
    let mut app = App::new();
    let stage = app.add_stage("S", Environment::new(MGMT, "us-east-1"));
    for n in 0..64 {
        let stack = app.add_stack(stage, &format!("Stack{n}"));
        for r in 0..fillers(n) {
            app.scope(stack)
                .add_resource(&format!("Filler{r}"), bucket());
        }
        add(&mut app, stack);
    }
    app
}

/// The paths of the issues with `code`, as a one-thread pool finds them, after checking that
/// the default pool finds the same issues, in the same order, five times over.
fn issue_paths_on_any_pool(app: &App, code: &str) -> Vec<String> {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let expected = one.install(|| issues(app));
    for _ in 0..5 {
        assert_eq!(issues(app), expected);
    }
    expected
        .iter()
        .filter(|i| i.code == code)
        .map(|i| i.path.to_string())
        .collect()
}

/// Stacks render side by side and may finish in any order; the issues still come in stack
/// order, as one thread rendering every stack in turn gives them.
#[test]
fn issues_found_while_rendering_keep_stack_order() {
    let app = sixty_four_stacks(
        |n| (n % 7) * 20,
        |app, stack| {
            // A reference to the stack itself, not a resource: an issue while rendering.
            let not_a_resource = landform_core::Reference {
                target: stack,
                attribute: landform_core::Attribute::Ref,
            };
            app.scope(stack)
                .add_resource("Reader", thing().property("X", Value::Ref(not_a_resource)));
        },
    );
    let in_order: Vec<String> = (0..64).map(|n| format!("App/S/Stack{n}/Reader")).collect();
    assert_eq!(
        issue_paths_on_any_pool(&app, "Reference.NotAResource"),
        in_order
    );
    assert_eq!(issues(&app).len(), 64);
}

/// Stacks are named side by side, each thread hashing the paths it meets; the ids that
/// collide are still reported in stack order, as one thread gives them.
#[test]
fn id_collisions_are_reported_in_stack_order() {
    let app = sixty_four_stacks(
        |n| (n % 5) * 30,
        |app, stack| {
            // The same id twice in a stack: the same path, so the same logical id.
            app.scope(stack).add_resource("Dup", bucket());
            app.scope(stack).add_resource("Dup", bucket());
        },
    );
    let in_order: Vec<String> = (0..64).map(|n| format!("App/S/Stack{n}/Dup")).collect();
    assert_eq!(
        issue_paths_on_any_pool(&app, "Stack.LogicalIdCollision"),
        in_order
    );
}

/// A token carries the identity of the App that made it (issue 12): used in another app it
/// is refused with its path, instead of landing on whatever resource has the same index
/// there. Both apps are built the same way, so the indices do line up.
#[test]
fn a_token_from_another_app_is_refused_not_resolved_to_a_neighbour() {
    let build = || {
        let mut app = App::new();
        let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
        let stack = app.add_stack(stage, "A");
        let b = app.scope(stack).add_resource("B", bucket());
        (app, stage, stack, b)
    };
    let (_other, other_stage, _, other_bucket) = build();
    let (mut app, _, stack, _mine) = build();
    app.scope(stack).add_resource(
        "Reader",
        thing().property("Target", other_bucket.get_att("Arn")),
    );
    app.scope(stack)
        .add_resource("Waits", bucket().depends_on(other_bucket.node()));
    // A node of the other app as a scope: reported, and nothing is added under it.
    app.scope(other_stage).add_resource("Lost", bucket());
    let found: Vec<(String, String)> = issues(&app)
        .into_iter()
        .map(|i| (i.code, i.path.to_string()))
        .collect();
    for expected in [
        ("Reference.ForeignApp", "App/Mgmt/A/Reader"),
        ("Reference.ForeignApp", "App/Mgmt/A/Waits"),
        ("Tree.ForeignNode", "App"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "missing {expected:?} in {found:?}"
        );
    }
    assert!(app.synth().is_err());

    // The same reference inside its own app resolves.
    let (mut own, _, stack, b) = build();
    own.scope(stack)
        .add_resource("Reader", thing().property("Target", b.get_att("Arn")));
    assert!(own.synth().is_ok());
}

/// Names AWS keeps unique in a scope (issue 12): the second of two resources with one name in
/// the same scope is refused with `<Type>.DuplicateName`; the same name in another scope
/// passes.
#[test]
fn names_unique_in_their_aws_scope_are_checked_across_the_app() {
    let mut app = App::new();
    let mgmt = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let other = app.add_stage("Other", Environment::new(OTHER, "us-east-1"));
    let org = app.add_stack(mgmt, "Org");
    let ou = |name: &str, parent: &str| {
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", name)
            .property("ParentId", parent)
    };
    app.scope(org)
        .add_resource("Ou1", ou("Workloads", "r-abcd"));
    app.scope(org)
        .add_resource("Ou2", ou("Workloads", "r-abcd"));
    app.scope(org)
        .add_resource("Ou3", ou("Workloads", "ou-abcd-11111111"));
    let role = |name: &str| {
        Resource::new("AWS::IAM::Role")
            .property("RoleName", name)
            .property("AssumeRolePolicyDocument", Value::from(json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
            })))
    };
    let a = app.add_stack(mgmt, "A");
    let b = app.add_stack(other, "B");
    app.scope(a).add_resource("Deploy", role("deploy"));
    app.scope(a).add_resource("DeployAgain", role("deploy"));
    app.scope(b).add_resource("Deploy", role("deploy"));
    app.scope(a)
        .add_resource("Logs", bucket().property("BucketName", "acme-logs"));
    app.scope(b)
        .add_resource("Logs", bucket().property("BucketName", "acme-logs"));
    let found: Vec<(String, String)> = issues(&app)
        .into_iter()
        .map(|i| (i.code, i.path.to_string()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "OrganizationalUnit.DuplicateName".to_owned(),
                "App/Mgmt/Org/Ou2".to_owned()
            ),
            (
                "Role.DuplicateName".to_owned(),
                "App/Mgmt/A/DeployAgain".to_owned()
            ),
            (
                "Bucket.DuplicateName".to_owned(),
                "App/Other/B/Logs".to_owned()
            ),
        ]
    );
}

/// Names that belong to Control Tower, StackSets or AWS (issue 14) are refused where the app
/// names a resource so, with the owner in the message; a name that only contains the prefix
/// later passes.
#[test]
fn names_owned_by_control_tower_stacksets_or_aws_are_refused() {
    let mut app = App::new();
    let mgmt = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let stack = app.add_stack(mgmt, "Baseline");
    let trail = |name: &str| Resource::new("AWS::CloudTrail::Trail").property("TrailName", name);
    app.scope(stack)
        .add_resource("Trail", trail("aws-controltower-BaselineCloudTrail"));
    app.scope(stack)
        .add_resource("Mine", trail("landform-aws-controltower-copy"));
    app.scope(stack).add_resource(
        "Exec",
        Resource::new("AWS::IAM::Role").property("RoleName", "AWSControlTowerExecution"),
    );
    app.scope(stack).add_resource(
        "Alias",
        Resource::new("AWS::KMS::Alias").property("AliasName", "alias/aws/s3"),
    );
    app.scope(stack).add_resource(
        "Full",
        Resource::new("AWS::Organizations::Policy").property("Name", "FullAWSAccess"),
    );
    let found = issues(&app);
    let codes: Vec<(String, String)> = found
        .iter()
        .filter(|i| i.code.ends_with(".ReservedName"))
        .map(|i| (i.code.clone(), i.path.to_string()))
        .collect();
    assert_eq!(
        codes,
        [
            ("Trail.ReservedName", "App/Mgmt/Baseline/Trail"),
            ("Role.ReservedName", "App/Mgmt/Baseline/Exec"),
            ("Alias.ReservedName", "App/Mgmt/Baseline/Alias"),
            ("Policy.ReservedName", "App/Mgmt/Baseline/Full"),
        ]
        .map(|(c, p)| (c.to_owned(), p.to_owned()))
    );
    let trail_issue = found
        .iter()
        .find(|i| i.code == "Trail.ReservedName")
        .unwrap();
    assert!(
        trail_issue.rule.contains("Control Tower"),
        "{trail_issue:?}"
    );
}

/// A raw resource's policy is checked for IAM's grammar like a typed one's (issue 12).
#[test]
fn policy_statements_of_the_wrong_shape_are_refused_with_their_place() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let stack = app.add_stack(stage, "Roles");
    let trust = Value::from(serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                       "Action": "sts:AssumeRole", "Resource": "*"}]
    }));
    app.scope(stack).add_resource(
        "Fn",
        Resource::new("AWS::IAM::Role").property("AssumeRolePolicyDocument", trust),
    );
    let found = issues(&app);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "Policy.ResourceInTrustPolicy");
    assert_eq!(found[0].path.to_string(), "App/Mgmt/Roles/Fn");
    assert_eq!(
        found[0].field,
        "AssumeRolePolicyDocument.Statement[0].Resource"
    );
}

/// Identifiers AWS checks for shape, on raw resources: each malformed one is reported at its
/// resource with its code; the well-formed twin beside it is not.
#[test]
fn malformed_identifiers_of_raw_resources_are_reported() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "eu-west-1"));
    let s = app.add_stack(stage, "A");
    let mut add = |id: &str, resource: Resource| {
        app.scope(s).add_resource(id, resource);
    };
    let account = |parent: &str| {
        Resource::new("AWS::Organizations::Account")
            .property("AccountName", "a")
            .property("Email", "a@example.com")
            .property("ParentIds", Value::array([Value::from(parent)]))
            .removal_policy(landform_core::RemovalPolicy::Retain)
    };
    add("BadParent", account("ou-root-1"));
    add("GoodParent", account("ou-ab12-cdefgh12"));
    add(
        "BadOuParent",
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", "x")
            .property("ParentId", "root"),
    );
    add(
        "GoodOuParent",
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", "y")
            .property("ParentId", "r-ab12"),
    );
    let policy = |name: &str, target: &str| {
        Resource::new("AWS::Organizations::Policy")
            .property("Name", name)
            .property("Type", "SERVICE_CONTROL_POLICY")
            .property("Content", json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}))
            .property("TargetIds", Value::array([Value::from(target)]))
    };
    add("BadTarget", policy("p1", "1234"));
    add("GoodTarget", policy("p2", "123456789012"));
    let vpc = |cidr: &str| Resource::new("AWS::EC2::VPC").property("CidrBlock", cidr);
    add("WideVpc", vpc("10.0.0.0/8"));
    add("ShiftedVpc", vpc("10.0.0.1/16"));
    add("GoodVpc", vpc("10.1.0.0/16"));
    let subnet = |zone: &str| {
        Resource::new("AWS::EC2::Subnet")
            .property("VpcId", "vpc-1")
            .property("CidrBlock", "10.1.0.0/24")
            .property("AvailabilityZone", zone)
    };
    add("OtherRegionSubnet", subnet("us-east-1a"));
    add("GoodSubnet", subnet("eu-west-1b"));
    let mut found: Vec<(String, String)> = issues(&app)
        .into_iter()
        .map(|i| (i.code, i.path.to_string()))
        .collect();
    found.sort();
    let wanted = [
        ("Organizations.ParentId", "App/Mgmt/A/BadOuParent"),
        ("Organizations.ParentId", "App/Mgmt/A/BadParent"),
        ("Organizations.TargetId", "App/Mgmt/A/BadTarget"),
        ("Subnet.AvailabilityZone", "App/Mgmt/A/OtherRegionSubnet"),
        ("Vpc.CidrBlock", "App/Mgmt/A/ShiftedVpc"),
        ("Vpc.CidrBlock", "App/Mgmt/A/WideVpc"),
    ];
    let wanted: Vec<(String, String)> = wanted
        .iter()
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect();
    assert_eq!(found, wanted);
}

/// A managed policy document of about `chars` characters, minified (each bucket ARN with its
/// quotes and comma is 32 characters).
fn policy_of(chars: usize) -> serde_json::Value {
    let arns: Vec<String> = (0..chars / 32)
        .map(|i| format!("arn:aws:s3:::bucket-{i:09}"))
        .collect();
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": arns}]})
}

#[test]
fn hard_quotas_are_errors_and_adjustable_ones_within_their_ceiling_are_not() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new(MGMT, "us-east-1"));
    let stack = app.add_stack(stage, "A");
    let mut s = app.scope(stack);
    let mut add = |id: &str, r: Resource| {
        s.add_resource(id, r);
    };
    add(
        "BigPolicy",
        Resource::new("AWS::IAM::ManagedPolicy").property("PolicyDocument", policy_of(7_000)),
    );
    add(
        "OkPolicy",
        Resource::new("AWS::IAM::ManagedPolicy").property("PolicyDocument", policy_of(6_000)),
    );
    let trust = |chars: usize| {
        let n = chars / 16;
        let principals: Vec<String> = (0..n)
            .map(|i| format!("{:012}", 100_000_000_000u64 + i as u64))
            .collect();
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}]})
    };
    // 3,000 characters of trust policy: past the default 2,048 (a lint warning), within 4,096.
    add(
        "WideTrust",
        Resource::new("AWS::IAM::Role").property("AssumeRolePolicyDocument", trust(3_000)),
    );
    add(
        "HugeTrust",
        Resource::new("AWS::IAM::Role").property("AssumeRolePolicyDocument", trust(5_000)),
    );
    let arns = |n: usize| {
        Value::array((0..n).map(|i| Value::from(format!("arn:aws:iam::aws:policy/P{i}"))))
    };
    add(
        "ManyPolicies",
        Resource::new("AWS::IAM::Role")
            .property("AssumeRolePolicyDocument", trust(100))
            .property("ManagedPolicyArns", arns(21)),
    );
    add(
        "FifteenPolicies",
        Resource::new("AWS::IAM::Role")
            .property("AssumeRolePolicyDocument", trust(100))
            .property("ManagedPolicyArns", arns(15)),
    );
    add(
        "InlineHeavy",
        Resource::new("AWS::IAM::Role")
            .property("AssumeRolePolicyDocument", trust(100))
            .property(
                "Policies",
                json!([{"PolicyName": "a", "PolicyDocument": policy_of(6_000)}, {"PolicyName": "b", "PolicyDocument": policy_of(6_000)}]),
            ),
    );
    for i in 0..1_001 {
        if i % 400 == 0 {
            let more = app.add_stack(stage, &format!("Units{}", i / 400));
            s = app.scope(more);
        }
        s.add_resource(
            &format!("Ou{i}"),
            Resource::new("AWS::Organizations::OrganizationalUnit")
                .property("Name", format!("ou{i}"))
                .property("ParentId", "r-ab12"),
        );
    }
    let found: Vec<(String, String)> = issues(&app)
        .into_iter()
        .map(|i| (i.code, i.path.to_string()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "Quota.ManagedPolicyLength".to_owned(),
                "App/Mgmt/A/BigPolicy".to_owned()
            ),
            (
                "Quota.TrustPolicyLength".into(),
                "App/Mgmt/A/HugeTrust".into()
            ),
            (
                "Quota.ManagedPoliciesPerRole".into(),
                "App/Mgmt/A/ManyPolicies".into()
            ),
            (
                "Quota.RoleInlinePolicyLength".into(),
                "App/Mgmt/A/InlineHeavy".into()
            ),
            (
                "Quota.OrganizationalUnits".into(),
                "App/Mgmt/Units2/Ou1000".into()
            ),
        ]
    );
    let text = issues(&app)[0].to_string();
    assert!(
        text.contains("\"Managed policy length\" (IAM): hard limit 6,144"),
        "{text}"
    );
}
