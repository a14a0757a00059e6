//! The RAM calls the resource share provider makes.

use async_trait::async_trait;
use aws_sdk_ram::types as t;
use landform_deploy::ProviderError;

use super::Tag;
use crate::error::{missing, sdk_error, ErrorCode};

/// What CreateResourceShare takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceShareSpec {
    /// The share's name.
    pub name: String,
    /// The resources shared.
    pub resource_arns: Vec<String>,
    /// Accounts, OUs or the organization shared with.
    pub principals: Vec<String>,
    /// Whether principals outside the organization may be added (RAM's default: true).
    pub allow_external_principals: Option<bool>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// The idempotency token.
    pub client_token: String,
}

/// A share as GetResourceShares answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceShareInfo {
    /// The ARN (the share's id).
    pub arn: String,
    /// The name.
    pub name: String,
    /// `PENDING`, `ACTIVE`, `FAILED`, `DELETING`, `DELETED`.
    pub status: String,
    /// AllowExternalPrincipals.
    pub allow_external_principals: bool,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// Which side of a share an association lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareAssociation {
    /// Principals shared with.
    Principal,
    /// Resources shared.
    Resource,
}

/// The RAM calls of the resource share provider.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait RamApi: Send + Sync {
    /// CreateResourceShare (idempotent on the client token).
    async fn create_resource_share(
        &self,
        spec: &ResourceShareSpec,
    ) -> Result<ResourceShareInfo, ProviderError>;
    /// GetResourceShares owned by the caller, by ARNs and/or name (every page).
    async fn get_resource_shares(
        &self,
        arns: Vec<String>,
        name: Option<String>,
    ) -> Result<Vec<ResourceShareInfo>, ProviderError>;
    /// GetResourceShareAssociations of one share: (entity, status) pairs (every page).
    async fn resource_share_associations(
        &self,
        arn: &str,
        kind: ShareAssociation,
    ) -> Result<Vec<(String, String)>, ProviderError>;
    /// AssociateResourceShare: add resources and principals.
    async fn associate_resource_share(
        &self,
        arn: &str,
        resource_arns: Vec<String>,
        principals: Vec<String>,
    ) -> Result<(), ProviderError>;
    /// DisassociateResourceShare: remove resources and principals.
    async fn disassociate_resource_share(
        &self,
        arn: &str,
        resource_arns: Vec<String>,
        principals: Vec<String>,
    ) -> Result<(), ProviderError>;
    /// UpdateResourceShare: name and AllowExternalPrincipals.
    async fn update_resource_share(
        &self,
        arn: &str,
        name: &str,
        allow_external_principals: bool,
    ) -> Result<(), ProviderError>;
    /// TagResource.
    async fn tag_resource(&self, arn: &str, tags: Vec<Tag>) -> Result<(), ProviderError>;
    /// UntagResource.
    async fn untag_resource(&self, arn: &str, keys: Vec<String>) -> Result<(), ProviderError>;
    /// DeleteResourceShare.
    async fn delete_resource_share(&self, arn: &str) -> Result<(), ProviderError>;
}

/// [`RamApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkRam(pub aws_sdk_ram::Client);

/// [`sdk_error`], with RAM's own "not found" codes mapped.
fn ram_error<E>(
    operation: &str,
    err: aws_sdk_ram::error::SdkError<E, aws_sdk_ram::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_ram::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mut e = sdk_error(operation, err);
    match e.service_code.as_deref() {
        Some("UnknownResourceException") => e.code = ErrorCode::NotFound,
        Some(
            "InvalidParameterException"
            | "MalformedArnException"
            | "OperationNotPermittedException"
            | "IdempotentParameterMismatchException"
            | "InvalidClientTokenException",
        ) => e.code = ErrorCode::InvalidRequest,
        Some("ResourceShareLimitExceededException") => e.code = ErrorCode::ServiceLimitExceeded,
        Some("InvalidStateTransitionException") => e.code = ErrorCode::ResourceConflict,
        _ => {}
    }
    e
}

fn share_info(s: &t::ResourceShare) -> ResourceShareInfo {
    ResourceShareInfo {
        arn: s.resource_share_arn().unwrap_or_default().to_owned(),
        name: s.name().unwrap_or_default().to_owned(),
        status: s
            .status()
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default(),
        allow_external_principals: s.allow_external_principals().unwrap_or(true),
        tags: s
            .tags()
            .iter()
            .filter_map(|t| Some((t.key.clone()?, t.value.clone().unwrap_or_default())))
            .collect(),
    }
}

fn ram_tags(tags: Vec<Tag>) -> Option<Vec<t::Tag>> {
    (!tags.is_empty()).then(|| {
        tags.into_iter()
            .map(|(k, v)| t::Tag::builder().key(k).value(v).build())
            .collect()
    })
}

fn non_empty(v: Vec<String>) -> Option<Vec<String>> {
    (!v.is_empty()).then_some(v)
}

#[async_trait]
impl RamApi for SdkRam {
    async fn create_resource_share(
        &self,
        spec: &ResourceShareSpec,
    ) -> Result<ResourceShareInfo, ProviderError> {
        let out = self
            .0
            .create_resource_share()
            .name(&spec.name)
            .set_resource_arns(non_empty(spec.resource_arns.clone()))
            .set_principals(non_empty(spec.principals.clone()))
            .set_allow_external_principals(spec.allow_external_principals)
            .set_tags(ram_tags(spec.tags.clone()))
            .client_token(&spec.client_token)
            .send()
            .await
            .map_err(|e| ram_error("CreateResourceShare", e))?;
        out.resource_share()
            .map(share_info)
            .ok_or_else(|| missing("CreateResourceShare", "ResourceShare"))
    }
    async fn get_resource_shares(
        &self,
        arns: Vec<String>,
        name: Option<String>,
    ) -> Result<Vec<ResourceShareInfo>, ProviderError> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .get_resource_shares()
                .resource_owner(t::ResourceOwner::SelfValue)
                .set_resource_share_arns(non_empty(arns.clone()))
                .set_name(name.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| ram_error("GetResourceShares", e))?;
            all.extend(out.resource_shares().iter().map(share_info));
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(all);
            }
        }
    }
    async fn resource_share_associations(
        &self,
        arn: &str,
        kind: ShareAssociation,
    ) -> Result<Vec<(String, String)>, ProviderError> {
        let kind = match kind {
            ShareAssociation::Principal => t::ResourceShareAssociationType::Principal,
            ShareAssociation::Resource => t::ResourceShareAssociationType::Resource,
        };
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .get_resource_share_associations()
                .association_type(kind.clone())
                .resource_share_arns(arn)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| ram_error("GetResourceShareAssociations", e))?;
            all.extend(
                out.resource_share_associations()
                    .iter()
                    .filter(|a| a.resource_share_arn() == Some(arn))
                    .filter_map(|a| {
                        Some((
                            a.associated_entity()?.to_owned(),
                            a.status()
                                .map(|s| s.as_str().to_owned())
                                .unwrap_or_default(),
                        ))
                    }),
            );
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(all);
            }
        }
    }
    async fn associate_resource_share(
        &self,
        arn: &str,
        resource_arns: Vec<String>,
        principals: Vec<String>,
    ) -> Result<(), ProviderError> {
        self.0
            .associate_resource_share()
            .resource_share_arn(arn)
            .set_resource_arns(non_empty(resource_arns))
            .set_principals(non_empty(principals))
            .send()
            .await
            .map_err(|e| ram_error("AssociateResourceShare", e))?;
        Ok(())
    }
    async fn disassociate_resource_share(
        &self,
        arn: &str,
        resource_arns: Vec<String>,
        principals: Vec<String>,
    ) -> Result<(), ProviderError> {
        self.0
            .disassociate_resource_share()
            .resource_share_arn(arn)
            .set_resource_arns(non_empty(resource_arns))
            .set_principals(non_empty(principals))
            .send()
            .await
            .map_err(|e| ram_error("DisassociateResourceShare", e))?;
        Ok(())
    }
    async fn update_resource_share(
        &self,
        arn: &str,
        name: &str,
        allow_external_principals: bool,
    ) -> Result<(), ProviderError> {
        self.0
            .update_resource_share()
            .resource_share_arn(arn)
            .name(name)
            .allow_external_principals(allow_external_principals)
            .send()
            .await
            .map_err(|e| ram_error("UpdateResourceShare", e))?;
        Ok(())
    }
    async fn tag_resource(&self, arn: &str, tags: Vec<Tag>) -> Result<(), ProviderError> {
        self.0
            .tag_resource()
            .resource_share_arn(arn)
            .set_tags(ram_tags(tags))
            .send()
            .await
            .map_err(|e| ram_error("TagResource", e))?;
        Ok(())
    }
    async fn untag_resource(&self, arn: &str, keys: Vec<String>) -> Result<(), ProviderError> {
        self.0
            .untag_resource()
            .resource_share_arn(arn)
            .set_tag_keys(Some(keys))
            .send()
            .await
            .map_err(|e| ram_error("UntagResource", e))?;
        Ok(())
    }
    async fn delete_resource_share(&self, arn: &str) -> Result<(), ProviderError> {
        self.0
            .delete_resource_share()
            .resource_share_arn(arn)
            .send()
            .await
            .map_err(|e| ram_error("DeleteResourceShare", e))?;
        Ok(())
    }
}
