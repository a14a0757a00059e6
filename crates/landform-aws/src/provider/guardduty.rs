//! GuardDuty detectors.

use async_trait::async_trait;
use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::Value as Json;

use super::{unknown, ClientSource, Family};

/// GuardDuty detectors.
pub(super) struct GuardDuty;

#[async_trait]
impl Family for GuardDuty {
    fn types(&self) -> &'static [&'static str] {
        &["AWS::GuardDuty::Detector"]
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
