//! The typed L1s of `landform::cfn` are the raw `Resource::new` form with names and types
//! checked by the compiler: for any values, a template built from typed builders is
//! byte-identical to one built with raw property names, and a value the schema refuses is
//! refused identically (issue 13).

use landform::cfn::dynamodb::{self, table};
use landform::cfn::kms;
use landform::cfn::s3::{self, bucket};
use landform::cfn::{Tag, Value};
use landform::core::{App, Assembly, Environment, Resource};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Inputs {
    bucket_name: Option<String>,
    versioning: Option<u8>,
    block_acls: Option<bool>,
    tags: Vec<(String, String)>,
    key_description: String,
    rotation: Option<bool>,
    pending_days: Option<i64>,
    on_demand: Option<bool>,
}

fn inputs() -> impl Strategy<Value = Inputs> {
    (
        proptest::option::of("[a-z0-9.-]{0,70}"),
        proptest::option::of(0u8..3),
        proptest::option::of(any::<bool>()),
        proptest::collection::vec(("[A-Za-z:]{0,8}", "\\PC{0,12}"), 0..3),
        "\\PC{0,40}",
        proptest::option::of(any::<bool>()),
        proptest::option::of(-5i64..50),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(
                bucket_name,
                versioning,
                block_acls,
                tags,
                key_description,
                rotation,
                pending_days,
                on_demand,
            )| {
                Inputs {
                    bucket_name,
                    versioning,
                    block_acls,
                    tags,
                    key_description,
                    rotation,
                    pending_days,
                    on_demand,
                }
            },
        )
}

fn app_with(resources: Vec<(&str, Resource)>) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "Main");
    let mut scope = app.scope(stack);
    for (id, resource) in resources {
        scope.add_resource(id, resource);
    }
    app
}

fn typed(i: &Inputs) -> App {
    let mut b = s3::Bucket::default();
    if let Some(name) = &i.bucket_name {
        b = b.bucket_name(name.as_str());
    }
    if let Some(v) = i.versioning {
        b = b.versioning_configuration(bucket::VersioningConfiguration::default().status(
            match v {
                0 => bucket::VersioningConfigurationStatus::Enabled,
                1 => bucket::VersioningConfigurationStatus::Suspended,
                _ => bucket::VersioningConfigurationStatus::Other(Value::from("Paused")),
            },
        ));
    }
    if let Some(block) = i.block_acls {
        b = b.public_access_block_configuration(
            bucket::PublicAccessBlockConfiguration::default().block_public_acls(block),
        );
    }
    if !i.tags.is_empty() {
        b = b.tags(i.tags.iter().map(|(k, v)| Tag::new(k, v)));
    }
    let mut k = kms::Key::default().description(i.key_description.as_str());
    if let Some(r) = i.rotation {
        k = k.enable_key_rotation(r);
    }
    if let Some(d) = i.pending_days {
        k = k.pending_window_in_days(d);
    }
    let mut t = dynamodb::Table::default()
        .attribute_definitions([table::AttributeDefinition::default()
            .attribute_name("Id")
            .attribute_type(table::AttributeType::S)])
        .key_schema(Value::from(
            serde_json::json!([{"AttributeName": "Id", "KeyType": "HASH"}]),
        ));
    if let Some(on_demand) = i.on_demand {
        t = t.billing_mode(if on_demand {
            table::BillingMode::PayPerRequest
        } else {
            table::BillingMode::Provisioned
        });
    }
    app_with(vec![
        ("Bucket", b.into()),
        ("Key", k.into()),
        ("Table", t.into()),
    ])
}

fn raw(i: &Inputs) -> App {
    let mut b = Resource::new("AWS::S3::Bucket");
    if let Some(name) = &i.bucket_name {
        b = b.property("BucketName", name.as_str());
    }
    if let Some(v) = i.versioning {
        let status = ["Enabled", "Suspended", "Paused"][v as usize];
        b = b.property(
            "VersioningConfiguration",
            Value::object([("Status", Value::from(status))]),
        );
    }
    if let Some(block) = i.block_acls {
        b = b.property(
            "PublicAccessBlockConfiguration",
            Value::object([("BlockPublicAcls", Value::from(block))]),
        );
    }
    if !i.tags.is_empty() {
        b =
            b.property(
                "Tags",
                Value::array(i.tags.iter().map(|(k, v)| {
                    Value::object([("Key", Value::from(k)), ("Value", Value::from(v))])
                })),
            );
    }
    let mut k = Resource::new("AWS::KMS::Key").property("Description", i.key_description.as_str());
    if let Some(r) = i.rotation {
        k = k.property("EnableKeyRotation", r);
    }
    if let Some(d) = i.pending_days {
        k = k.property("PendingWindowInDays", d);
    }
    let mut t = Resource::new("AWS::DynamoDB::Table")
        .property(
            "AttributeDefinitions",
            Value::from(serde_json::json!([{"AttributeName": "Id", "AttributeType": "S"}])),
        )
        .property(
            "KeySchema",
            Value::from(serde_json::json!([{"AttributeName": "Id", "KeyType": "HASH"}])),
        );
    if let Some(on_demand) = i.on_demand {
        t = t.property(
            "BillingMode",
            if on_demand {
                "PAY_PER_REQUEST"
            } else {
                "PROVISIONED"
            },
        );
    }
    app_with(vec![("Bucket", b), ("Key", k), ("Table", t)])
}

fn templates(assembly: &Assembly) -> Vec<(String, String)> {
    assembly
        .stacks()
        .iter()
        .map(|s| (s.name.clone(), Assembly::template_text(s).to_string()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn typed_and_raw_synthesise_the_same_bytes(i in inputs()) {
        match (typed(&i).synth(), raw(&i).synth()) {
            (Ok(a), Ok(b)) => prop_assert_eq!(templates(&a), templates(&b)),
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "typed {:?} but raw {:?}", a.is_ok(), b.is_ok()),
        }
    }
}

#[test]
fn a_value_the_schema_refuses_is_an_issue_for_a_typed_builder_too() {
    // The compiler checks names and kinds; values (lengths, ranges, an enum's escape hatch)
    // are the schema check's, as for the raw form.
    let app = app_with(vec![
        ("Key", kms::Key::default().pending_window_in_days(3).into()),
        (
            "Bucket",
            s3::Bucket::default()
                .versioning_configuration(bucket::VersioningConfiguration::default().status(
                    bucket::VersioningConfigurationStatus::Other(Value::from("Paused")),
                ))
                .into(),
        ),
    ]);
    let issues = landform::core::schema::check_app(&app);
    let codes: Vec<(&str, String)> = issues
        .iter()
        .map(|i| (i.code.as_str(), i.path.to_string()))
        .collect();
    assert!(
        codes.contains(&("Resource.Range", "App/Mgmt/Main/Key".to_string())),
        "{issues:#?}"
    );
    assert!(
        codes.contains(&("Resource.EnumValue", "App/Mgmt/Main/Bucket".to_string())),
        "{issues:#?}"
    );
}
