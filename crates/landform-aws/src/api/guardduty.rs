//! The GuardDuty detectors calls the providers make.

use async_trait::async_trait;

/// The GuardDuty detectors calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait GuardDutyApi: Send + Sync {}

/// [`GuardDutyApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkGuardDuty(pub aws_sdk_guardduty::Client);

#[async_trait]
impl GuardDutyApi for SdkGuardDuty {}
