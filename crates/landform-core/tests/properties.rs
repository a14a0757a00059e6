//! Property tests: random trees synthesise deterministically, no input panics, ids are stable.

use landform_core::logical_id::{is_valid_logical_id, logical_id};
use landform_core::{text, App, Environment, NodeId, Resource, ResourceHandle, SubPart, Value};
use proptest::prelude::*;

/// A random app description: stages of stacks of resources, each resource maybe reading an
/// earlier one (anywhere in the app) or itself, with arbitrary ids and values.
/// A resource: id, maybe the index of an earlier resource it reads, a literal value.
type ResourceSpec = (String, Option<usize>, String);
/// A stack: id and resources.
type StackSpec = (String, Vec<ResourceSpec>);
/// A stage: id, account, region, stacks.
type StageSpec = (String, String, String, Vec<StackSpec>);

#[derive(Debug, Clone)]
struct Spec {
    stages: Vec<StageSpec>,
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z][A-Za-z0-9]{0,12}",
        1 => ".{0,8}",
        1 => Just("Dup".to_owned()),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let resource = (id(), proptest::option::of(0usize..64), ".{0,10}");
    let stack = (id(), proptest::collection::vec(resource, 0..5));
    let account = prop_oneof![4 => Just("111111111111".to_owned()), 1 => "[0-9]{10,13}"];
    let region = prop_oneof![4 => Just("us-east-1".to_owned()), 1 => "[a-z-]{3,12}[0-9]"];
    let stage = (
        id(),
        account,
        region,
        proptest::collection::vec(stack, 0..4),
    );
    proptest::collection::vec(stage, 0..4).prop_map(|stages| Spec { stages })
}

fn build(spec: &Spec) -> App {
    let mut app = App::new();
    let mut handles: Vec<ResourceHandle> = Vec::new();
    for (stage_id, account, region, stacks) in &spec.stages {
        let stage = app.add_stage(stage_id, Environment::new(account, region));
        for (stack_id, resources) in stacks {
            let stack = app.add_stack(stage, stack_id);
            for (rid, reads, literal) in resources {
                // A custom resource takes any property: the generated names and values reach
                // the template instead of stopping at the schema check.
                let mut resource = Resource::new("Custom::Thing")
                    .property(
                        "ServiceToken",
                        "arn:aws:lambda:us-east-1:111111111111:function:thing",
                    )
                    .property("Tag", literal.as_str());
                if let Some(target) =
                    reads.and_then(|i| handles.get(i % handles.len().max(1)).copied())
                {
                    resource = resource.property("Read", target.get_att("Arn")).property(
                        "Sub",
                        Value::sub([text(literal.as_str()), SubPart::Value(target.ref_value())]),
                    );
                }
                handles.push(app.scope(stack).add_resource(rid, resource));
            }
        }
    }
    app
}

fn render(app: &App) -> Result<Vec<(String, String)>, String> {
    match app.synth() {
        Ok(assembly) => Ok(assembly
            .stacks()
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    landform_core::Assembly::template_text(s).to_owned(),
                )
            })
            .chain(std::iter::once((
                "manifest".to_owned(),
                assembly.manifest().to_string(),
            )))
            .collect()),
        Err(err) => Err(err.to_string()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_trees_synthesise_deterministically_without_panicking(spec in spec()) {
        let first = render(&build(&spec));
        let second = render(&build(&spec));
        prop_assert_eq!(&first, &second);
        if let Ok(files) = first {
            for (_, text) in files {
                prop_assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
            }
        }
    }

    #[test]
    fn logical_ids_are_legal_and_stable(segments in proptest::collection::vec(".{0,40}", 1..6)) {
        let id = logical_id(&segments);
        prop_assert!(is_valid_logical_id(&id), "{:?} -> {:?}", segments, id);
        prop_assert_eq!(id, logical_id(&segments));
    }

    #[test]
    fn distinct_multi_segment_paths_get_distinct_ids(
        a in proptest::collection::vec("[A-Za-z0-9-]{1,8}", 2..4),
        b in proptest::collection::vec("[A-Za-z0-9-]{1,8}", 2..4),
    ) {
        prop_assume!(a != b);
        prop_assert_ne!(logical_id(&a), logical_id(&b));
    }

    /// Stacks render side by side on rayon's pool; synthesised on a pool of one thread (every
    /// stack in turn), the app gives the same templates, manifest and issues.
    #[test]
    fn rendering_side_by_side_gives_what_one_thread_gives(spec in spec()) {
        let app = build(&spec);
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let alone = one.install(|| render(&app));
        prop_assert_eq!(render(&app), alone);
    }

    /// `synth_to` writes each template while rendering it; the files are exactly what the
    /// assembly writes, and a refused app leaves the directory as it was.
    #[test]
    fn synthesising_into_a_directory_writes_what_the_assembly_writes(spec in spec()) {
        let app = build(&spec);
        let streamed = tempfile::tempdir().unwrap();
        std::fs::write(streamed.path().join("keep.txt"), "mine").unwrap();
        match (app.synth(), app.synth_to(streamed.path())) {
            (Ok(assembly), Ok(written)) => {
                let kept = tempfile::tempdir().unwrap();
                let expected = assembly.write(kept.path()).unwrap();
                let names = |files: &[std::path::PathBuf]| -> Vec<String> {
                    files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect()
                };
                prop_assert_eq!(names(&written), names(&expected));
                for file in &expected {
                    let name = file.file_name().unwrap();
                    prop_assert_eq!(std::fs::read(file).unwrap(), std::fs::read(streamed.path().join(name)).unwrap());
                }
                // The templates, the manifest and the user's own file: nothing else is left.
                prop_assert_eq!(std::fs::read_dir(streamed.path()).unwrap().count(), expected.len() + 1);
            }
            (Err(kept), Err(streamed_err)) => {
                prop_assert_eq!(kept.to_string(), streamed_err.to_string());
                let left: Vec<_> = std::fs::read_dir(streamed.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
                prop_assert_eq!(left, vec![std::ffi::OsString::from("keep.txt")]);
            }
            (kept, streamed_result) => prop_assert!(false, "synth {:?} but synth_to {:?}", kept.map(|_| ()), streamed_result),
        }
    }

    /// Synthesis hashes each distinct path below a stack once and shares the id among the
    /// stacks that repeat it: every resource still gets exactly the id of its own path.
    #[test]
    fn every_resource_gets_the_id_of_its_own_path_below_its_stack(
        stacks in proptest::collection::vec(
            proptest::collection::btree_set(
                proptest::collection::vec(prop_oneof!["[AB]", "[AB]-", Just("Resource".to_owned())], 1..4),
                1..8,
            ),
            1..4,
        ),
    ) {
        let mut app = App::new();
        let stage = app.add_stage("S", Environment::new("111111111111", "us-east-1"));
        for (n, paths) in stacks.iter().enumerate() {
            let stack = app.add_stack(stage, &format!("Stack{n}"));
            // Each distinct prefix is one construct; a path's last segment is a resource,
            // unless another path continues below it (then it stays a construct).
            let mut nodes: std::collections::BTreeMap<Vec<String>, NodeId> = Default::default();
            for path in paths {
                let mut parent = stack;
                for depth in 1..=path.len() {
                    let prefix = path[..depth].to_vec();
                    let is_leaf = depth == path.len()
                        && !paths.iter().any(|p| p.len() > depth && p[..depth] == prefix[..]);
                    if let Some(&node) = nodes.get(&prefix) {
                        parent = node;
                        continue;
                    }
                    let segment = &path[depth - 1];
                    let node = if is_leaf {
                        app.scope(parent).add_resource(segment, Resource::new("AWS::SNS::Topic")).node()
                    } else {
                        app.scope(parent).child(segment, "Group").node()
                    };
                    nodes.insert(prefix, node);
                    parent = node;
                }
            }
        }
        match app.synth() {
            Ok(assembly) => {
                let mut checked = 0;
                for stack in assembly.stacks() {
                    for (id, info) in &stack.resources {
                        // Below the app, the stage and the stack.
                        let below: Vec<&str> = info.path.segments()[3..].iter().map(|s| &**s).collect();
                        prop_assert_eq!(id, &logical_id(&below), "{}", info.path);
                        checked += 1;
                    }
                }
                prop_assert!(checked > 0);
            }
            // Distinct paths may still collide (`A-` and `A` both read `A`): reported, not renamed.
            Err(error) => prop_assert!(error.to_string().contains("LogicalIdCollision"), "{}", error),
        }
    }

    #[test]
    fn dangling_references_are_issues_not_panics(raw in 0u32..10_000) {
        let mut app = App::new();
        let stage = app.add_stage("S", Environment::new("111111111111", "us-east-1"));
        let stack = app.add_stack(stage, "A");
        let bogus = landform_core::Reference {
            target: node_id(raw),
            attribute: landform_core::Attribute::Ref,
        };
        let foreign = bogus.target;
        app.scope(stack).add_resource("R", Resource::new("AWS::S3::Bucket").property("X", Value::Ref(bogus)));
        app.scope(stack).add_resource("D", Resource::new("AWS::S3::Bucket").depends_on(foreign));
        app.scope(stack).add_dependency(foreign, "foreign");
        let _ = app.validate();
    }
}

/// Node ids are opaque; forge one through a token round trip of a real handle's shape.
fn node_id(raw: u32) -> NodeId {
    let mut app = App::new();
    let stage = app.add_stage("S", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "A");
    let mut last = stack;
    for i in 0..(raw % 50) {
        last = app
            .scope(stack)
            .add_resource(&format!("R{i}"), Resource::new("AWS::S3::Bucket"))
            .node();
    }
    last
}

/// JSON shaped like a policy document often enough to reach every rule: statement elements,
/// condition operators and keys, actions, ARNs and principals from small pools, mixed with
/// arbitrary values.
fn policy_json() -> impl Strategy<Value = serde_json::Value> {
    let word = prop_oneof![
        Just("*".to_owned()),
        Just("s3:GetObject".to_owned()),
        Just("s3:Get*".to_owned()),
        Just("nope:Thing".to_owned()),
        Just("iam:PassRole".to_owned()),
        Just("iam:CreateServiceLinkedRole".to_owned()),
        Just("iam:AWSServiceName".to_owned()),
        Just("Allow".to_owned()),
        Just("arn:aws:s3:::b/*".to_owned()),
        Just("arn:aws:iam::123456789012:root".to_owned()),
        Just("arn::::".to_owned()),
        Just("cloudtrail.amazonaws.com".to_owned()),
        Just("aws:SourceAccount".to_owned()),
        Just("2012-10-17".to_owned()),
        "[a-zA-Z0-9:*?/${}.-]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        word.clone().prop_map(serde_json::Value::from),
    ];
    let key = prop_oneof![
        Just("Version"),
        Just("Statement"),
        Just("Sid"),
        Just("Effect"),
        Just("Principal"),
        Just("NotPrincipal"),
        Just("AWS"),
        Just("Service"),
        Just("Federated"),
        Just("Action"),
        Just("NotAction"),
        Just("Resource"),
        Just("NotResource"),
        Just("Condition"),
        Just("StringEquals"),
        Just("ForAnyValue:StringLikeIfExists"),
        Just("ForAllValues:StringEquals"),
        Just("Bool"),
        Just("aws:SecureTransport"),
        Just("token.actions.githubusercontent.com:sub"),
        Just("x"),
    ]
    .prop_map(str::to_owned);
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|m| { serde_json::Value::Object(m.into_iter().collect()) }),
        ]
    })
}

proptest! {
    /// No document, however malformed, panics the policy validator; every finding is a
    /// `Policy.*` code with the field it is about.
    #[test]
    fn the_policy_validator_never_panics(doc in policy_json()) {
        use landform_core::policy::{check_document, PolicyKind};
        use landform_core::policy::security_warnings;
        let doc = Value::from(doc);
        for kind in [
            PolicyKind::Identity,
            PolicyKind::Trust,
            PolicyKind::Resource,
            PolicyKind::ServiceControl,
            PolicyKind::ResourceControl,
        ] {
            for (code, field, _, rule) in check_document(&doc, kind, "Doc") {
                prop_assert!(code.starts_with("Policy."), "{code}");
                prop_assert!(field.starts_with("Doc"), "{field}");
                prop_assert!(!rule.is_empty());
            }
            for warning in security_warnings(&doc, kind) {
                prop_assert!(warning.code.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{}", warning.code);
                prop_assert!(warning.field.starts_with("Statement"), "{}", warning.field);
                prop_assert!(!warning.detail.is_empty());
            }
        }
    }
}
