//! KMS, EventBridge, Lambda, Logs and the account settings against moto: create, read back
//! (equal to what was created), update, find (idempotency) and delete, through the registry.
//!
//! moto gaps: moto 5.2.5 takes but does not keep a function's LoggingConfig (GetFunction
//! answers none), so it is left out of the Lambda read-back comparison here; moto answers
//! Lambda's State Active at once, so the waits for Pending/InProgress are exercised with
//! mocks only (unit tests).

mod common;
use common::*;

use std::sync::Arc;

use landform_aws::api::RoleSpec;
use landform_aws::{AwsProvider, ClientSource};
use landform_deploy::{ErrorCode, Provider, ResourceState, Session};
use serde_json::{json, Value as Json};

async fn provider(type_name: &str) -> Arc<dyn Provider> {
    AwsProvider::new(sessions().await)
        .registry()
        .provider(type_name)
        .expect("registered")
}

/// Every property the template set reads back unchanged.
fn assert_reads_back(state: &ResourceState, props: &Json) {
    for (k, v) in props.as_object().expect("object") {
        assert_eq!(state.properties.get(k), Some(v), "property {k}");
    }
}

async fn assert_gone(p: &dyn Provider, s: &Session, type_name: &str, id: &str, props: &Json) {
    let read = p.read(s, type_name, id, props).await.unwrap_err();
    assert_eq!(
        read.code,
        ErrorCode::NotFound,
        "read after delete: {read:?}"
    );
    let again = p.delete(s, type_name, id, props).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::NotFound, "second delete: {again:?}");
}

#[tokio::test]
async fn kms_key_and_alias_lifecycle() {
    let s = management();
    let keys = provider("AWS::KMS::Key").await;
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Root", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
            "Principal": {"AWS": format!("arn:aws:iam::{MANAGEMENT}:root")}}]
    });
    let props = json!({
        "Description": "Landform: state key",
        "EnableKeyRotation": true,
        "KeyPolicy": policy,
        "PendingWindowInDays": 7,
        "Tags": [{"Key": "team", "Value": "platform"}],
    });
    let request = create_request("AWS::KMS::Key", "Key", props.clone());
    let created = keys.create(&s, &request).await.unwrap();
    let id = created.physical_id.clone();
    assert_eq!(created.attributes["KeyId"], json!(id));
    assert_eq!(
        created.attributes["Arn"],
        json!(format!("arn:aws:kms:{REGION}:{MANAGEMENT}:key/{id}"))
    );
    let read = keys.read(&s, "AWS::KMS::Key", &id, &props).await.unwrap();
    assert_reads_back(&read, &props);

    // A retried create finds the key by its idempotency tag; another request finds nothing.
    let found = keys.find(&s, &request).await.unwrap().expect("found");
    assert_eq!(found.physical_id, id);
    let other = create_request("AWS::KMS::Key", "Other", props.clone());
    assert!(keys.find(&s, &other).await.unwrap().is_none());

    let mut next = props.clone();
    next["Description"] = json!("Landform: changed");
    next["EnableKeyRotation"] = json!(false);
    next["Tags"] = json!([{"Key": "team", "Value": "security"}]);
    keys.update(
        &s,
        &update_request("AWS::KMS::Key", &id, &props, next.clone()),
    )
    .await
    .unwrap();
    let read = keys.read(&s, "AWS::KMS::Key", &id, &next).await.unwrap();
    assert_reads_back(&read, &next);

    let aliases = provider("AWS::KMS::Alias").await;
    let second = keys
        .create(&s, &create_request("AWS::KMS::Key", "Second", json!({})))
        .await
        .unwrap();
    let alias_name = format!("alias/{}", unique("landform"));
    let alias_props = json!({"AliasName": alias_name, "TargetKeyId": id});
    let alias_request = create_request("AWS::KMS::Alias", "Alias", alias_props.clone());
    let alias = aliases.create(&s, &alias_request).await.unwrap();
    assert_eq!(alias.physical_id, alias_name);
    let read = aliases
        .read(&s, "AWS::KMS::Alias", &alias_name, &alias_props)
        .await
        .unwrap();
    assert_reads_back(&read, &alias_props);
    assert!(aliases.find(&s, &alias_request).await.unwrap().is_some());
    let moved = json!({"AliasName": alias_name, "TargetKeyId": second.physical_id});
    aliases
        .update(
            &s,
            &update_request("AWS::KMS::Alias", &alias_name, &alias_props, moved.clone()),
        )
        .await
        .unwrap();
    let read = aliases
        .read(&s, "AWS::KMS::Alias", &alias_name, &moved)
        .await
        .unwrap();
    assert_reads_back(&read, &moved);
    aliases
        .delete(&s, "AWS::KMS::Alias", &alias_name, &moved)
        .await
        .unwrap();
    assert_gone(&*aliases, &s, "AWS::KMS::Alias", &alias_name, &moved).await;

    // Deleting schedules the deletion: the key then reads as gone, and is not found again.
    keys.delete(&s, "AWS::KMS::Key", &id, &next).await.unwrap();
    assert_gone(&*keys, &s, "AWS::KMS::Key", &id, &next).await;
    keys.delete(&s, "AWS::KMS::Key", &second.physical_id, &json!({}))
        .await
        .unwrap();
}

#[tokio::test]
async fn event_bus_policy_and_rules_lifecycle() {
    let s = management();
    let buses = provider("AWS::Events::EventBus").await;
    let name = unique("findings");
    let bus_props = json!({"Name": name});
    let bus_request = create_request("AWS::Events::EventBus", "Bus", bus_props.clone());
    let bus = buses.create(&s, &bus_request).await.unwrap();
    let bus_arn = format!("arn:aws:events:{REGION}:{MANAGEMENT}:event-bus/{name}");
    assert_eq!(bus.physical_id, name);
    assert_eq!(bus.attributes["Arn"], json!(bus_arn));
    assert_eq!(bus.attributes["Name"], json!(name));
    let read = buses
        .read(&s, "AWS::Events::EventBus", &name, &bus_props)
        .await
        .unwrap();
    assert_reads_back(&read, &bus_props);
    assert_eq!(
        buses
            .find(&s, &bus_request)
            .await
            .unwrap()
            .unwrap()
            .physical_id,
        name
    );

    let policies = provider("AWS::Events::EventBusPolicy").await;
    let statement = json!({
        "Action": "events:PutEvents",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-houseescort1"}},
        "Effect": "Allow",
        "Principal": "*",
        "Resource": bus_arn,
        "Sid": "OrganizationSendsFindings",
    });
    let policy_props = json!({
        "EventBusName": name,
        "Statement": statement,
        "StatementId": "OrganizationSendsFindings",
    });
    let policy_request = create_request(
        "AWS::Events::EventBusPolicy",
        "Policy",
        policy_props.clone(),
    );
    let policy = policies.create(&s, &policy_request).await.unwrap();
    assert_eq!(policy.physical_id, "OrganizationSendsFindings");
    let read = policies
        .read(
            &s,
            "AWS::Events::EventBusPolicy",
            &policy.physical_id,
            &policy_props,
        )
        .await
        .unwrap();
    assert_reads_back(&read, &policy_props);
    assert!(policies.find(&s, &policy_request).await.unwrap().is_some());
    let mut changed = policy_props.clone();
    changed["Statement"]["Condition"]["StringEquals"]["aws:PrincipalOrgID"] = json!("o-other");
    policies
        .update(
            &s,
            &update_request(
                "AWS::Events::EventBusPolicy",
                &policy.physical_id,
                &policy_props,
                changed.clone(),
            ),
        )
        .await
        .unwrap();
    let read = policies
        .read(
            &s,
            "AWS::Events::EventBusPolicy",
            &policy.physical_id,
            &changed,
        )
        .await
        .unwrap();
    assert_reads_back(&read, &changed);

    // A baseline rule: default bus, GuardDuty findings to the bus, through a role.
    let rules = provider("AWS::Events::Rule").await;
    let rule_props = json!({
        "Description": "Landform: GuardDuty findings to the central security bus",
        "EventPattern": {"detail-type": ["GuardDuty Finding"], "source": ["aws.guardduty"]},
        "State": "ENABLED",
        "Targets": [{"Arn": bus_arn, "Id": "CentralSecurityBus",
            "RoleArn": format!("arn:aws:iam::{MANAGEMENT}:role/findings")}],
    });
    let rule_request = create_request("AWS::Events::Rule", &unique("Rule"), rule_props.clone());
    let rule = rules.create(&s, &rule_request).await.unwrap();
    assert_eq!(rule.physical_id, rule_request.physical_name);
    assert_eq!(
        rule.attributes["Arn"],
        json!(format!(
            "arn:aws:events:{REGION}:{MANAGEMENT}:rule/{}",
            rule.physical_id
        ))
    );
    let read = rules
        .read(&s, "AWS::Events::Rule", &rule.physical_id, &rule_props)
        .await
        .unwrap();
    assert_reads_back(&read, &rule_props);
    assert_eq!(
        rules
            .find(&s, &rule_request)
            .await
            .unwrap()
            .unwrap()
            .physical_id,
        rule.physical_id
    );
    let mut disabled = rule_props.clone();
    disabled["State"] = json!("DISABLED");
    disabled["Targets"][0]["Id"] = json!("Renamed");
    rules
        .update(
            &s,
            &update_request(
                "AWS::Events::Rule",
                &rule.physical_id,
                &rule_props,
                disabled.clone(),
            ),
        )
        .await
        .unwrap();
    let read = rules
        .read(&s, "AWS::Events::Rule", &rule.physical_id, &disabled)
        .await
        .unwrap();
    assert_reads_back(&read, &disabled);
    rules
        .delete(&s, "AWS::Events::Rule", &rule.physical_id, &disabled)
        .await
        .unwrap();
    assert_gone(
        &*rules,
        &s,
        "AWS::Events::Rule",
        &rule.physical_id,
        &disabled,
    )
    .await;

    // A rule on the custom bus: CloudFormation's `bus|name` id.
    let on_bus = json!({"Name": unique("rule"), "EventBusName": name,
        "EventPattern": {"source": ["aws.guardduty"]}});
    let rule = rules
        .create(
            &s,
            &create_request("AWS::Events::Rule", "BusRule", on_bus.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        rule.physical_id,
        format!("{name}|{}", on_bus["Name"].as_str().unwrap())
    );
    let read = rules
        .read(&s, "AWS::Events::Rule", &rule.physical_id, &on_bus)
        .await
        .unwrap();
    assert_reads_back(&read, &on_bus);
    rules
        .delete(&s, "AWS::Events::Rule", &rule.physical_id, &on_bus)
        .await
        .unwrap();

    policies
        .delete(
            &s,
            "AWS::Events::EventBusPolicy",
            &policy.physical_id,
            &changed,
        )
        .await
        .unwrap();
    assert_gone(
        &*policies,
        &s,
        "AWS::Events::EventBusPolicy",
        &policy.physical_id,
        &changed,
    )
    .await;
    buses
        .delete(&s, "AWS::Events::EventBus", &name, &bus_props)
        .await
        .unwrap();
    assert_gone(&*buses, &s, "AWS::Events::EventBus", &name, &bus_props).await;
}

/// moto does not keep LoggingConfig (see the module docs).
fn without_logging(props: &Json) -> Json {
    let mut p = props.clone();
    p.as_object_mut().unwrap().remove("LoggingConfig");
    p
}

const HANDLER: &str = "import json\n\n\ndef handler(event, context):\n    return {\"ok\": True}\n";

#[tokio::test]
async fn log_group_and_function_lifecycle() {
    let s = management();
    let groups = provider("AWS::Logs::LogGroup").await;
    let group_props =
        json!({"RetentionInDays": 365, "Tags": [{"Key": "team", "Value": "platform"}]});
    let group_request = create_request("AWS::Logs::LogGroup", &unique("Logs"), group_props.clone());
    let group = groups.create(&s, &group_request).await.unwrap();
    let name = group_request.physical_name.clone();
    assert_eq!(group.physical_id, name);
    assert_eq!(
        group.attributes["Arn"],
        json!(format!(
            "arn:aws:logs:{REGION}:{MANAGEMENT}:log-group:{name}:*"
        ))
    );
    let read = groups
        .read(&s, "AWS::Logs::LogGroup", &name, &group_props)
        .await
        .unwrap();
    assert_reads_back(&read, &group_props);
    assert!(groups.find(&s, &group_request).await.unwrap().is_some());
    let mut shorter = group_props.clone();
    shorter["RetentionInDays"] = json!(30);
    groups
        .update(
            &s,
            &update_request("AWS::Logs::LogGroup", &name, &group_props, shorter.clone()),
        )
        .await
        .unwrap();
    let read = groups
        .read(&s, "AWS::Logs::LogGroup", &name, &shorter)
        .await
        .unwrap();
    assert_reads_back(&read, &shorter);

    // moto checks that the execution role exists.
    let role = sessions()
        .await
        .iam(&s)
        .await
        .unwrap()
        .create_role(&RoleSpec {
            name: unique("settings"),
            assume_role_policy: json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
            .to_string(),
            ..RoleSpec::default()
        })
        .await
        .unwrap();
    let functions = provider("AWS::Lambda::Function").await;
    let props = json!({
        "Architectures": ["arm64"],
        "Code": {"ZipFile": HANDLER},
        "Description": "Landform: applies the account settings",
        "Handler": "index.handler",
        "LoggingConfig": {"LogGroup": name},
        "MemorySize": 128,
        "Role": role.arn,
        "Runtime": "python3.13",
        "Timeout": 60,
    });
    let request = create_request("AWS::Lambda::Function", &unique("Function"), props.clone());
    let function = functions.create(&s, &request).await.unwrap();
    let id = function.physical_id.clone();
    assert_eq!(id, request.physical_name);
    assert_eq!(
        function.attributes["Arn"],
        json!(format!(
            "arn:aws:lambda:{REGION}:{MANAGEMENT}:function:{id}"
        ))
    );
    let read = functions
        .read(&s, "AWS::Lambda::Function", &id, &props)
        .await
        .unwrap();
    assert_reads_back(&read, &without_logging(&props));
    assert_eq!(
        functions
            .find(&s, &request)
            .await
            .unwrap()
            .unwrap()
            .physical_id,
        id
    );

    let mut next = props.clone();
    next["Code"]["ZipFile"] = json!(HANDLER.replace("True", "False"));
    next["Timeout"] = json!(30);
    next["Environment"] = json!({"Variables": {"MODE": "strict"}});
    functions
        .update(
            &s,
            &update_request("AWS::Lambda::Function", &id, &props, next.clone()),
        )
        .await
        .unwrap();
    let read = functions
        .read(&s, "AWS::Lambda::Function", &id, &next)
        .await
        .unwrap();
    assert_reads_back(&read, &without_logging(&next));
    // The deployed code is the new source: read against the old one, Code differs.
    let stale = functions
        .read(&s, "AWS::Lambda::Function", &id, &props)
        .await
        .unwrap();
    assert_ne!(stale.properties["Code"], props["Code"]);

    functions
        .delete(&s, "AWS::Lambda::Function", &id, &next)
        .await
        .unwrap();
    assert_gone(&*functions, &s, "AWS::Lambda::Function", &id, &next).await;
    groups
        .delete(&s, "AWS::Logs::LogGroup", &name, &shorter)
        .await
        .unwrap();
    assert_gone(&*groups, &s, "AWS::Logs::LogGroup", &name, &shorter).await;
}

#[tokio::test]
async fn account_settings_lifecycle() {
    // Its own account: these are singletons, and other tests share moto's default account.
    let s = Session::new("210987654321", REGION);
    let token = json!("arn:aws:lambda:us-east-1:210987654321:function:settings");
    let policies = provider("Custom::AccountPasswordPolicy").await;
    let props = json!({
        "Policy": {
            "MaxPasswordAge": 90,
            "MinimumPasswordLength": 14,
            "PasswordReusePrevention": 24,
            "RequireLowercaseCharacters": true,
            "RequireNumbers": true,
            "RequireSymbols": true,
            "RequireUppercaseCharacters": true
        },
        "ServiceToken": token,
    });
    let request = create_request(
        "Custom::AccountPasswordPolicy",
        "PasswordPolicy",
        props.clone(),
    );
    assert!(policies.find(&s, &request).await.unwrap().is_none());
    let created = policies.create(&s, &request).await.unwrap();
    assert_eq!(created.physical_id, "password-policy-210987654321");
    let read = policies
        .read(
            &s,
            "Custom::AccountPasswordPolicy",
            &created.physical_id,
            &props,
        )
        .await
        .unwrap();
    assert_reads_back(&read, &props);
    assert_eq!(
        policies
            .find(&s, &request)
            .await
            .unwrap()
            .unwrap()
            .physical_id,
        created.physical_id
    );
    let mut next = props.clone();
    next["Policy"]["MinimumPasswordLength"] = json!(20);
    next["Policy"]
        .as_object_mut()
        .unwrap()
        .remove("MaxPasswordAge");
    policies
        .update(
            &s,
            &update_request(
                "Custom::AccountPasswordPolicy",
                &created.physical_id,
                &props,
                next.clone(),
            ),
        )
        .await
        .unwrap();
    let read = policies
        .read(
            &s,
            "Custom::AccountPasswordPolicy",
            &created.physical_id,
            &next,
        )
        .await
        .unwrap();
    assert_reads_back(&read, &next);
    policies
        .delete(
            &s,
            "Custom::AccountPasswordPolicy",
            &created.physical_id,
            &next,
        )
        .await
        .unwrap();
    assert_gone(
        &*policies,
        &s,
        "Custom::AccountPasswordPolicy",
        &created.physical_id,
        &next,
    )
    .await;

    // Through S3 Control: this also checks the client reaches moto without the account id
    // host prefix.
    let blocks = provider("Custom::AccountPublicAccessBlock").await;
    let props = json!({"AccountId": "210987654321", "ServiceToken": token});
    let request = create_request("Custom::AccountPublicAccessBlock", "Block", props.clone());
    assert!(blocks.find(&s, &request).await.unwrap().is_none());
    let created = blocks.create(&s, &request).await.unwrap();
    assert_eq!(created.physical_id, "public-access-block-210987654321");
    let read = blocks
        .read(
            &s,
            "Custom::AccountPublicAccessBlock",
            &created.physical_id,
            &props,
        )
        .await
        .unwrap();
    assert_reads_back(&read, &props);
    assert!(blocks.find(&s, &request).await.unwrap().is_some());
    blocks
        .update(
            &s,
            &update_request(
                "Custom::AccountPublicAccessBlock",
                &created.physical_id,
                &props,
                props.clone(),
            ),
        )
        .await
        .unwrap();
    blocks
        .delete(
            &s,
            "Custom::AccountPublicAccessBlock",
            &created.physical_id,
            &props,
        )
        .await
        .unwrap();
    assert_gone(
        &*blocks,
        &s,
        "Custom::AccountPublicAccessBlock",
        &created.physical_id,
        &props,
    )
    .await;
}
