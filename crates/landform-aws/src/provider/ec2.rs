//! VPCs, subnets, route tables and routes, flow logs, and transit gateways with their attachments, route tables, associations and routes.

use async_trait::async_trait;
use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::Value as Json;

use super::{unknown, ClientSource, Family};

/// VPCs, subnets, route tables and routes, flow logs, and transit gateways with their attachments, route tables, associations and routes.
pub(super) struct Ec2;

#[async_trait]
impl Family for Ec2 {
    fn types(&self) -> &'static [&'static str] {
        &[
            "AWS::EC2::VPC",
            "AWS::EC2::Subnet",
            "AWS::EC2::RouteTable",
            "AWS::EC2::Route",
            "AWS::EC2::SubnetRouteTableAssociation",
            "AWS::EC2::FlowLog",
            "AWS::EC2::TransitGateway",
            "AWS::EC2::TransitGatewayAttachment",
            "AWS::EC2::TransitGatewayRouteTable",
            "AWS::EC2::TransitGatewayRouteTableAssociation",
            "AWS::EC2::TransitGatewayRoute",
        ]
    }
    fn permissions(&self, _type_name: &str) -> &'static [&'static str] {
        &[]
    }
    async fn create(
        &self,
        _clients: &dyn ClientSource,
        _session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        Err(unknown(&request.type_name))
    }
    async fn read(
        &self,
        _clients: &dyn ClientSource,
        _session: &Session,
        type_name: &str,
        _physical_id: &str,
        _properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        Err(unknown(type_name))
    }
    async fn update(
        &self,
        _clients: &dyn ClientSource,
        _session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        Err(unknown(&request.type_name))
    }
    async fn delete(
        &self,
        _clients: &dyn ClientSource,
        _session: &Session,
        type_name: &str,
        _physical_id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        Err(unknown(type_name))
    }
    async fn find(
        &self,
        _clients: &dyn ClientSource,
        _session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        Err(unknown(&request.type_name))
    }
}
