//! The EC2: VPCs, subnets, route tables, flow logs, transit gateways calls the providers make.

use async_trait::async_trait;

/// The EC2: VPCs, subnets, route tables, flow logs, transit gateways calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Ec2Api: Send + Sync {}

/// [`Ec2Api`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkEc2(pub aws_sdk_ec2::Client);

#[async_trait]
impl Ec2Api for SdkEc2 {}
