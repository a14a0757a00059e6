//! Every resource is checked against its CloudFormation registry schema at synth: one failing
//! and one passing case per rule, each asserting the code, the construct path and the field;
//! every issue of an app at once; no panic on any input.

use landform_core::{schema, App, Environment, Issue, Map, Resource, Value};
use proptest::prelude::*;
use serde_json::json;

/// An app with one resource at `App/Mgmt/Main/R`.
fn one(resource: Resource) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "Main");
    app.scope(stack).add_resource("R", resource);
    app
}

fn schema_issues(app: &App) -> Vec<Issue> {
    app.validate()
        .0
        .into_iter()
        .filter(|i| i.code.starts_with("Resource."))
        .collect()
}

/// The resource breaks exactly `code` at `field`, and synth refuses it.
fn fails(resource: Resource, code: &str, field: &str) -> Issue {
    let app = one(resource);
    let issues = schema_issues(&app);
    assert_eq!(issues.len(), 1, "expected only {code}: {issues:#?}");
    let issue = issues.into_iter().next().unwrap();
    assert_eq!(
        (issue.code.as_str(), issue.field.as_str()),
        (code, field),
        "{issue}"
    );
    assert_eq!(issue.path.to_string(), "App/Mgmt/Main/R");
    assert!(app.synth().is_err());
    issue
}

fn passes(resource: Resource) {
    let app = one(resource);
    let issues = schema_issues(&app);
    assert!(issues.is_empty(), "{issues:#?}");
}

fn topic() -> Resource {
    Resource::new("AWS::SNS::Topic")
}

fn table() -> Resource {
    Resource::new("AWS::DynamoDB::Table")
        .property(
            "KeySchema",
            json!([{"AttributeName": "Id", "KeyType": "HASH"}]),
        )
        .property(
            "AttributeDefinitions",
            json!([{"AttributeName": "Id", "AttributeType": "S"}]),
        )
}

#[test]
fn an_unknown_type_is_an_issue_with_the_nearest_names() {
    let issue = fails(
        Resource::new("AWS::S3::Bukket"),
        "Resource.UnknownType",
        "Type",
    );
    assert!(
        issue.rule.contains("did you mean AWS::S3::Bucket"),
        "{issue}"
    );
    assert!(issue.rule.contains("cfn-lint"), "names its source: {issue}");
    passes(Resource::new("AWS::S3::Bucket"));
}

#[test]
fn a_misspelt_property_is_unknown_and_the_right_one_is_suggested() {
    let issue = fails(
        topic().property("TopicNme", "alerts"),
        "Resource.UnknownProperty",
        "TopicNme",
    );
    assert!(issue.rule.contains("did you mean TopicName?"), "{issue}");
    passes(topic().property("TopicName", "alerts"));
}

#[test]
fn a_nested_unknown_property_is_named_by_its_path() {
    let encryption = |key: &str| {
        json!({"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {key: "aws:kms"}}
        ]})
    };
    fails(
        Resource::new("AWS::S3::Bucket").property("BucketEncryption", encryption("SseAlgorithm")),
        "Resource.UnknownProperty",
        "BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SseAlgorithm",
    );
    passes(
        Resource::new("AWS::S3::Bucket").property("BucketEncryption", encryption("SSEAlgorithm")),
    );
}

#[test]
fn a_missing_required_property_is_an_issue_at_any_depth() {
    fails(
        Resource::new("AWS::DynamoDB::Table"),
        "Resource.MissingProperty",
        "KeySchema",
    );
    passes(table());
    fails(
        Resource::new("AWS::ECR::Repository").property("EncryptionConfiguration", json!({})),
        "Resource.MissingProperty",
        "EncryptionConfiguration.EncryptionType",
    );
    passes(
        Resource::new("AWS::ECR::Repository")
            .property("EncryptionConfiguration", json!({"EncryptionType": "KMS"})),
    );
}

#[test]
fn a_string_where_a_number_is_expected_is_the_wrong_type() {
    let issue = fails(
        Resource::new("AWS::SQS::Queue").property("DelaySeconds", "ten"),
        "Resource.WrongType",
        "DelaySeconds",
    );
    assert!(issue.rule.contains("integer"), "{issue}");
    // CloudFormation converts a number written as a string, as it does a number given for
    // a string.
    passes(Resource::new("AWS::SQS::Queue").property("DelaySeconds", "10"));
    passes(Resource::new("AWS::SQS::Queue").property("DelaySeconds", 10));
    passes(topic().property("TopicName", 42));
    fails(
        topic().property("FifoTopic", "yes"),
        "Resource.WrongType",
        "FifoTopic",
    );
    passes(topic().property("FifoTopic", "true"));
    fails(
        topic().property("DeliveryStatusLogging", json!({"Protocol": "sqs"})),
        "Resource.WrongType",
        "DeliveryStatusLogging",
    );
}

#[test]
fn a_value_outside_the_enum_is_an_issue_listing_the_allowed_ones() {
    let issue = fails(
        Resource::new("AWS::Logs::LogGroup").property("RetentionInDays", 8),
        "Resource.EnumValue",
        "RetentionInDays",
    );
    assert!(issue.rule.contains("1, 3, 5, 7, 14"), "{issue}");
    passes(Resource::new("AWS::Logs::LogGroup").property("RetentionInDays", 7));
    fails(
        Resource::new("AWS::ECR::Repository").property("ImageTagMutability", "SOMETIMES"),
        "Resource.EnumValue",
        "ImageTagMutability",
    );
    passes(Resource::new("AWS::ECR::Repository").property("ImageTagMutability", "IMMUTABLE"));
}

#[test]
fn a_value_off_its_pattern_is_an_issue() {
    let account = |email: &str| {
        Resource::new("AWS::Organizations::Account")
            .property("AccountName", "prod")
            .property("Email", email)
    };
    let issue = fails(account("prod.example.com"), "Resource.Pattern", "Email");
    assert!(issue.rule.contains("[^\\s@]+@"), "{issue}");
    passes(account("aws+prod@example.com"));
    // Python's `\Z` (end of text) is read as Rust's `\z`.
    fails(
        Resource::new("AWS::Logs::LogGroup").property("LogGroupName", "has spaces"),
        "Resource.Pattern",
        "LogGroupName",
    );
    passes(Resource::new("AWS::Logs::LogGroup").property("LogGroupName", "/landform/audit"));
}

#[test]
fn a_length_out_of_bounds_is_an_issue() {
    let issue = fails(
        topic().property("TopicName", "t".repeat(257)),
        "Resource.Length",
        "TopicName",
    );
    assert!(issue.rule.contains("at most 256"), "{issue}");
    passes(topic().property("TopicName", "t".repeat(256)));
}

#[test]
fn a_number_out_of_range_is_an_issue() {
    let issue = fails(
        Resource::new("AWS::SQS::Queue").property("MessageRetentionPeriod", 59),
        "Resource.Range",
        "MessageRetentionPeriod",
    );
    assert!(issue.rule.contains("from 60 to 1209600"), "{issue}");
    passes(Resource::new("AWS::SQS::Queue").property("MessageRetentionPeriod", 60));
}

#[test]
fn too_many_items_is_an_issue() {
    let tags = |n: usize| {
        Value::array((0..n).map(|i| Value::from(json!({"Key": format!("k{i}"), "Value": "v"}))))
    };
    fails(
        Resource::new("AWS::ECR::Repository").property("Tags", tags(51)),
        "Resource.ItemCount",
        "Tags",
    );
    passes(Resource::new("AWS::ECR::Repository").property("Tags", tags(50)));
}

#[test]
fn a_read_only_property_cannot_be_set() {
    fails(
        topic().property("TopicArn", "arn:aws:sns:us-east-1:111111111111:t"),
        "Resource.ReadOnlyProperty",
        "TopicArn",
    );
}

#[test]
fn values_known_only_at_deploy_time_are_not_checked() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "Main");
    let queue = app
        .scope(stack)
        .add_resource("Q", Resource::new("AWS::SQS::Queue"));
    // A Ref where an integer is expected, an intrinsic written as JSON where a string is.
    app.scope(stack).add_resource(
        "R",
        Resource::new("AWS::SQS::Queue")
            .property("DelaySeconds", queue.get_att("QueueName"))
            .property("QueueName", json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})),
    );
    assert!(schema_issues(&app).is_empty(), "{:#?}", schema_issues(&app));
}

#[test]
fn custom_resources_need_a_service_token_and_take_any_property() {
    fails(
        Resource::new("Custom::AccountPasswordPolicy").property("MinimumPasswordLength", 14),
        "Resource.MissingProperty",
        "ServiceToken",
    );
    passes(
        Resource::new("Custom::AccountPasswordPolicy")
            .property(
                "ServiceToken",
                "arn:aws:lambda:us-east-1:111111111111:function:f",
            )
            .property("MinimumPasswordLength", 14),
    );
}

#[test]
fn every_issue_of_the_app_is_reported_at_once_in_tree_order() {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "Main");
    let mut scope = app.scope(stack);
    scope.add_resource("A", topic().property("TopicNme", "x"));
    scope.add_resource("B", Resource::new("AWS::DynamoDB::Table"));
    scope.add_resource(
        "C",
        Resource::new("AWS::SQS::Queue")
            .property("DelaySeconds", 901)
            .property("FifoQueue", "maybe"),
    );
    let found: Vec<(String, String, String)> = schema_issues(&app)
        .into_iter()
        .map(|i| (i.code, i.path.to_string(), i.field))
        .collect();
    let expected = [
        ("Resource.UnknownProperty", "App/Mgmt/Main/A", "TopicNme"),
        ("Resource.MissingProperty", "App/Mgmt/Main/B", "KeySchema"),
        ("Resource.Range", "App/Mgmt/Main/C", "DelaySeconds"),
        ("Resource.WrongType", "App/Mgmt/Main/C", "FifoQueue"),
    ]
    .map(|(c, p, f)| (c.to_owned(), p.to_owned(), f.to_owned()));
    assert_eq!(found, expected);
    let error = app.synth().unwrap_err().to_string();
    assert!(
        error.contains("TopicNme") && error.contains("KeySchema"),
        "{error}"
    );
}

#[test]
fn the_direct_check_of_properties_names_what_it_finds() {
    let queue = schema::lookup("AWS::SQS::Queue").unwrap();
    let mut props = Map::new();
    props.insert("DelaySeconds", Value::from(901));
    let found = schema::validate_properties(queue, &props);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "Resource.Range");
    assert_eq!(found[0].value, "901");
}

fn arbitrary_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("[A-Za-z]{1,12}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Any value under any property of any registered type: issues, never a panic.
    #[test]
    fn no_value_panics_the_schema_check(
        type_index in 0usize..4096,
        named in proptest::collection::vec((0usize..64, arbitrary_value()), 0..6),
        free in proptest::collection::vec(("[A-Za-z]{1,10}", arbitrary_value()), 0..3),
    ) {
        let types: Vec<&str> = schema::type_names().collect();
        let type_schema = schema::lookup(types[type_index % types.len()]).unwrap();
        let names: Vec<&str> = type_schema.property_names().collect();
        let mut props = Map::new();
        for (i, value) in named {
            if !names.is_empty() {
                props.insert(names[i % names.len()].to_owned(), Value::from(value));
            }
        }
        for (name, value) in free {
            props.insert(name, Value::from(value));
        }
        let _ = schema::validate_properties(type_schema, &props);
    }
}

#[test]
fn a_schema_that_cannot_be_registered_is_a_typed_error_naming_the_type() {
    use landform_core::CoreError;
    let reason = |text: &str| match schema::register(text) {
        Err(CoreError::Schema { type_name, reason }) => (type_name, reason),
        other => panic!("{other:?}"),
    };
    assert!(reason("{not json").1.contains("not JSON"));
    assert!(reason(r#"{"properties": {}}"#).1.contains("typeName"));
    let (name, why) = reason(r#"{"typeName": "Acme::Thing", "properties": {}}"#);
    assert_eq!(name, "Acme::Thing");
    assert!(why.contains("three parts"), "{why}");
    let (name, why) = reason(r#"{"typeName": "Acme::Things::Thing"}"#);
    assert_eq!(name, "Acme::Things::Thing");
    assert!(why.contains("properties"), "{why}");
    assert!(schema::lookup("Acme::Things::Thing").is_none());
}

#[test]
fn a_registered_schema_is_a_known_type_and_a_newer_schema_replaces_a_vendored_one() {
    let unknown = |app: &App| {
        schema::check_app(app)
            .into_iter()
            .filter(|i| i.code == "Resource.UnknownType")
            .count()
    };
    let app_with = |type_name: &'static str, property: &'static str| {
        let mut app = App::new();
        let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
        let stack = app.add_stack(stage, "Main");
        app.scope(stack)
            .add_resource("Thing", Resource::new(type_name).property(property, "x"));
        app
    };
    assert_eq!(unknown(&app_with("Acme::Registry::Widget", "Name")), 1);
    schema::register(
        r#"{"typeName": "Acme::Registry::Widget", "properties": {"Name": {"type": "string"}}}"#,
    )
    .unwrap();
    assert_eq!(unknown(&app_with("Acme::Registry::Widget", "Name")), 0);
    assert!(schema::type_names().any(|t| t == "Acme::Registry::Widget"));

    // A property AWS added after the vendored schema: unknown until a newer schema is
    // registered for the type.
    let newer = || app_with("AWS::Athena::NamedQuery", "FutureSetting");
    let issues = schema::check_app(&newer());
    assert!(issues.iter().any(|i| i.code == "Resource.UnknownProperty"));
    let mut json: serde_json::Value =
        serde_json::from_str(schema::raw("AWS::Athena::NamedQuery").unwrap()).unwrap();
    json["typeName"] = "AWS::Athena::NamedQuery".into();
    json["properties"]["FutureSetting"] = serde_json::json!({"type": "string"});
    schema::register(&json.to_string()).unwrap();
    let issues = schema::check_app(&newer());
    assert!(
        !issues.iter().any(|i| i.code == "Resource.UnknownProperty"),
        "{issues:#?}"
    );
}
