//! RAM resource shares.

use std::collections::BTreeMap;

use async_trait::async_trait;
use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::{json, Map, Value as Json};

use super::ec2::{
    client_token, create_tags, only_changed, ordered_like, put_tags, refuse, IDEMPOTENCY_TAG,
};
use super::{boolean, name_of, strings, tags, unknown, ClientSource, Family};
use crate::api::{RamApi, ResourceShareInfo, ResourceShareSpec, ShareAssociation};
use crate::error::ErrorCode;

const SHARE: &str = "AWS::RAM::ResourceShare";

/// Share states in which the share is gone for the engine.
const GONE: &[&str] = &["DELETING", "DELETED", "FAILED"];
/// Association states that count as shared.
const LIVE: &[&str] = &["ASSOCIATING", "ASSOCIATED"];

/// RAM resource shares.
pub(super) struct Ram;

#[async_trait]
impl Family for Ram {
    fn types(&self) -> &'static [&'static str] {
        &["AWS::RAM::ResourceShare"]
    }
    fn permissions(&self, _type_name: &str) -> &'static [&'static str] {
        &[
            "ram:CreateResourceShare",
            "ram:GetResourceShares",
            "ram:GetResourceShareAssociations",
            "ram:AssociateResourceShare",
            "ram:DisassociateResourceShare",
            "ram:UpdateResourceShare",
            "ram:TagResource",
            "ram:UntagResource",
            "ram:DeleteResourceShare",
        ]
    }
    async fn create(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        create(&*clients.ram(session).await?, request).await
    }
    async fn read(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        if type_name != SHARE {
            return Err(unknown(type_name));
        }
        read(&*clients.ram(session).await?, physical_id, properties).await
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        update(&*clients.ram(session).await?, request).await
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        if type_name != SHARE {
            return Err(unknown(type_name));
        }
        let ram = clients.ram(session).await?;
        share(&*ram, physical_id).await?;
        ram.delete_resource_share(physical_id).await
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        find(&*clients.ram(session).await?, request).await
    }
}

fn attributes(arn: &str) -> BTreeMap<String, Json> {
    [("Arn".to_owned(), json!(arn))].into_iter().collect()
}

/// The share, unless deleted.
async fn share(ram: &dyn RamApi, arn: &str) -> Result<ResourceShareInfo, ProviderError> {
    ram.get_resource_shares(vec![arn.to_owned()], None)
        .await?
        .into_iter()
        .find(|s| s.arn == arn && !GONE.contains(&s.status.as_str()))
        .ok_or_else(|| {
            ProviderError::new(
                ErrorCode::NotFound,
                format!("resource share {arn} does not exist"),
            )
        })
}

pub(super) async fn create(
    ram: &dyn RamApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse(SHARE, p, &["PermissionArns", "Sources"])?;
    let created = ram
        .create_resource_share(&ResourceShareSpec {
            name: name_of(request),
            resource_arns: strings(p, "ResourceArns"),
            principals: strings(p, "Principals"),
            allow_external_principals: boolean(p.get("AllowExternalPrincipals")),
            tags: create_tags(p, &request.idempotency_key),
            client_token: client_token(&request.idempotency_key, p),
        })
        .await?;
    Ok(ResourceState::ready(
        created.arn.clone(),
        attributes(&created.arn),
        p.clone(),
    ))
}

/// The live associations of one kind, in the order of the template's list.
async fn associated(
    ram: &dyn RamApi,
    arn: &str,
    kind: ShareAssociation,
    desired: &[String],
) -> Result<Vec<String>, ProviderError> {
    let mut live: Vec<String> = ram
        .resource_share_associations(arn, kind)
        .await?
        .into_iter()
        .filter(|(_, status)| LIVE.contains(&status.as_str()))
        .map(|(entity, _)| entity)
        .collect();
    live.dedup();
    Ok(ordered_like(live, desired))
}

pub(super) async fn read(
    ram: &dyn RamApi,
    arn: &str,
    desired: &Json,
) -> Result<ResourceState, ProviderError> {
    let s = share(ram, arn).await?;
    let resources = associated(
        ram,
        arn,
        ShareAssociation::Resource,
        &strings(desired, "ResourceArns"),
    )
    .await?;
    let principals = associated(
        ram,
        arn,
        ShareAssociation::Principal,
        &strings(desired, "Principals"),
    )
    .await?;
    let mut props = Map::new();
    props.insert("Name".into(), json!(s.name));
    props.insert(
        "AllowExternalPrincipals".into(),
        json!(s.allow_external_principals),
    );
    props.insert("ResourceArns".into(), json!(resources));
    props.insert("Principals".into(), json!(principals));
    put_tags(&mut props, &s.tags, desired);
    Ok(ResourceState::ready(
        arn,
        attributes(arn),
        Json::Object(props),
    ))
}

pub(super) async fn update(
    ram: &dyn RamApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_changed(
        request,
        &[
            "Name",
            "AllowExternalPrincipals",
            "ResourceArns",
            "Principals",
            "Tags",
        ],
    )?;
    let (arn, prev, next) = (&request.physical_id, &request.previous, &request.properties);
    share(ram, arn).await?;
    let external = |p: &Json| boolean(p.get("AllowExternalPrincipals")).unwrap_or(true);
    if prev.get("Name") != next.get("Name") || external(prev) != external(next) {
        let name = super::string(next, "Name").ok_or_else(|| super::required(SHARE, "Name"))?;
        ram.update_resource_share(arn, &name, external(next))
            .await?;
    }
    let diff = |key: &str| {
        let (old, new) = (strings(prev, key), strings(next, key));
        let added: Vec<String> = new.iter().filter(|x| !old.contains(x)).cloned().collect();
        let removed: Vec<String> = old.iter().filter(|x| !new.contains(x)).cloned().collect();
        (added, removed)
    };
    let (add_resources, remove_resources) = diff("ResourceArns");
    let (add_principals, remove_principals) = diff("Principals");
    if !remove_resources.is_empty() || !remove_principals.is_empty() {
        ram.disassociate_resource_share(arn, remove_resources, remove_principals)
            .await?;
    }
    if !add_resources.is_empty() || !add_principals.is_empty() {
        ram.associate_resource_share(arn, add_resources, add_principals)
            .await?;
    }
    let (old, new) = (tags(prev), tags(next));
    let untag: Vec<String> = old
        .iter()
        .filter(|(k, _)| !new.iter().any(|(n, _)| n == k))
        .map(|(k, _)| k.clone())
        .collect();
    let retag: Vec<_> = new.into_iter().filter(|t| !old.contains(t)).collect();
    if !untag.is_empty() {
        ram.untag_resource(arn, untag).await?;
    }
    if !retag.is_empty() {
        ram.tag_resource(arn, retag).await?;
    }
    Ok(ResourceState::ready(
        arn.clone(),
        attributes(arn),
        next.clone(),
    ))
}

/// A live share of the name carrying the idempotency tag; failing that, the only live
/// share of the name without any idempotency tag (moto keeps no tags on shares; on AWS a
/// share made by an interrupted create always carries the tag).
pub(super) async fn find(
    ram: &dyn RamApi,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    let name = name_of(request);
    let key = &request.idempotency_key;
    let live: Vec<ResourceShareInfo> = ram
        .get_resource_shares(vec![], Some(name.clone()))
        .await?
        .into_iter()
        .filter(|s| s.name == name && !GONE.contains(&s.status.as_str()))
        .collect();
    let ours = live
        .iter()
        .find(|s| s.tags.iter().any(|(k, v)| k == IDEMPOTENCY_TAG && v == key))
        .or_else(|| {
            let untagged: Vec<_> = live
                .iter()
                .filter(|s| !s.tags.iter().any(|(k, _)| k == IDEMPOTENCY_TAG))
                .collect();
            (untagged.len() == 1).then(|| untagged[0])
        });
    match ours {
        Some(s) => match read(ram, &s.arn, &request.properties).await {
            Ok(state) => Ok(Some(state)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        },
        None => Ok(None),
    }
}

#[cfg(test)]
#[path = "ram_tests.rs"]
mod tests;
