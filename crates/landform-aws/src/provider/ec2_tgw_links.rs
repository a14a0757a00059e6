//! Transit gateway route table associations and propagations: an attachment linked to a
//! route table, identified as CloudFormation does (`tgw-rtb-...|tgw-attach-...`). Every
//! property is create-only, so there is no update.

use std::collections::BTreeMap;

use landform_deploy::{CreateRequest, ProviderError, ResourceState};
use serde_json::json;

use super::{split_id, wait_deleted, wait_for};
use crate::api::{Ec2Api, RouteTableLink};
use crate::provider::{required, string};

/// The CloudFormation type of a link.
pub(super) fn type_name(link: RouteTableLink) -> &'static str {
    match link {
        RouteTableLink::Association => "AWS::EC2::TransitGatewayRouteTableAssociation",
        RouteTableLink::Propagation => "AWS::EC2::TransitGatewayRouteTablePropagation",
    }
}

/// The link a CloudFormation type names, if it is one.
pub(super) fn of(type_name: &str) -> Option<RouteTableLink> {
    match type_name {
        "AWS::EC2::TransitGatewayRouteTableAssociation" => Some(RouteTableLink::Association),
        "AWS::EC2::TransitGatewayRouteTablePropagation" => Some(RouteTableLink::Propagation),
        _ => None,
    }
}

fn noun(link: RouteTableLink) -> &'static str {
    match link {
        RouteTableLink::Association => "transit gateway route table association",
        RouteTableLink::Propagation => "transit gateway route table propagation",
    }
}

/// The states a link is done in, and the one it is gone in.
fn states(link: RouteTableLink) -> (&'static str, &'static str) {
    match link {
        RouteTableLink::Association => ("associated", "disassociated"),
        RouteTableLink::Propagation => ("enabled", "disabled"),
    }
}

/// CloudFormation's id of a link: `tgw-rtb-...|tgw-attach-...`.
pub(super) fn link_id(
    link: RouteTableLink,
    request: &CreateRequest,
) -> Result<String, ProviderError> {
    let p = &request.properties;
    let need = |key: &str| string(p, key).ok_or_else(|| required(type_name(link), key));
    Ok(format!(
        "{}|{}",
        need("TransitGatewayRouteTableId")?,
        need("TransitGatewayAttachmentId")?
    ))
}

async fn link_state(
    ec2: &dyn Ec2Api,
    link: RouteTableLink,
    id: &str,
) -> Result<String, ProviderError> {
    let (table, attachment) = split_id(noun(link), id)?;
    match ec2.route_table_link(link, table, attachment).await? {
        Some(state) if state != states(link).1 => Ok(state),
        _ => Err(super::not_found(noun(link), id)),
    }
}

pub(super) async fn create(
    ec2: &dyn Ec2Api,
    link: RouteTableLink,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let id = link_id(link, request)?;
    let (table, attachment) = split_id(noun(link), &id)?;
    ec2.link_route_table(link, table, attachment).await?;
    wait_for(noun(link), &id, &[states(link).0], &[], || {
        link_state(ec2, link, &id)
    })
    .await?;
    Ok(ResourceState::ready(
        id.clone(),
        BTreeMap::new(),
        request.properties.clone(),
    ))
}

pub(super) async fn read(
    ec2: &dyn Ec2Api,
    link: RouteTableLink,
    id: &str,
) -> Result<ResourceState, ProviderError> {
    link_state(ec2, link, id).await?;
    let (table, attachment) = split_id(noun(link), id)?;
    Ok(ResourceState::ready(
        id,
        BTreeMap::new(),
        json!({
            "TransitGatewayRouteTableId": table,
            "TransitGatewayAttachmentId": attachment,
        }),
    ))
}

/// Unlink and wait until done: the attachment or route table cannot go before.
pub(super) async fn delete(
    ec2: &dyn Ec2Api,
    link: RouteTableLink,
    id: &str,
) -> Result<(), ProviderError> {
    let (table, attachment) = split_id(noun(link), id)?;
    ec2.unlink_route_table(link, table, attachment).await?;
    wait_deleted(noun(link), id, || link_state(ec2, link, id)).await
}
