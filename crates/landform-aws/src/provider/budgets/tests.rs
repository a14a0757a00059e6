//! Unit tests of the budget handlers against a mocked [`BudgetsApi`]. moto lacks UpdateBudget
//! and DescribeSubscribersForNotification, so read and update are tested here only.

use mockall::predicate::eq;
use serde_json::json;

use super::*;
use crate::api::MockBudgetsApi;

const ACCOUNT: &str = "111111111111";

fn session() -> Session {
    Session::new(ACCOUNT, "us-east-1")
}

fn props() -> Json {
    json!({
        "Budget": {
            "BudgetLimit": {"Amount": 100, "Unit": "USD"},
            "BudgetName": "acme-monthly",
            "BudgetType": "COST",
            "TimeUnit": "MONTHLY",
        },
        "NotificationsWithSubscribers": [
            {"Notification": {"ComparisonOperator": "GREATER_THAN", "NotificationType": "ACTUAL",
                "Threshold": 80, "ThresholdType": "PERCENTAGE"},
             "Subscribers": [{"Address": "billing@example.com", "SubscriptionType": "EMAIL"}]},
            {"Notification": {"ComparisonOperator": "GREATER_THAN", "NotificationType": "FORECASTED",
                "Threshold": 100, "ThresholdType": "PERCENTAGE"},
             "Subscribers": [{"Address": "billing@example.com", "SubscriptionType": "EMAIL"}]},
        ],
    })
}

fn request(props: Json) -> CreateRequest {
    CreateRequest {
        type_name: TYPE.into(),
        stack: "S".into(),
        logical_id: "Budget".into(),
        properties: props,
        physical_name: "S-Budget-1234".into(),
        idempotency_key: "S/Budget".into(),
    }
}

fn notification(kind: &str, threshold: f64) -> NotificationSpec {
    NotificationSpec {
        notification_type: kind.into(),
        comparison_operator: "GREATER_THAN".into(),
        threshold,
        threshold_type: Some("PERCENTAGE".into()),
    }
}

fn email() -> SubscriberSpec {
    SubscriberSpec {
        subscription_type: "EMAIL".into(),
        address: "billing@example.com".into(),
    }
}

#[tokio::test]
async fn create_sends_the_account_the_budget_and_its_notifications() {
    let mut api = MockBudgetsApi::new();
    api.expect_create_budget()
        .withf(|account, b, n| {
            account == ACCOUNT
                && b.name == "acme-monthly"
                && b.limit_amount.as_deref() == Some("100")
                && n.len() == 2
                && n[0].0 == notification("ACTUAL", 80.0)
                && n[0].1 == [email()]
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let s = create(&api, &session(), &request(props())).await.unwrap();
    assert_eq!(s.physical_id, "acme-monthly");
}

#[tokio::test]
async fn read_normalises_amounts_and_order_to_the_template() {
    let mut api = MockBudgetsApi::new();
    api.expect_describe_budget()
        .with(eq(ACCOUNT), eq("acme-monthly"))
        .returning(|_, _| {
            Ok(BudgetSpec {
                name: "acme-monthly".into(),
                budget_type: "COST".into(),
                time_unit: "MONTHLY".into(),
                limit_amount: Some("100.0".into()),
                limit_unit: Some("USD".into()),
            })
        });
    // AWS lists the notifications in its own order.
    api.expect_describe_notifications().returning(|_, _| {
        Ok(vec![
            notification("FORECASTED", 100.0),
            notification("ACTUAL", 80.0),
        ])
    });
    api.expect_describe_subscribers()
        .times(2)
        .returning(|_, _, _| Ok(vec![email()]));
    let s = read(&api, &session(), "acme-monthly", &props())
        .await
        .unwrap();
    assert_eq!(s.properties, props());
}

#[tokio::test]
async fn read_without_a_template_name_leaves_the_name_out() {
    let mut api = MockBudgetsApi::new();
    api.expect_describe_budget().returning(|_, _| {
        Ok(BudgetSpec {
            name: "S-Budget-1234".into(),
            budget_type: "COST".into(),
            time_unit: "MONTHLY".into(),
            limit_amount: Some("12.5".into()),
            limit_unit: Some("USD".into()),
        })
    });
    api.expect_describe_notifications()
        .returning(|_, _| Ok(vec![]));
    let hint = json!({"Budget": {"BudgetLimit": {"Amount": 12.5, "Unit": "USD"},
        "BudgetType": "COST", "TimeUnit": "MONTHLY"}});
    let s = read(&api, &session(), "S-Budget-1234", &hint)
        .await
        .unwrap();
    assert_eq!(s.properties, hint);
}

#[tokio::test]
async fn update_changes_the_limit_and_only_the_changed_notifications() {
    let mut api = MockBudgetsApi::new();
    api.expect_update_budget()
        .withf(|_, b| b.limit_amount.as_deref() == Some("200"))
        .times(1)
        .returning(|_, _| Ok(()));
    api.expect_delete_notification()
        .withf(|_, _, n| *n == notification("FORECASTED", 100.0))
        .times(1)
        .returning(|_, _, _| Ok(()));
    api.expect_create_notification()
        .withf(|_, _, n, s| *n == notification("FORECASTED", 90.0) && *s == [email()])
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let ops = SubscriberSpec {
        subscription_type: "SNS".into(),
        address: "arn:aws:sns:us-east-1:111111111111:ops".into(),
    };
    let added = ops.clone();
    api.expect_create_subscriber()
        .withf(move |_, _, n, s| *n == notification("ACTUAL", 80.0) && *s == added)
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    api.expect_delete_subscriber().never();
    let mut next = props();
    next["Budget"]["BudgetLimit"]["Amount"] = json!(200);
    next["NotificationsWithSubscribers"][1]["Notification"]["Threshold"] = json!(90);
    next["NotificationsWithSubscribers"][0]["Subscribers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Address": ops.address, "SubscriptionType": "SNS"}));
    let request = UpdateRequest {
        type_name: TYPE.into(),
        physical_id: "acme-monthly".into(),
        previous: props(),
        properties: next,
    };
    update(&api, &session(), &request).await.unwrap();
}

#[tokio::test]
async fn a_rename_is_refused() {
    let api = MockBudgetsApi::new();
    let mut next = props();
    next["Budget"]["BudgetName"] = json!("other");
    let request = UpdateRequest {
        type_name: TYPE.into(),
        physical_id: "acme-monthly".into(),
        previous: props(),
        properties: next,
    };
    let e = update(&api, &session(), &request).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotUpdatable);
}

#[tokio::test]
async fn find_of_a_missing_budget_is_none() {
    let mut api = MockBudgetsApi::new();
    api.expect_describe_budget()
        .returning(|_, _| Err(ProviderError::new(ErrorCode::NotFound, "no budget")));
    assert!(find(&api, &session(), &request(props()))
        .await
        .unwrap()
        .is_none());
}
