//! Graph pictures: snapshots of the demo deployer's Mermaid and DOT output (deterministic
//! text), and the shape of a small cross-account app.

use assert_cmd::Command;
use landform_cli::graph::{render, GraphFormat};
use landform_core::{App, Environment, Resource, Value};

fn demo_graph(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_landform-demo-deployer"))
        .env_remove("LANDFORM_DEMO_VARIANT")
        .env_remove("LANDFORM_STATE_DIR")
        .args(args)
        .output()
        .expect("runs");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn demo_mermaid_snapshot() {
    insta::assert_snapshot!(demo_graph(&["graph"]));
}

#[test]
fn demo_dot_snapshot() {
    insta::assert_snapshot!(demo_graph(&["graph", "--format", "dot"]));
}

/// A key in account A read by a role in account B, and a bucket in B reading a topic in B.
fn two_accounts() -> App {
    let mut app = App::new();
    let a = app.add_stage("A", Environment::new("111111111111", "us-east-1"));
    let keys = app.add_stack(a, "Keys");
    let key = app
        .scope(keys)
        .add_resource("Key", Resource::new("AWS::KMS::Key"));
    let b = app.add_stage("B", Environment::new("222222222222", "us-east-1"));
    let data = app.add_stack(b, "Data");
    let mut s = app.scope(data);
    let topic = s.add_resource("Topic", Resource::new("AWS::SNS::Topic"));
    s.add_resource(
        "Bucket",
        Resource::new("AWS::S3::Bucket")
            .property(
                "BucketEncryption",
                Value::object([(
                    "ServerSideEncryptionConfiguration",
                    Value::array([Value::object([(
                        "ServerSideEncryptionByDefault",
                        Value::object([
                            ("SSEAlgorithm", Value::from("aws:kms")),
                            ("KMSMasterKeyID", key.get_att("Arn")),
                        ]),
                    )])]),
                )]),
            )
            .property(
                "NotificationConfiguration",
                Value::object([(
                    "TopicConfigurations",
                    Value::array([Value::object([
                        ("Event", Value::from("s3:ObjectCreated:*")),
                        ("Topic", topic.ref_value()),
                    ])]),
                )]),
            ),
    );
    app
}

#[test]
fn cross_account_edges_are_highlighted_and_same_account_edges_are_not() {
    let assembly = two_accounts().synth().unwrap();
    let mermaid = render(&assembly, GraphFormat::Mermaid);
    assert!(
        mermaid.contains("subgraph account_0[\"Account 111111111111\"]"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("subgraph account_1[\"Account 222222222222\"]"),
        "{mermaid}"
    );
    // Resources: 0 = A/Keys/Key, 1 = B/Data/Bucket, 2 = B/Data/Topic (sorted logical ids).
    assert!(
        mermaid.contains("resource_1 ==>|cross-account| resource_0"),
        "{mermaid}"
    );
    assert!(mermaid.contains("resource_1 --> resource_2"), "{mermaid}");
    assert!(mermaid.contains("linkStyle 0 stroke:#d62728"), "{mermaid}");
    let dot = render(&assembly, GraphFormat::Dot);
    assert!(
        dot.contains(
            "resource_1 -> resource_0 [label=\"cross-account\", color=\"#d62728\", penwidth=2.5];"
        ),
        "{dot}"
    );
    assert!(dot.contains("resource_1 -> resource_2;"), "{dot}");
}

#[test]
fn rendering_twice_is_identical() {
    let assembly = two_accounts().synth().unwrap();
    for format in [GraphFormat::Mermaid, GraphFormat::Dot] {
        assert_eq!(
            render(&assembly, format),
            render(&two_accounts().synth().unwrap(), format)
        );
    }
}
