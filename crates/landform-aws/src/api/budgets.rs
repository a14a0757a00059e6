//! The AWS Budgets calls the providers make.

use async_trait::async_trait;

/// The AWS Budgets calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait BudgetsApi: Send + Sync {}

/// [`BudgetsApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkBudgets(pub aws_sdk_budgets::Client);

#[async_trait]
impl BudgetsApi for SdkBudgets {}
