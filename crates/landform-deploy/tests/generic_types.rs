//! Types with no dedicated behaviour in the in-memory cloud (what a downstream crate's own
//! constructs emit) deploy from their registry schema alone: created with the identity the
//! schema names, read back without drift, planned as "replace" when a create-only property
//! changes, and destroyed.

mod support;

use landform_core::{App, Environment, Resource};
use landform_deploy::{Action, InMemoryCloud};
use serde_json::json;
use support::*;

fn app(topic_name: &str) -> landform_core::Assembly {
    let mut app = App::new();
    let stage = app.add_stage(
        "Management",
        Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
    );
    let stack = app.add_stack(stage, "Alerts");
    let mut scope = app.scope(stack);
    let key = scope.add_resource("Key", Resource::new("AWS::KMS::Key"));
    let topic = scope.add_resource(
        "Topic",
        Resource::new("AWS::SNS::Topic")
            .property("TopicName", topic_name)
            .property("KmsMasterKeyId", key.ref_value()),
    );
    let images = scope.add_resource(
        "Images",
        Resource::new("AWS::ECR::Repository")
            .property("RepositoryName", "landform/app")
            .property("ImageTagMutability", "IMMUTABLE")
            .property("EncryptionConfiguration", json!({"EncryptionType": "KMS"})),
    );
    scope.add_output("TopicArn", topic.ref_value(), None);
    scope.add_output("Uri", images.get_att("RepositoryUri"), None);
    app.synth().unwrap()
}

#[tokio::test(start_paused = true)]
async fn schema_types_deploy_converge_replace_on_create_only_and_destroy() {
    let cloud = cloud();
    let engine = fresh_engine(&cloud);
    let first = app("alerts");
    let report = engine.apply(&first).await.unwrap();
    assert_eq!(report.created, 3);
    // Identity from the schema: the topic's Ref is its ARN (TopicArn, read-only), the
    // repository's its name (RepositoryName, set by the template); read-only properties
    // are the attributes.
    let state = engine.recorded_state().await.unwrap();
    let stack = &state.stacks["Management-Alerts"];
    let topic = &stack.resources["Topic"];
    assert_eq!(
        topic.physical_id,
        format!(
            "arn:aws:sns:us-east-1:{}:topic/alerts",
            InMemoryCloud::MANAGEMENT_ACCOUNT
        )
    );
    let images = &stack.resources["Images"];
    assert_eq!(images.physical_id, "landform/app");
    assert!(images.attributes["RepositoryUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    // The second plan reads every resource back and changes nothing.
    assert!(engine.plan(&first).await.unwrap().is_empty());
    let again = engine.apply(&first).await.unwrap();
    assert_eq!(again.writes, 0, "{again:?}");

    // TopicName is create-only in the schema: a new name is a replacement, and the plan
    // says which property forces it.
    let renamed = app("alarms");
    let plan = engine.plan(&renamed).await.unwrap();
    let change = plan
        .changes
        .iter()
        .find(|c| c.logical_id == "Topic")
        .expect("the topic changes");
    assert_eq!(change.action, Action::Replace);
    assert!(change
        .properties
        .iter()
        .any(|p| p.name == "TopicName" && p.forces_replacement));
    let report = engine.apply(&renamed).await.unwrap();
    assert_eq!(report.replaced, 1);
    assert!(engine.plan(&renamed).await.unwrap().is_empty());

    let destroyed = engine.destroy().await.unwrap();
    assert_eq!(destroyed.deleted, 3);
    assert!(cloud
        .inventory()
        .resources
        .iter()
        .all(|r| !r.type_name.starts_with("AWS::SNS") && !r.type_name.starts_with("AWS::ECR")));
}

/// A private registry type (one the vendored schemas cannot have), registered at run time,
/// is checked at synth and served by the in-memory cloud from its schema, identity,
/// attributes and create-only replacement included.
#[tokio::test(start_paused = true)]
async fn a_registered_private_type_synthesises_deploys_and_replaces() {
    landform_core::schema::register(
        &json!({
            "typeName": "Acme::Billing::CostCenter",
            "properties": {
                "Code": {"type": "string", "pattern": "^CC-[0-9]{4}$"},
                "Owner": {"type": "string"},
                "Arn": {"type": "string"}
            },
            "required": ["Code"],
            "createOnlyProperties": ["/properties/Code"],
            "readOnlyProperties": ["/properties/Arn"],
            "primaryIdentifier": ["/properties/Code"],
            "handlers": {"create": {}, "read": {}, "update": {}, "delete": {}}
        })
        .to_string(),
    )
    .unwrap();
    let app = |code: &str| {
        let mut app = App::new();
        let stage = app.add_stage(
            "Management",
            Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
        );
        let stack = app.add_stack(stage, "Billing");
        let center = app.scope(stack).add_resource(
            "Finance",
            Resource::new("Acme::Billing::CostCenter")
                .property("Code", code)
                .property("Owner", "finance"),
        );
        app.scope(stack)
            .add_output("CostCenterArn", center.get_att("Arn"), None);
        app
    };
    // The schema's pattern is checked at synth, as for any vendored type.
    let err = app("CC-12").synth().unwrap_err().to_string();
    assert!(err.contains("Resource.Pattern"), "{err}");

    let cloud = cloud();
    let engine = fresh_engine(&cloud);
    let first = app("CC-1200").synth().unwrap();
    assert_eq!(engine.apply(&first).await.unwrap().created, 1);
    let state = engine.recorded_state().await.unwrap();
    let center = &state.stacks["Management-Billing"].resources["Finance"];
    assert_eq!(center.physical_id, "CC-1200");
    assert!(center.attributes.contains_key("Arn"));
    assert!(engine.plan(&first).await.unwrap().is_empty());
    let moved = app("CC-1300").synth().unwrap();
    let plan = engine.plan(&moved).await.unwrap();
    assert_eq!(plan.changes[0].action, Action::Replace);
    assert_eq!(engine.apply(&moved).await.unwrap().replaced, 1);
    assert_eq!(engine.destroy().await.unwrap().deleted, 1);
}
