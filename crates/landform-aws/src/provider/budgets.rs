//! AWS::Budgets::Budget: a budget and its notifications with their subscribers. Budgets is
//! global: every call names the session's account.

use std::collections::BTreeMap;

use async_trait::async_trait;
use landform_deploy::{
    CreateRequest, ErrorCode, ProviderError, ResourceState, Session, UpdateRequest,
};
use serde_json::{json, Value as Json};

use super::guardduty::refuse_unsupported;
use super::{required, string, unknown, ClientSource, Family};
use crate::api::{BudgetSpec, BudgetsApi, NotificationSpec, SubscriberSpec};

/// Budgets.
pub(super) struct Budgets;

const TYPE: &str = "AWS::Budgets::Budget";

type Notifications = Vec<(NotificationSpec, Vec<SubscriberSpec>)>;

/// A number a template may write as a number or a numeric string.
fn number(value: Option<&Json>) -> Option<f64> {
    match value? {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A number read back in the template's form: the template's own value when it means the
/// same number, else a JSON number (an integer when whole, as templates write them).
fn number_as_given(actual: f64, hint: Option<&Json>) -> Json {
    if number(hint) == Some(actual) {
        if let Some(h) = hint {
            return h.clone();
        }
    }
    if actual.fract() == 0.0 && actual.abs() < 1e15 {
        json!(actual as i64)
    } else {
        json!(actual)
    }
}

fn budget_name(request: &CreateRequest) -> String {
    request
        .properties
        .pointer("/Budget/BudgetName")
        .and_then(Json::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| request.physical_name.clone())
}

fn budget_spec(name: &str, p: &Json) -> Result<BudgetSpec, ProviderError> {
    refuse_unsupported(TYPE, p, &["Budget", "NotificationsWithSubscribers"])?;
    let b = p.get("Budget").ok_or_else(|| required(TYPE, "Budget"))?;
    refuse_unsupported(
        &format!("{TYPE} Budget"),
        b,
        &["BudgetName", "BudgetLimit", "BudgetType", "TimeUnit"],
    )?;
    let limit = b.get("BudgetLimit");
    let amount = limit.and_then(|l| match l.get("Amount")? {
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(s.clone()),
        _ => None,
    });
    Ok(BudgetSpec {
        name: name.to_owned(),
        budget_type: string(b, "BudgetType").ok_or_else(|| required(TYPE, "Budget.BudgetType"))?,
        time_unit: string(b, "TimeUnit").ok_or_else(|| required(TYPE, "Budget.TimeUnit"))?,
        limit_amount: amount,
        limit_unit: limit.and_then(|l| string(l, "Unit")),
    })
}

fn notification_spec(n: &Json) -> Result<NotificationSpec, ProviderError> {
    let field = |k: &str| string(n, k).ok_or_else(|| required(TYPE, &format!("Notification.{k}")));
    Ok(NotificationSpec {
        notification_type: field("NotificationType")?,
        comparison_operator: field("ComparisonOperator")?,
        threshold: number(n.get("Threshold"))
            .ok_or_else(|| required(TYPE, "Notification.Threshold"))?,
        threshold_type: string(n, "ThresholdType"),
    })
}

fn notifications(p: &Json) -> Result<Notifications, ProviderError> {
    let Some(list) = p
        .get("NotificationsWithSubscribers")
        .and_then(Json::as_array)
    else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|n| {
            let notification = notification_spec(
                n.get("Notification")
                    .ok_or_else(|| required(TYPE, "NotificationsWithSubscribers.Notification"))?,
            )?;
            let subscribers = n
                .get("Subscribers")
                .and_then(Json::as_array)
                .map(|s| {
                    s.iter()
                        .map(|s| SubscriberSpec {
                            subscription_type: string(s, "SubscriptionType").unwrap_or_default(),
                            address: string(s, "Address").unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok((notification, subscribers))
        })
        .collect()
}

/// Two notifications are the same one when they match with the threshold type defaulted.
fn same(a: &NotificationSpec, b: &NotificationSpec) -> bool {
    let kind = |n: &NotificationSpec| n.threshold_type.clone().unwrap_or("PERCENTAGE".into());
    a.notification_type == b.notification_type
        && a.comparison_operator == b.comparison_operator
        && a.threshold == b.threshold
        && kind(a) == kind(b)
}

fn state(name: &str, properties: Json) -> ResourceState {
    ResourceState::ready(name, BTreeMap::new(), properties)
}

pub(super) async fn create(
    api: &dyn BudgetsApi,
    session: &Session,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let name = budget_name(request);
    api.create_budget(
        &session.account_id,
        &budget_spec(&name, p)?,
        notifications(p)?,
    )
    .await?;
    Ok(state(&name, p.clone()))
}

fn subscriber_json(s: &SubscriberSpec) -> Json {
    json!({"Address": s.address, "SubscriptionType": s.subscription_type})
}

pub(super) async fn read(
    api: &dyn BudgetsApi,
    session: &Session,
    name: &str,
    hint: &Json,
) -> Result<ResourceState, ProviderError> {
    let account = &session.account_id;
    let b = api.describe_budget(account, name).await?;
    let hint_budget = hint.get("Budget");
    let mut budget = serde_json::Map::new();
    // The name is only written back where the template wrote it.
    if hint_budget.map_or(true, |h| h.get("BudgetName").is_some()) {
        budget.insert("BudgetName".into(), json!(b.name));
    }
    if let (Some(amount), Some(unit)) = (&b.limit_amount, &b.limit_unit) {
        let actual: f64 = amount.parse().map_err(|_| {
            ProviderError::new(
                ErrorCode::ServiceInternal,
                format!("DescribeBudget answered the amount {amount:?}"),
            )
        })?;
        let given = hint_budget.and_then(|h| h.pointer("/BudgetLimit/Amount"));
        budget.insert(
            "BudgetLimit".into(),
            json!({"Amount": number_as_given(actual, given), "Unit": unit}),
        );
    }
    budget.insert("BudgetType".into(), json!(b.budget_type));
    budget.insert("TimeUnit".into(), json!(b.time_unit));

    let wanted = notifications(hint).unwrap_or_default();
    let hint_list = hint.get("NotificationsWithSubscribers");
    let mut found = Vec::new();
    for n in api.describe_notifications(account, name).await? {
        let subscribers = api.describe_subscribers(account, name, &n).await?;
        let position = wanted.iter().position(|(w, _)| same(w, &n));
        found.push((position, n, subscribers));
    }
    found.sort_by_key(|(position, n, _)| {
        (
            position.unwrap_or(usize::MAX),
            n.notification_type.clone(),
            n.comparison_operator.clone(),
        )
    });
    let list: Vec<Json> = found
        .into_iter()
        .map(|(position, n, mut subscribers)| {
            let given = position
                .and_then(|i| hint_list?.get(i)?.get("Notification"))
                .cloned()
                .unwrap_or(Json::Null);
            let mut o = serde_json::Map::new();
            o.insert("ComparisonOperator".into(), json!(n.comparison_operator));
            o.insert("NotificationType".into(), json!(n.notification_type));
            o.insert(
                "Threshold".into(),
                number_as_given(n.threshold, given.get("Threshold")),
            );
            if let Some(t) = &n.threshold_type {
                if t != "PERCENTAGE" || given.get("ThresholdType").is_some() {
                    o.insert("ThresholdType".into(), json!(t));
                }
            }
            let order: Vec<SubscriberSpec> =
                position.map(|i| wanted[i].1.clone()).unwrap_or_default();
            subscribers.sort_by_key(|s| {
                (
                    order.iter().position(|w| w == s).unwrap_or(usize::MAX),
                    s.address.clone(),
                )
            });
            json!({
                "Notification": Json::Object(o),
                "Subscribers": subscribers.iter().map(subscriber_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut p = serde_json::Map::new();
    p.insert("Budget".into(), Json::Object(budget));
    if !list.is_empty() || hint_list.is_some() {
        p.insert("NotificationsWithSubscribers".into(), Json::Array(list));
    }
    Ok(state(name, Json::Object(p)))
}

pub(super) async fn update(
    api: &dyn BudgetsApi,
    session: &Session,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let (prev, next, name) = (&request.previous, &request.properties, &request.physical_id);
    let account = &session.account_id;
    if let Some(wanted) = next.pointer("/Budget/BudgetName").and_then(Json::as_str) {
        if wanted != name {
            return Err(ProviderError::new(
                ErrorCode::NotUpdatable,
                format!(
                    "a budget cannot be renamed ({name} to {wanted}): UpdateBudget keeps the name"
                ),
            ));
        }
    }
    let after = budget_spec(name, next)?;
    if budget_spec(name, prev)? != after {
        api.update_budget(account, &after).await?;
    }
    let (before, wanted) = (notifications(prev)?, notifications(next)?);
    for (n, _) in before
        .iter()
        .filter(|(b, _)| !wanted.iter().any(|(w, _)| same(b, w)))
    {
        api.delete_notification(account, name, n).await?;
    }
    for (n, subscribers) in &wanted {
        match before.iter().find(|(b, _)| same(b, n)) {
            None => {
                api.create_notification(account, name, n, subscribers.clone())
                    .await?
            }
            Some((_, had)) => {
                for s in subscribers.iter().filter(|s| !had.contains(s)) {
                    api.create_subscriber(account, name, n, s).await?;
                }
                for s in had.iter().filter(|s| !subscribers.contains(s)) {
                    api.delete_subscriber(account, name, n, s).await?;
                }
            }
        }
    }
    Ok(state(name, next.clone()))
}

pub(super) async fn find(
    api: &dyn BudgetsApi,
    session: &Session,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    match read(api, session, &budget_name(request), &request.properties).await {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl Family for Budgets {
    fn types(&self) -> &'static [&'static str] {
        &[TYPE]
    }
    fn permissions(&self, _type_name: &str) -> &'static [&'static str] {
        // Budgets authorises every write (budgets, notifications, subscribers) with
        // ModifyBudget and every read with ViewBudget.
        &["budgets:ViewBudget", "budgets:ModifyBudget"]
    }
    async fn create(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        create(&*clients.budgets(session).await?, session, request).await
    }
    async fn read(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        if type_name != TYPE {
            return Err(unknown(type_name));
        }
        read(
            &*clients.budgets(session).await?,
            session,
            physical_id,
            properties,
        )
        .await
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        update(&*clients.budgets(session).await?, session, request).await
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        _type_name: &str,
        physical_id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        clients
            .budgets(session)
            .await?
            .delete_budget(&session.account_id, physical_id)
            .await
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        find(&*clients.budgets(session).await?, session, request).await
    }
}

#[cfg(test)]
mod tests;
