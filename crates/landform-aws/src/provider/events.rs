//! EventBridge buses, bus policies and rules.

use async_trait::async_trait;
use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::Value as Json;

use super::{unknown, ClientSource, Family};

/// EventBridge buses, bus policies and rules.
pub(super) struct Events;

#[async_trait]
impl Family for Events {
    fn types(&self) -> &'static [&'static str] {
        &[
            "AWS::Events::EventBus",
            "AWS::Events::EventBusPolicy",
            "AWS::Events::Rule",
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
