//! A template over TemplateBody's 51,200 bytes, through CloudFormation on moto:
//! `upload_templates` puts it in the app's bucket (once per content), and the deployer sends
//! its URL; moto's CloudFormation reads the template from its own S3 and makes the stack.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use landform_aws::cloudformation::{
    upload_templates, CloudFormationClients, CloudFormationDeployer, DeployOptions, StackOutcome,
    MAX_TEMPLATE_BODY,
};
use landform_core::{App, Assembly, Environment, Resource, Value};

/// One stack of `buckets` buckets with 50 long tags each (about 17 KB of template a bucket).
fn large_app(stage: &str, buckets: usize) -> Assembly {
    let mut app = App::new();
    let s = app.add_stage(stage, Environment::new(MANAGEMENT, REGION));
    let stack = app.add_stack(s, "Data");
    for b in 0..buckets {
        let tags: Vec<Value> = (0..50)
            .map(|t| {
                Value::object([
                    ("Key", Value::from(format!("tag-{t}"))),
                    ("Value", Value::from(format!("{b}-{}", "v".repeat(250)))),
                ])
            })
            .collect();
        app.scope(stack).add_resource(
            &format!("Bucket{b}"),
            Resource::new("AWS::S3::Bucket").property("Tags", Value::array(tags)),
        );
    }
    app.synth().expect("synth")
}

#[tokio::test]
async fn a_template_over_the_inline_limit_is_uploaded_once_and_deployed_by_url() {
    let sessions = sessions().await;
    organization().await;
    let stage = format!("Tpl{}", std::process::id());
    let assembly = large_app(&stage, 4);
    let stack = assembly.stacks()[0].name.clone();
    assert!(Assembly::template_text(&assembly.stacks()[0]).len() > MAX_TEMPLATE_BODY);

    let config = sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let bucket = unique("templates").to_lowercase();
    s3.create_bucket().bucket(&bucket).send().await.unwrap();

    let urls = upload_templates(&sessions, MANAGEMENT, REGION, &bucket, &assembly)
        .await
        .expect("uploaded");
    assert_eq!(urls.len(), 1, "{urls:?}");
    let url = &urls[&stack];
    assert!(
        url.starts_with(&format!(
            "https://s3.{REGION}.amazonaws.com/{bucket}/landform/templates/{stack}-"
        )),
        "{url}"
    );
    // Again: the same key, so one object.
    let again = upload_templates(&sessions, MANAGEMENT, REGION, &bucket, &assembly)
        .await
        .unwrap();
    assert_eq!(&again, &urls);
    let listed = s3.list_objects_v2().bucket(&bucket).send().await.unwrap();
    assert_eq!(listed.contents().len(), 1);

    let options = DeployOptions {
        poll_interval: Duration::from_millis(100),
        template_urls: urls,
        ..DeployOptions::default()
    };
    let clients: Arc<dyn CloudFormationClients> = sessions.clone();
    let deployer = CloudFormationDeployer::new(clients, options);
    let report = deployer.deploy(&assembly).await.expect("deployed by URL");
    assert_eq!(report.stacks[0].outcome, StackOutcome::Created);

    // What moto's CloudFormation made from the uploaded template: four tagged buckets.
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let resources = cfn
        .list_stack_resources()
        .stack_name(&stack)
        .send()
        .await
        .unwrap();
    let made: Vec<&str> = resources
        .stack_resource_summaries()
        .iter()
        .filter_map(|r| r.physical_resource_id())
        .collect();
    assert_eq!(made.len(), 4, "{made:?}");
    let tags = s3
        .get_bucket_tagging()
        .bucket(made[0])
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_set().len(), 50);

    // A second deploy by the same URL changes nothing.
    let report = deployer.deploy(&assembly).await.unwrap();
    assert_eq!(report.stacks[0].outcome, StackOutcome::Unchanged);
    let destroyed = deployer.destroy(&assembly).await.unwrap();
    assert_eq!(destroyed.deleted, [stack]);
}
