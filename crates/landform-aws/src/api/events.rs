//! The EventBridge buses, bus policies and rules calls the providers make.

use async_trait::async_trait;

/// The EventBridge buses, bus policies and rules calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait EventsApi: Send + Sync {}

/// [`EventsApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkEvents(pub aws_sdk_eventbridge::Client);

#[async_trait]
impl EventsApi for SdkEvents {}
