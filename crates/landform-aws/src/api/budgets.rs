//! The AWS Budgets calls the providers make. Budgets is a global service: every call names
//! the account whose budget it is.

use async_trait::async_trait;
use aws_sdk_budgets::types as sdk;
use landform_deploy::ProviderError;

use crate::error::{missing, sdk_error, ErrorCode};

/// A budget, as CreateBudget and UpdateBudget take it and DescribeBudget answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BudgetSpec {
    /// The name.
    pub name: String,
    /// `COST`, `USAGE`...
    pub budget_type: String,
    /// `MONTHLY`, `QUARTERLY`...
    pub time_unit: String,
    /// The limit amount, as the API carries it (a decimal string).
    pub limit_amount: Option<String>,
    /// The limit unit (`USD`).
    pub limit_unit: Option<String>,
}

/// A notification of a budget.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotificationSpec {
    /// `ACTUAL` or `FORECASTED`.
    pub notification_type: String,
    /// `GREATER_THAN`, `LESS_THAN`, `EQUAL_TO`.
    pub comparison_operator: String,
    /// The threshold.
    pub threshold: f64,
    /// `PERCENTAGE` (the default) or `ABSOLUTE_VALUE`.
    pub threshold_type: Option<String>,
}

/// Who a notification reaches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscriberSpec {
    /// `EMAIL` or `SNS`.
    pub subscription_type: String,
    /// The address or topic ARN.
    pub address: String,
}

/// The AWS Budgets calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait BudgetsApi: Send + Sync {
    /// CreateBudget with its notifications and their subscribers.
    async fn create_budget(
        &self,
        account_id: &str,
        budget: &BudgetSpec,
        notifications: Vec<(NotificationSpec, Vec<SubscriberSpec>)>,
    ) -> Result<(), ProviderError>;
    /// DescribeBudget. NotFound when gone.
    async fn describe_budget(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<BudgetSpec, ProviderError>;
    /// UpdateBudget.
    async fn update_budget(
        &self,
        account_id: &str,
        budget: &BudgetSpec,
    ) -> Result<(), ProviderError>;
    /// DeleteBudget.
    async fn delete_budget(&self, account_id: &str, name: &str) -> Result<(), ProviderError>;
    /// DescribeNotificationsForBudget.
    async fn describe_notifications(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Vec<NotificationSpec>, ProviderError>;
    /// DescribeSubscribersForNotification.
    async fn describe_subscribers(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
    ) -> Result<Vec<SubscriberSpec>, ProviderError>;
    /// CreateNotification with its subscribers.
    async fn create_notification(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
        subscribers: Vec<SubscriberSpec>,
    ) -> Result<(), ProviderError>;
    /// DeleteNotification (and its subscribers).
    async fn delete_notification(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
    ) -> Result<(), ProviderError>;
    /// CreateSubscriber.
    async fn create_subscriber(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
        subscriber: &SubscriberSpec,
    ) -> Result<(), ProviderError>;
    /// DeleteSubscriber.
    async fn delete_subscriber(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
        subscriber: &SubscriberSpec,
    ) -> Result<(), ProviderError>;
}

/// [`BudgetsApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkBudgets(pub aws_sdk_budgets::Client);

fn budgets_code(e: ProviderError) -> ProviderError {
    let code = match e.service_code.as_deref() {
        Some("NotFoundException") => ErrorCode::NotFound,
        Some("DuplicateRecordException") => ErrorCode::AlreadyExists,
        _ => return e,
    };
    ProviderError { code, ..e }
}

fn budgets_error<E>(
    operation: &str,
    err: aws_sdk_budgets::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_budgets::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    budgets_code(sdk_error(operation, err))
}

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ProviderError> {
    r.map_err(|e| ProviderError::new(ErrorCode::InvalidRequest, e.to_string()))
}

fn to_budget(b: &BudgetSpec) -> Result<sdk::Budget, ProviderError> {
    let limit = match (&b.limit_amount, &b.limit_unit) {
        (Some(amount), Some(unit)) => Some(build(
            sdk::Spend::builder().amount(amount).unit(unit).build(),
        )?),
        _ => None,
    };
    build(
        sdk::Budget::builder()
            .budget_name(&b.name)
            .budget_type(b.budget_type.as_str().into())
            .time_unit(b.time_unit.as_str().into())
            .set_budget_limit(limit)
            .build(),
    )
}

fn to_notification(n: &NotificationSpec) -> Result<sdk::Notification, ProviderError> {
    build(
        sdk::Notification::builder()
            .notification_type(n.notification_type.as_str().into())
            .comparison_operator(n.comparison_operator.as_str().into())
            .threshold(n.threshold)
            .set_threshold_type(n.threshold_type.as_deref().map(Into::into))
            .build(),
    )
}

fn to_subscriber(s: &SubscriberSpec) -> Result<sdk::Subscriber, ProviderError> {
    build(
        sdk::Subscriber::builder()
            .subscription_type(s.subscription_type.as_str().into())
            .address(&s.address)
            .build(),
    )
}

#[async_trait]
impl BudgetsApi for SdkBudgets {
    async fn create_budget(
        &self,
        account_id: &str,
        budget: &BudgetSpec,
        notifications: Vec<(NotificationSpec, Vec<SubscriberSpec>)>,
    ) -> Result<(), ProviderError> {
        let mut call = self
            .0
            .create_budget()
            .account_id(account_id)
            .budget(to_budget(budget)?);
        for (n, subscribers) in &notifications {
            let subscribers = subscribers
                .iter()
                .map(to_subscriber)
                .collect::<Result<Vec<_>, _>>()?;
            call = call.notifications_with_subscribers(build(
                sdk::NotificationWithSubscribers::builder()
                    .notification(to_notification(n)?)
                    .set_subscribers(Some(subscribers))
                    .build(),
            )?);
        }
        call.send()
            .await
            .map(|_| ())
            .map_err(|e| budgets_error("CreateBudget", e))
    }
    async fn describe_budget(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<BudgetSpec, ProviderError> {
        let out = self
            .0
            .describe_budget()
            .account_id(account_id)
            .budget_name(name)
            .send()
            .await
            .map_err(|e| budgets_error("DescribeBudget", e))?;
        let b = out
            .budget
            .ok_or_else(|| missing("DescribeBudget", "Budget"))?;
        Ok(BudgetSpec {
            name: b.budget_name,
            budget_type: b.budget_type.as_str().to_owned(),
            time_unit: b.time_unit.as_str().to_owned(),
            limit_amount: b.budget_limit.as_ref().map(|l| l.amount.clone()),
            limit_unit: b.budget_limit.map(|l| l.unit),
        })
    }
    async fn update_budget(
        &self,
        account_id: &str,
        budget: &BudgetSpec,
    ) -> Result<(), ProviderError> {
        self.0
            .update_budget()
            .account_id(account_id)
            .new_budget(to_budget(budget)?)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| budgets_error("UpdateBudget", e))
    }
    async fn delete_budget(&self, account_id: &str, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_budget()
            .account_id(account_id)
            .budget_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| budgets_error("DeleteBudget", e))
    }
    async fn describe_notifications(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Vec<NotificationSpec>, ProviderError> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .describe_notifications_for_budget()
                .account_id(account_id)
                .budget_name(name)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| budgets_error("DescribeNotificationsForBudget", e))?;
            all.extend(out.notifications.unwrap_or_default().into_iter().map(|n| {
                NotificationSpec {
                    notification_type: n.notification_type.as_str().to_owned(),
                    comparison_operator: n.comparison_operator.as_str().to_owned(),
                    threshold: n.threshold,
                    threshold_type: n.threshold_type.map(|t| t.as_str().to_owned()),
                }
            }));
            token = out.next_token.filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(all);
            }
        }
    }
    async fn describe_subscribers(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
    ) -> Result<Vec<SubscriberSpec>, ProviderError> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .describe_subscribers_for_notification()
                .account_id(account_id)
                .budget_name(name)
                .notification(to_notification(notification)?)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| budgets_error("DescribeSubscribersForNotification", e))?;
            all.extend(
                out.subscribers
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| SubscriberSpec {
                        subscription_type: s.subscription_type.as_str().to_owned(),
                        address: s.address,
                    }),
            );
            token = out.next_token.filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(all);
            }
        }
    }
    async fn create_notification(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
        subscribers: Vec<SubscriberSpec>,
    ) -> Result<(), ProviderError> {
        let subscribers = subscribers
            .iter()
            .map(to_subscriber)
            .collect::<Result<Vec<_>, _>>()?;
        self.0
            .create_notification()
            .account_id(account_id)
            .budget_name(name)
            .notification(to_notification(notification)?)
            .set_subscribers(Some(subscribers))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| budgets_error("CreateNotification", e))
    }
    async fn delete_notification(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
    ) -> Result<(), ProviderError> {
        self.0
            .delete_notification()
            .account_id(account_id)
            .budget_name(name)
            .notification(to_notification(notification)?)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| budgets_error("DeleteNotification", e))
    }
    async fn create_subscriber(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
        subscriber: &SubscriberSpec,
    ) -> Result<(), ProviderError> {
        self.0
            .create_subscriber()
            .account_id(account_id)
            .budget_name(name)
            .notification(to_notification(notification)?)
            .subscriber(to_subscriber(subscriber)?)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| budgets_error("CreateSubscriber", e))
    }
    async fn delete_subscriber(
        &self,
        account_id: &str,
        name: &str,
        notification: &NotificationSpec,
        subscriber: &SubscriberSpec,
    ) -> Result<(), ProviderError> {
        self.0
            .delete_subscriber()
            .account_id(account_id)
            .budget_name(name)
            .notification(to_notification(notification)?)
            .subscriber(to_subscriber(subscriber)?)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| budgets_error("DeleteSubscriber", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_codes_map_to_the_handler_contract() {
        let e = |c: &str| {
            budgets_code(
                ProviderError::new(ErrorCode::GeneralServiceException, "x").with_service_code(c),
            )
            .code
        };
        assert_eq!(e("NotFoundException"), ErrorCode::NotFound);
        assert_eq!(e("DuplicateRecordException"), ErrorCode::AlreadyExists);
        assert_eq!(
            e("AccessDeniedException"),
            ErrorCode::GeneralServiceException
        );
    }
}
