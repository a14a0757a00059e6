//! The detective controls (GuardDuty detector, AWS Config recorder, delivery channel, rules
//! and aggregator, CloudTrail trail, budget) against moto, through the provider registry.
//!
//! Detectors, recorders and delivery channels are one per account and region, so each test
//! works in an account of its own (moto assumes a role in any account id), and reruns
//! against the same moto never meet a singleton of an earlier run.

mod common;
use common::*;

use std::sync::Arc;

use landform_aws::{AwsProvider, ClientSource};
use landform_deploy::{ErrorCode, Provider, ProviderRegistry, Session};
use serde_json::{json, Value as Json};

/// A fresh 12-digit account id (starting with 3, unlike the fixed ones of other tests).
fn fresh_account() -> Session {
    let hash = unique("acct")
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    Session::new(format!("3{:011}", hash % 100_000_000_000), REGION)
}

async fn provider() -> (Arc<landform_aws::AwsSessions>, Arc<dyn Provider>) {
    let sessions = sessions().await;
    let registry: ProviderRegistry = AwsProvider::new(sessions.clone()).registry();
    let provider = registry
        .provider("AWS::GuardDuty::Detector")
        .expect("registered");
    (sessions, provider)
}

/// Every property the template set reads back as it was set.
fn assert_reads_back(read: &Json, created: &Json) {
    for (k, v) in created.as_object().unwrap() {
        assert_eq!(read.get(k), Some(v), "property {k}: read {read}");
    }
}

#[tokio::test]
async fn guardduty_detector_create_read_update_find_delete() {
    let (_, p) = provider().await;
    let s = fresh_account();
    let t = "AWS::GuardDuty::Detector";
    let props = json!({"Enable": true, "FindingPublishingFrequency": "FIFTEEN_MINUTES",
        "Tags": [{"Key": "team", "Value": "security"}]});
    let req = create_request(t, "Detector", props.clone());
    assert!(p.find(&s, &req).await.unwrap().is_none(), "no detector yet");
    let created = p.create(&s, &req).await.unwrap();
    let id = created.physical_id.clone();
    assert_eq!(created.attributes["Id"], json!(id));
    let read = p.read(&s, t, &id, &props).await.unwrap();
    assert_eq!(
        read.properties, props,
        "the idempotency tag is not read back"
    );

    // A retry after an interrupted create adopts the detector.
    let found = p.find(&s, &req).await.unwrap().expect("found");
    assert_eq!(found.physical_id, id);

    // moto has no GuardDuty TagResource: the tags stay (tag changes are tested with mocks).
    let next = json!({"Enable": false, "FindingPublishingFrequency": "ONE_HOUR",
        "Tags": [{"Key": "team", "Value": "security"}]});
    p.update(&s, &update_request(t, &id, &props, next.clone()))
        .await
        .unwrap();
    assert_eq!(p.read(&s, t, &id, &next).await.unwrap().properties, next);

    p.delete(&s, t, &id, &next).await.unwrap();
    let gone = p.read(&s, t, &id, &next).await.unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotFound, "{gone}");
    assert_eq!(
        p.delete(&s, t, &id, &next).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn config_recorder_channel_rule_and_aggregator() {
    let (_, p) = provider().await;
    let s = fresh_account();
    let (recorder_t, channel_t) = (
        "AWS::Config::ConfigurationRecorder",
        "AWS::Config::DeliveryChannel",
    );
    let recorder_props = json!({
        "RecordingGroup": {"AllSupported": true, "IncludeGlobalResourceTypes": true},
        "RoleARN": format!("arn:aws:iam::{}:role/config-recorder", s.account_id),
    });
    let recorder_req = create_request(recorder_t, "Recorder", recorder_props.clone());
    assert!(p.find(&s, &recorder_req).await.unwrap().is_none());
    let recorder = p.create(&s, &recorder_req).await.unwrap();
    assert_eq!(recorder.physical_id, recorder_req.physical_name);
    assert_eq!(
        recorder.attributes["Recording"],
        json!(false),
        "no channel yet"
    );

    let channel_props = json!({
        "ConfigSnapshotDeliveryProperties": {"DeliveryFrequency": "TwentyFour_Hours"},
        "S3BucketName": "central-log-bucket",
        "S3KmsKeyArn": "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    let channel_req = create_request(channel_t, "Channel", channel_props.clone());
    let channel = p.create(&s, &channel_req).await.unwrap();

    // The channel started the recorder, as CloudFormation does.
    let read = p
        .read(&s, recorder_t, &recorder.physical_id, &recorder_props)
        .await
        .unwrap();
    assert_reads_back(&read.properties, &recorder_props);
    assert_eq!(read.attributes["Recording"], json!(true));
    let read = p
        .read(&s, channel_t, &channel.physical_id, &channel_props)
        .await
        .unwrap();
    assert_reads_back(&read.properties, &channel_props);

    // Retries adopt the region's recorder and channel.
    let found = p.find(&s, &recorder_req).await.unwrap().expect("recorder");
    assert_eq!(found.physical_id, recorder.physical_id);
    let found = p.find(&s, &channel_req).await.unwrap().expect("channel");
    assert_eq!(found.physical_id, channel.physical_id);

    let mut recorder_next = recorder_props.clone();
    recorder_next["RecordingGroup"]["IncludeGlobalResourceTypes"] = json!(false);
    p.update(
        &s,
        &update_request(
            recorder_t,
            &recorder.physical_id,
            &recorder_props,
            recorder_next.clone(),
        ),
    )
    .await
    .unwrap();
    let read = p
        .read(&s, recorder_t, &recorder.physical_id, &recorder_next)
        .await
        .unwrap();
    assert_reads_back(&read.properties, &recorder_next);
    assert_eq!(read.attributes["Recording"], json!(true), "still recording");

    let mut channel_next = channel_props.clone();
    channel_next["ConfigSnapshotDeliveryProperties"]["DeliveryFrequency"] = json!("Six_Hours");
    p.update(
        &s,
        &update_request(
            channel_t,
            &channel.physical_id,
            &channel_props,
            channel_next.clone(),
        ),
    )
    .await
    .unwrap();
    let read = p
        .read(&s, channel_t, &channel.physical_id, &channel_next)
        .await
        .unwrap();
    assert_reads_back(&read.properties, &channel_next);

    config_rule(&*p, &s).await;
    config_aggregator(&*p, &s).await;

    // The channel goes first (its DependsOn): that stops the recorder.
    p.delete(&s, channel_t, &channel.physical_id, &channel_next)
        .await
        .unwrap();
    let read = p
        .read(&s, recorder_t, &recorder.physical_id, &recorder_next)
        .await
        .unwrap();
    assert_eq!(read.attributes["Recording"], json!(false));
    p.delete(&s, recorder_t, &recorder.physical_id, &recorder_next)
        .await
        .unwrap();
    for (t, id, props) in [
        (channel_t, &channel.physical_id, &channel_next),
        (recorder_t, &recorder.physical_id, &recorder_next),
    ] {
        assert_eq!(
            p.read(&s, t, id, props).await.unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(
            p.delete(&s, t, id, props).await.unwrap_err().code,
            ErrorCode::NotFound
        );
    }
}

async fn config_rule(p: &dyn Provider, s: &Session) {
    let t = "AWS::Config::ConfigRule";
    let props = json!({
        "ConfigRuleName": unique("access-keys-rotated"),
        "Source": {"Owner": "AWS", "SourceIdentifier": "ACCESS_KEYS_ROTATED"},
        "InputParameters": {"maxAccessKeyAge": "90"},
        "MaximumExecutionFrequency": "TwentyFour_Hours",
        "Scope": {"ComplianceResourceTypes": ["AWS::IAM::User"]},
    });
    let req = create_request(t, "Rule", props.clone());
    assert!(p.find(s, &req).await.unwrap().is_none());
    let created = p.create(s, &req).await.unwrap();
    let name = props["ConfigRuleName"].as_str().unwrap();
    assert_eq!(created.physical_id, name);
    let id = created.attributes["ConfigRuleId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(id.starts_with("config-rule-"), "{id}");
    assert!(created.attributes["Arn"]
        .as_str()
        .unwrap()
        .ends_with(&format!("config-rule/{id}")));
    assert!(created.attributes.contains_key("Compliance.Type"));
    let read = p.read(s, t, name, &props).await.unwrap();
    assert_eq!(read.properties, props);
    let found = p.find(s, &req).await.unwrap().expect("rule");
    assert_eq!(found.attributes["ConfigRuleId"], json!(id));

    let mut next = props.clone();
    next["Description"] = json!("Access keys are rotated every 45 days");
    next["InputParameters"] = json!(r#"{"maxAccessKeyAge":"45"}"#);
    let updated = p
        .update(s, &update_request(t, name, &props, next.clone()))
        .await
        .unwrap();
    assert_eq!(updated.attributes["ConfigRuleId"], json!(id), "same rule");
    assert_eq!(p.read(s, t, name, &next).await.unwrap().properties, next);

    p.delete(s, t, name, &next).await.unwrap();
    assert_eq!(
        p.read(s, t, name, &next).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        p.delete(s, t, name, &next).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

async fn config_aggregator(p: &dyn Provider, s: &Session) {
    let t = "AWS::Config::ConfigurationAggregator";
    let props = json!({
        "ConfigurationAggregatorName": unique("landform-organization"),
        "OrganizationAggregationSource": {
            "AllAwsRegions": true,
            "RoleArn": format!("arn:aws:iam::{}:role/aggregator", s.account_id),
        },
    });
    let name = props["ConfigurationAggregatorName"].as_str().unwrap();
    let req = create_request(t, "Aggregator", props.clone());
    assert!(p.find(s, &req).await.unwrap().is_none());
    let created = p.create(s, &req).await.unwrap();
    assert_eq!(created.physical_id, name);
    let arn = created.attributes["ConfigurationAggregatorArn"].clone();
    assert!(
        arn.as_str().unwrap().contains(":config-aggregator/"),
        "{arn}"
    );
    assert_eq!(p.read(s, t, name, &props).await.unwrap().properties, props);
    let found = p.find(s, &req).await.unwrap().expect("aggregator");
    assert_eq!(found.attributes["ConfigurationAggregatorArn"], arn);

    let next = json!({
        "ConfigurationAggregatorName": name,
        "OrganizationAggregationSource": {
            "AllAwsRegions": false,
            "AwsRegions": ["us-east-1", "eu-west-1"],
            "RoleArn": format!("arn:aws:iam::{}:role/aggregator", s.account_id),
        },
    });
    p.update(s, &update_request(t, name, &props, next.clone()))
        .await
        .unwrap();
    assert_eq!(p.read(s, t, name, &next).await.unwrap().properties, next);
    p.delete(s, t, name, &next).await.unwrap();
    assert_eq!(
        p.delete(s, t, name, &next).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn cloudtrail_trail_create_read_update_find_delete() {
    let (sessions, p) = provider().await;
    let s = fresh_account();
    let t = "AWS::CloudTrail::Trail";
    // The central log bucket lives in the log-archive account. moto's CreateTrail looks for
    // the bucket in the trail's own account, so the test makes it there (a moto limit, not
    // how AWS checks: AWS checks the bucket policy lets CloudTrail write).
    let bucket = unique("central-logs");
    sessions
        .s3(&s)
        .await
        .unwrap()
        .create_bucket(&bucket, REGION)
        .await
        .unwrap();
    let key = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let props = json!({
        "EnableLogFileValidation": true,
        "IncludeGlobalServiceEvents": true,
        "IsLogging": true,
        "IsMultiRegionTrail": true,
        "KMSKeyId": key,
        "S3BucketName": bucket,
        "Tags": [{"Key": "team", "Value": "security"}],
    });
    let req = create_request(t, "Trail", props.clone());
    assert!(p.find(&s, &req).await.unwrap().is_none());
    let created = p.create(&s, &req).await.unwrap();
    let name = created.physical_id.clone();
    assert_eq!(name, req.physical_name);
    assert_eq!(
        created.attributes["Arn"],
        json!(format!(
            "arn:aws:cloudtrail:{REGION}:{}:trail/{name}",
            s.account_id
        ))
    );
    let read = p.read(&s, t, &name, &props).await.unwrap();
    assert_reads_back(&read.properties, &props);
    let found = p.find(&s, &req).await.unwrap().expect("trail");
    assert_eq!(found.physical_id, name);

    let next = json!({
        "EnableLogFileValidation": false,
        "IncludeGlobalServiceEvents": true,
        "IsLogging": false,
        "IsMultiRegionTrail": true,
        "KMSKeyId": key,
        "S3BucketName": bucket,
        "S3KeyPrefix": "trails",
        "Tags": [{"Key": "team", "Value": "platform"}],
    });
    p.update(&s, &update_request(t, &name, &props, next.clone()))
        .await
        .unwrap();
    let read = p.read(&s, t, &name, &next).await.unwrap();
    assert_reads_back(&read.properties, &next);

    p.delete(&s, t, &name, &next).await.unwrap();
    assert_eq!(
        p.read(&s, t, &name, &next).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        p.delete(&s, t, &name, &next).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn budget_create_find_delete() {
    let (sessions, p) = provider().await;
    let s = fresh_account();
    let t = "AWS::Budgets::Budget";
    let name = unique("acme-monthly");
    let props = json!({
        "Budget": {
            "BudgetLimit": {"Amount": 100, "Unit": "USD"},
            "BudgetName": name,
            "BudgetType": "COST",
            "TimeUnit": "MONTHLY",
        },
        "NotificationsWithSubscribers": [{
            "Notification": {"ComparisonOperator": "GREATER_THAN", "NotificationType": "ACTUAL",
                "Threshold": 80, "ThresholdType": "PERCENTAGE"},
            "Subscribers": [{"Address": "billing@example.com", "SubscriptionType": "EMAIL"}],
        }],
    });
    let req = create_request(t, "Budget", props.clone());
    assert!(p.find(&s, &req).await.unwrap().is_none(), "no budget yet");
    let created = p.create(&s, &req).await.unwrap();
    assert_eq!(created.physical_id, name);

    // moto lacks DescribeSubscribersForNotification and UpdateBudget, so the provider's
    // read, find of an existing budget and update are tested with mocks; here the budget
    // moto holds is checked through the client directly.
    let budgets = sessions.budgets(&s).await.unwrap();
    let stored = budgets.describe_budget(&s.account_id, &name).await.unwrap();
    assert_eq!(stored.limit_amount.as_deref(), Some("100"));
    assert_eq!(
        (stored.budget_type.as_str(), stored.time_unit.as_str()),
        ("COST", "MONTHLY")
    );
    let notifications = budgets
        .describe_notifications(&s.account_id, &name)
        .await
        .unwrap();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0].threshold, 80.0);
    // The budget is the account's own: another account does not see it.
    let other = fresh_account();
    assert_eq!(
        budgets
            .describe_budget(&other.account_id, &name)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );

    p.delete(&s, t, &name, &props).await.unwrap();
    assert!(p.find(&s, &req).await.unwrap().is_none(), "gone");
    assert_eq!(
        p.delete(&s, t, &name, &props).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}
