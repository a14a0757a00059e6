//! Two applies on one state, and the typed errors raised before any call.

mod support;

use std::sync::Arc;
use std::time::Duration;

use landform_core::{App, Environment, Resource};
use landform_deploy::{DeployError, Engine, FileLock, FileStateStore, InMemoryCloud};
use support::*;

#[tokio::test(start_paused = true)]
async fn two_applies_at_once_exactly_one_proceeds() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = cloud();
    cloud.set_latency(Duration::from_millis(10));
    let make = |holder: &str| {
        Engine::new(
            cloud.registry(),
            Arc::new(FileStateStore::new(dir.path().join("state.json"))),
            Arc::new(FileLock::new(dir.path().join("state.lock"))),
            Arc::new(cloud.sessions()),
        )
        .with_holder(holder)
    };
    let (a, b) = (make("apply-a"), make("apply-b"));
    let assembly = app();
    let (ra, rb) = tokio::join!(a.apply(&assembly), b.apply(&assembly));
    let (ok, err) = match (ra, rb) {
        (Ok(r), Err(e)) | (Err(e), Ok(r)) => (r, e),
        other => panic!("exactly one apply proceeds: {other:?}"),
    };
    let holder_info = match &err {
        DeployError::Locked {
            holder, since, pid, ..
        } => {
            assert!(holder == "apply-a" || holder == "apply-b");
            assert_eq!(*pid, std::process::id());
            assert!(since.ends_with('Z') && since.len() == 20, "{since}");
            holder.clone()
        }
        other => panic!("expected Locked, got {other}"),
    };
    let message = err.to_string();
    assert!(
        message.contains(&holder_info) && message.contains("since"),
        "{message}"
    );
    assert!(ok.created > 30);
    assert!(cloud.inventory().duplicates().is_empty());
    // The lock is released after the apply.
    assert!(!dir.path().join("state.lock").exists());
}

#[tokio::test(start_paused = true)]
async fn unknown_type_is_refused_before_any_call() {
    let mut app = App::new();
    let stage = app.add_stage(
        "Management",
        Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
    );
    let stack = app.add_stack(stage, "Queues");
    app.scope(stack).add_resource("Table", lock_table());
    app.scope(stack)
        .add_resource("Jobs", Resource::new("AWS::SQS::Queue"));
    let assembly = app.synth().unwrap();
    let cloud = cloud();
    // A registry that routes the table to the cloud and nothing to the queue (the in-memory
    // cloud itself serves every type with a schema).
    let mut registry = landform_deploy::ProviderRegistry::new();
    registry.register(
        "AWS::DynamoDB::Table",
        Arc::new(cloud.clone()) as Arc<dyn landform_deploy::Provider>,
    );
    let engine = Engine::new(
        registry,
        Arc::new(landform_deploy::MemoryStateStore::new()),
        Arc::new(landform_deploy::MemoryLock::new()),
        Arc::new(cloud.sessions()),
    );
    for result in [
        engine.plan(&assembly).await.map(|_| ()),
        engine.apply(&assembly).await.map(|_| ()),
    ] {
        match result {
            Err(DeployError::UnknownResourceType {
                stack,
                logical_id,
                path,
                type_name,
            }) => {
                assert_eq!(
                    (stack.as_str(), logical_id.as_str(), type_name.as_str()),
                    ("Management-Queues", "Jobs", "AWS::SQS::Queue")
                );
                assert_eq!(path, "App/Management/Queues/Jobs");
            }
            other => panic!("expected UnknownResourceType, got {other:?}"),
        }
    }
    assert_eq!(cloud.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn aws_refusals_surface_with_codes() {
    let mut app = App::new();
    let stage = app.add_stage(
        "Management",
        Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
    );
    let stack = app.add_stack(stage, "Iam");
    app.scope(stack).add_resource(
        "Role",
        Resource::new("AWS::IAM::Role")
            // A name known only at deploy time (synth cannot check it) that IAM refuses: a space.
            .property(
                "RoleName",
                landform_core::Value::sub([
                    landform_core::SubPart::Text("deploy ".into()),
                    landform_core::SubPart::Value(landform_core::Value::Pseudo(
                        landform_core::Pseudo::Region,
                    )),
                ]),
            )
            .property(
                "AssumeRolePolicyDocument",
                serde_json::json!({"Statement": []}),
            ),
    );
    let err = fresh_engine(&cloud())
        .apply(&app.synth().unwrap())
        .await
        .unwrap_err();
    match err {
        DeployError::Provider {
            source,
            operation: "create",
            ..
        } => {
            assert_eq!(source.code, landform_deploy::ErrorCode::InvalidRequest);
            assert!(source.request_id.is_some());
        }
        other => panic!("{other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn replacement_and_updates_are_planned_and_applied() {
    let build = |cidr: &str, dns: bool| {
        let mut app = App::new();
        let stage = app.add_stage(
            "Management",
            Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
        );
        let stack = app.add_stack(stage, "Net");
        let vpc = app.scope(stack).add_resource(
            "Vpc",
            Resource::new("AWS::EC2::VPC")
                .property("CidrBlock", cidr)
                .property("EnableDnsSupport", dns),
        );
        app.scope(stack).add_resource(
            "Subnet",
            Resource::new("AWS::EC2::Subnet")
                .property("VpcId", vpc.ref_value())
                .property("CidrBlock", "10.0.0.0/24"),
        );
        app.synth().unwrap()
    };
    let cloud = cloud();
    let engine = fresh_engine(&cloud);
    engine.apply(&build("10.0.0.0/16", true)).await.unwrap();
    let plan = engine.plan(&build("10.0.0.0/16", false)).await.unwrap();
    assert_eq!(plan.count(landform_deploy::Action::Update), 1, "{plan}");
    let plan = engine.plan(&build("10.9.0.0/16", true)).await.unwrap();
    let text = plan.to_string();
    assert!(text.contains("forces replacement"), "{text}");
    // The subnet's VpcId is known after apply, and VpcId forces its replacement too.
    assert_eq!(plan.count(landform_deploy::Action::Replace), 2, "{text}");
    assert!(plan.to_json()["changes"].is_array());
    // Known limitation: replacement is delete-then-create in dependency order, so the VPC is
    // deleted while its subnet still exists and AWS's DependencyViolation surfaces.
    let result = engine.apply(&build("10.9.0.0/16", true)).await;
    assert!(
        result.is_err(),
        "AWS refuses to delete a VPC that still has subnets"
    );
}

/// A state recorded for one target is refused by an engine for another, before any call and
/// whatever the verb; a state without a target, or recording nothing, is taken.
#[tokio::test(start_paused = true)]
async fn a_state_recorded_for_another_target_is_refused_by_every_verb() {
    let cloud = cloud();
    let store: Arc<dyn landform_deploy::StateStore> =
        Arc::new(landform_deploy::MemoryStateStore::default());
    let assembly = app();
    // A state from before targets were recorded is taken and gets the engine's at its apply.
    let first = engine(&cloud, store.clone())
        .apply(&assembly)
        .await
        .unwrap();
    assert!(first.created > 0);
    assert_eq!(store.load().await.unwrap().target, None);
    let here = || engine(&cloud, store.clone()).with_target("the in-memory cloud");
    here().apply(&assembly).await.unwrap();
    assert_eq!(
        store.load().await.unwrap().target.as_deref(),
        Some("the in-memory cloud")
    );

    let writes = cloud.writes();
    let elsewhere = engine(&cloud, store.clone()).with_target("AWS account 210987654321");
    let refused = |e: DeployError| match e {
        DeployError::OtherTarget { recorded, target } => {
            assert_eq!(
                (recorded.as_str(), target.as_str()),
                ("the in-memory cloud", "AWS account 210987654321")
            );
        }
        other => panic!("expected OtherTarget, got {other}"),
    };
    refused(elsewhere.plan(&assembly).await.unwrap_err());
    refused(elsewhere.apply(&assembly).await.unwrap_err());
    refused(elsewhere.drift().await.unwrap_err());
    refused(elsewhere.destroy().await.unwrap_err());
    refused(elsewhere.recorded_state().await.unwrap_err());
    assert_eq!(cloud.writes(), writes, "a refused verb wrote");
    assert_eq!(
        store.load().await.unwrap().target.as_deref(),
        Some("the in-memory cloud"),
        "a refused verb re-targeted the state"
    );

    // Once everything is destroyed the state records nothing, and another target may take it.
    here().destroy().await.unwrap();
    let after = elsewhere.recorded_state().await.unwrap();
    assert_eq!(after.resource_count(), 0);
    assert_eq!(after.target.as_deref(), Some("AWS account 210987654321"));
}
