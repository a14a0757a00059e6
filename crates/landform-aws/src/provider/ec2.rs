//! VPCs, subnets, route tables and routes, flow logs, and transit gateways with their
//! attachments, route tables, associations and routes.
//!
//! Unnamed EC2 resources are tagged `landform:idempotency-key` = the request's idempotency
//! key and found by that tag (checked again on the answer, since moto ignores some tag
//! filters); routes and associations are found by their natural key. CreateRouteTable and
//! CreateFlowLogs also take a client token derived from the key and the properties.

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::Value as Json;

use super::{tags, unknown, ClientSource, Family};
use crate::api::{
    Ec2Api, Filter, FlowLogInfo, RouteTableInfo, SubnetInfo, Tag, TransitGatewayInfo,
    TransitGatewayRouteTableInfo, VpcAttachmentInfo, VpcInfo,
};
use crate::error::ErrorCode;

#[path = "ec2_tgw_links.rs"]
mod links;
#[cfg(test)]
#[path = "ec2_tests.rs"]
pub(super) mod tests;
#[path = "ec2_tgw.rs"]
mod tgw;
#[path = "ec2_vpc.rs"]
mod vpc;

/// The tag every taggable resource is created with, for [`Family::find`].
pub(super) const IDEMPOTENCY_TAG: &str = "landform:idempotency-key";

/// How often a wait polls, and for how long at most (10 minutes).
const WAIT_INTERVAL: Duration = Duration::from_secs(5);
const WAIT_ATTEMPTS: u32 = 120;

/// VPCs, subnets, route tables and routes, flow logs, and transit gateways with their
/// attachments, route tables, associations and routes.
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
            "AWS::EC2::TransitGatewayRouteTablePropagation",
            "AWS::EC2::TransitGatewayRoute",
        ]
    }
    fn replacement_properties(&self, type_name: &str) -> &'static [&'static str] {
        // Beyond the schemas' createOnlyProperties: a VPC's tenancy, which this handler
        // does not change in place.
        match type_name {
            "AWS::EC2::VPC" => &["InstanceTenancy"],
            _ => &[],
        }
    }
    fn permissions(&self, type_name: &str) -> &'static [&'static str] {
        match type_name {
            "AWS::EC2::VPC" => &[
                "ec2:CreateVpc",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcAttribute",
                "ec2:ModifyVpcAttribute",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeNetworkAcls",
                "ec2:DeleteVpc",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            "AWS::EC2::Subnet" => &[
                "ec2:CreateSubnet",
                "ec2:DescribeSubnets",
                "ec2:ModifySubnetAttribute",
                "ec2:DescribeNetworkAcls",
                "ec2:DeleteSubnet",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            "AWS::EC2::RouteTable" => &[
                "ec2:CreateRouteTable",
                "ec2:DescribeRouteTables",
                "ec2:DeleteRouteTable",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            "AWS::EC2::Route" => &[
                "ec2:CreateRoute",
                "ec2:ReplaceRoute",
                "ec2:DeleteRoute",
                "ec2:DescribeRouteTables",
            ],
            "AWS::EC2::SubnetRouteTableAssociation" => &[
                "ec2:AssociateRouteTable",
                "ec2:DisassociateRouteTable",
                "ec2:DescribeRouteTables",
            ],
            // Delivery to S3 or CloudWatch Logs needs the log delivery actions; to CloudWatch
            // Logs, passing the delivery role.
            "AWS::EC2::FlowLog" => &[
                "ec2:CreateFlowLogs",
                "ec2:DescribeFlowLogs",
                "ec2:DeleteFlowLogs",
                "ec2:CreateTags",
                "ec2:DeleteTags",
                "logs:CreateLogDelivery",
                "logs:DeleteLogDelivery",
                "iam:PassRole",
            ],
            "AWS::EC2::TransitGateway" => &[
                "ec2:CreateTransitGateway",
                "ec2:DescribeTransitGateways",
                "ec2:ModifyTransitGateway",
                "ec2:DeleteTransitGateway",
                // Attachments from the accounts it is shared with are accepted as its owner.
                "ec2:AcceptTransitGatewayVpcAttachment",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            "AWS::EC2::TransitGatewayAttachment" => &[
                "ec2:CreateTransitGatewayVpcAttachment",
                "ec2:DescribeTransitGateways",
                "ec2:DescribeTransitGatewayVpcAttachments",
                "ec2:ModifyTransitGatewayVpcAttachment",
                "ec2:DeleteTransitGatewayVpcAttachment",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            "AWS::EC2::TransitGatewayRouteTable" => &[
                "ec2:CreateTransitGatewayRouteTable",
                "ec2:DescribeTransitGatewayRouteTables",
                "ec2:DeleteTransitGatewayRouteTable",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            "AWS::EC2::TransitGatewayRouteTableAssociation" => &[
                "ec2:AssociateTransitGatewayRouteTable",
                "ec2:GetTransitGatewayRouteTableAssociations",
                "ec2:DisassociateTransitGatewayRouteTable",
            ],
            "AWS::EC2::TransitGatewayRouteTablePropagation" => &[
                "ec2:EnableTransitGatewayRouteTablePropagation",
                "ec2:GetTransitGatewayRouteTablePropagations",
                "ec2:DisableTransitGatewayRouteTablePropagation",
            ],
            "AWS::EC2::TransitGatewayRoute" => &[
                "ec2:CreateTransitGatewayRoute",
                "ec2:SearchTransitGatewayRoutes",
                "ec2:DeleteTransitGatewayRoute",
            ],
            _ => &[],
        }
    }
    async fn create(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let ec2 = clients.ec2(session).await?;
        let ec2 = &*ec2;
        if let Some(link) = links::of(&request.type_name) {
            return links::create(ec2, link, request).await;
        }
        match request.type_name.as_str() {
            "AWS::EC2::VPC" => vpc::create_vpc(ec2, request).await,
            "AWS::EC2::Subnet" => vpc::create_subnet(ec2, request).await,
            "AWS::EC2::RouteTable" => vpc::create_route_table(ec2, request).await,
            "AWS::EC2::Route" => vpc::create_route(ec2, request).await,
            "AWS::EC2::SubnetRouteTableAssociation" => vpc::create_association(ec2, request).await,
            "AWS::EC2::FlowLog" => vpc::create_flow_log(ec2, request).await,
            "AWS::EC2::TransitGateway" => tgw::create_gateway(ec2, session, request).await,
            "AWS::EC2::TransitGatewayAttachment" => {
                tgw::create_attachment(clients, session, ec2, request).await
            }
            "AWS::EC2::TransitGatewayRouteTable" => tgw::create_route_table(ec2, request).await,
            "AWS::EC2::TransitGatewayRoute" => tgw::create_route(ec2, request).await,
            other => Err(unknown(other)),
        }
    }
    async fn read(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        let ec2 = clients.ec2(session).await?;
        let ec2 = &*ec2;
        let p = properties;
        if let Some(link) = links::of(type_name) {
            return links::read(ec2, link, id).await;
        }
        match type_name {
            "AWS::EC2::VPC" => vpc::read_vpc(ec2, id, p).await,
            "AWS::EC2::Subnet" => vpc::read_subnet(ec2, id, p).await,
            "AWS::EC2::RouteTable" => vpc::read_route_table(ec2, id, p).await,
            "AWS::EC2::Route" => vpc::read_route(ec2, id).await,
            "AWS::EC2::SubnetRouteTableAssociation" => vpc::read_association(ec2, id).await,
            "AWS::EC2::FlowLog" => vpc::read_flow_log(ec2, id, p).await,
            "AWS::EC2::TransitGateway" => tgw::read_gateway(ec2, session, id, p).await,
            "AWS::EC2::TransitGatewayAttachment" => tgw::read_attachment(ec2, id, p).await,
            "AWS::EC2::TransitGatewayRouteTable" => tgw::read_route_table(ec2, id, p).await,
            "AWS::EC2::TransitGatewayRoute" => tgw::read_route(ec2, id, p).await,
            other => Err(unknown(other)),
        }
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let ec2 = clients.ec2(session).await?;
        let ec2 = &*ec2;
        match request.type_name.as_str() {
            "AWS::EC2::VPC" => vpc::update_vpc(ec2, request).await,
            "AWS::EC2::Subnet" => vpc::update_subnet(ec2, request).await,
            "AWS::EC2::RouteTable" => vpc::update_route_table(ec2, request).await,
            "AWS::EC2::Route" => vpc::update_route(ec2, request).await,
            "AWS::EC2::FlowLog" => vpc::update_flow_log(ec2, request).await,
            "AWS::EC2::TransitGateway" => tgw::update_gateway(ec2, session, request).await,
            "AWS::EC2::TransitGatewayAttachment" => tgw::update_attachment(ec2, request).await,
            "AWS::EC2::TransitGatewayRouteTable" => tgw::update_route_table(ec2, request).await,
            // Every property of these is create-only: the engine replaces them.
            "AWS::EC2::SubnetRouteTableAssociation"
            | "AWS::EC2::TransitGatewayRouteTableAssociation"
            | "AWS::EC2::TransitGatewayRouteTablePropagation"
            | "AWS::EC2::TransitGatewayRoute" => {
                only_changed(request, &[])?;
                self.read(
                    clients,
                    session,
                    &request.type_name,
                    &request.physical_id,
                    &request.properties,
                )
                .await
            }
            other => Err(unknown(other)),
        }
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        let ec2 = clients.ec2(session).await?;
        let ec2 = &*ec2;
        if let Some(link) = links::of(type_name) {
            return links::delete(ec2, link, id).await;
        }
        match type_name {
            "AWS::EC2::VPC" => ec2.delete_vpc(id).await,
            "AWS::EC2::Subnet" => ec2.delete_subnet(id).await,
            "AWS::EC2::RouteTable" => ec2.delete_route_table(id).await,
            "AWS::EC2::Route" => vpc::delete_route(ec2, id).await,
            "AWS::EC2::SubnetRouteTableAssociation" => ec2.disassociate_route_table(id).await,
            "AWS::EC2::FlowLog" => ec2.delete_flow_log(id).await,
            "AWS::EC2::TransitGateway" => ec2.delete_transit_gateway(id).await,
            "AWS::EC2::TransitGatewayAttachment" => tgw::delete_attachment(ec2, id).await,
            "AWS::EC2::TransitGatewayRouteTable" => tgw::delete_route_table(ec2, id).await,
            "AWS::EC2::TransitGatewayRoute" => tgw::delete_route(ec2, id).await,
            other => Err(unknown(other)),
        }
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        let ec2 = clients.ec2(session).await?;
        let ec2 = &*ec2;
        let p = &request.properties;
        let key = &request.idempotency_key;
        let id = match request.type_name.as_str() {
            "AWS::EC2::VPC" => vpc::find_vpc(ec2, key).await?,
            "AWS::EC2::Subnet" => vpc::find_subnet(ec2, key).await?,
            "AWS::EC2::RouteTable" => vpc::find_route_table(ec2, key).await?,
            "AWS::EC2::Route" => Some(vpc::route_id(request)?),
            "AWS::EC2::SubnetRouteTableAssociation" => vpc::find_association(ec2, request).await?,
            "AWS::EC2::FlowLog" => vpc::find_flow_log(ec2, key).await?,
            "AWS::EC2::TransitGateway" => tgw::find_gateway(ec2, key).await?,
            "AWS::EC2::TransitGatewayAttachment" => {
                // A create cut short between the attachment and its acceptance resumes here.
                let found = tgw::find_attachment(ec2, key).await?;
                if let Some(id) = &found {
                    tgw::accept_if_pending(clients, session, ec2, id).await?;
                }
                found
            }
            "AWS::EC2::TransitGatewayRouteTable" => tgw::find_route_table(ec2, key).await?,
            "AWS::EC2::TransitGatewayRoute" => Some(tgw::route_id(request)?),
            other => match links::of(other) {
                Some(link) => Some(links::link_id(link, request)?),
                None => return Err(unknown(other)),
            },
        };
        let Some(id) = id else { return Ok(None) };
        match self
            .read(clients, session, &request.type_name, &id, p)
            .await
        {
            Ok(state) => Ok(Some(state)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The tags a resource is created with: the template's and the idempotency tag.
pub(super) fn create_tags(props: &Json, key: &str) -> Vec<Tag> {
    let mut all = tags(props);
    all.push((IDEMPOTENCY_TAG.to_owned(), key.to_owned()));
    all
}

/// The filter finding what a create with `key` made.
pub(super) fn idempotency_filter(key: &str) -> Vec<Filter> {
    vec![(format!("tag:{IDEMPOTENCY_TAG}"), key.to_owned())]
}

/// Whether `tags` carry the idempotency tag `key` (checked on the answer: moto ignores some
/// tag filters).
pub(super) fn tagged(tags: &[Tag], key: &str) -> bool {
    tags.iter().any(|(k, v)| k == IDEMPOTENCY_TAG && v == key)
}

/// What [`first_tagged`] reads of a described resource.
pub(super) trait Described {
    fn id(&self) -> &str;
    fn tags(&self) -> &[Tag];
    /// Empty where the API reports no state.
    fn state(&self) -> &str {
        ""
    }
}

macro_rules! described {
    (with state: $($stateful:ty),*; without: $($stateless:ty),*) => {
        $(impl Described for $stateful {
            fn id(&self) -> &str { &self.id }
            fn tags(&self) -> &[Tag] { &self.tags }
            fn state(&self) -> &str { &self.state }
        })*
        $(impl Described for $stateless {
            fn id(&self) -> &str { &self.id }
            fn tags(&self) -> &[Tag] { &self.tags }
        })*
    };
}

described!(
    with state: VpcInfo, SubnetInfo, TransitGatewayInfo, VpcAttachmentInfo, TransitGatewayRouteTableInfo;
    without: RouteTableInfo, FlowLogInfo
);

/// The id of the first of `items` tagged with the idempotency `key` and in none of the
/// `gone` states.
pub(super) fn first_tagged<T: Described>(
    items: Vec<T>,
    key: &str,
    gone: &[&str],
) -> Option<String> {
    items
        .into_iter()
        .find(|i| tagged(i.tags(), key) && !gone.contains(&i.state()))
        .map(|i| i.id().to_owned())
}

/// An idempotency token for APIs taking one: the request's key and a hash of its
/// properties, so a retry of the same request sends the same token and a different request
/// with the same key (a replacement) does not hit `IdempotentParameterMismatch`. At most 64
/// characters.
pub(super) fn client_token(key: &str, props: &Json) -> String {
    // FNV-1a: stable across runs and Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes().chain(props.to_string().bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let prefix: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(47)
        .collect();
    format!("{prefix}-{hash:016x}")
}

/// The template's tags as read back: `aws:` and `landform:` tags left out, in the order
/// of `desired` and then by key.
pub(super) fn read_tags(actual: &[Tag], desired: &Json) -> Json {
    let wanted = tags(desired);
    let mut user: Vec<&Tag> = actual
        .iter()
        .filter(|(k, _)| !k.starts_with("aws:") && !k.starts_with("landform:"))
        .collect();
    user.sort_by_key(|(k, _)| {
        (
            wanted
                .iter()
                .position(|(w, _)| w == k)
                .unwrap_or(usize::MAX),
            k.clone(),
        )
    });
    Json::Array(
        user.into_iter()
            .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// `actual` in the order of `desired`, then sorted (AWS answers lists unordered).
pub(super) fn ordered_like(mut actual: Vec<String>, desired: &[String]) -> Vec<String> {
    actual.sort_by_key(|a| {
        (
            desired.iter().position(|d| d == a).unwrap_or(usize::MAX),
            a.clone(),
        )
    });
    actual
}

/// Insert `Tags` into read-back properties when the template set tags or AWS has some.
pub(super) fn put_tags(props: &mut serde_json::Map<String, Json>, actual: &[Tag], desired: &Json) {
    let t = read_tags(actual, desired);
    if desired.get("Tags").is_some() || t.as_array().is_some_and(|a| !a.is_empty()) {
        props.insert("Tags".into(), t);
    }
}

/// Bring a resource's tags from `previous` to `next` with CreateTags/DeleteTags, leaving
/// the idempotency tag alone.
pub(super) async fn update_tags(
    ec2: &dyn Ec2Api,
    id: &str,
    previous: &Json,
    next: &Json,
) -> Result<(), ProviderError> {
    let (old, new) = (tags(previous), tags(next));
    let removed: Vec<String> = old
        .iter()
        .filter(|(k, _)| !new.iter().any(|(n, _)| n == k))
        .map(|(k, _)| k.clone())
        .collect();
    let set: Vec<Tag> = new.into_iter().filter(|t| !old.contains(t)).collect();
    if !removed.is_empty() {
        ec2.delete_tags(id, removed).await?;
    }
    if !set.is_empty() {
        ec2.create_tags(id, set).await?;
    }
    Ok(())
}

/// Refuse an update changing anything but `allowed` (those need a replacement, which the
/// engine makes from [`Family::replacement_properties`], or are not supported here).
pub(super) fn only_changed(request: &UpdateRequest, allowed: &[&str]) -> Result<(), ProviderError> {
    let empty = serde_json::Map::new();
    let prev = request.previous.as_object().unwrap_or(&empty);
    let next = request.properties.as_object().unwrap_or(&empty);
    let mut refused: Vec<&str> = prev
        .keys()
        .chain(next.keys())
        .filter(|k| !allowed.contains(&k.as_str()) && prev.get(*k) != next.get(*k))
        .map(String::as_str)
        .collect();
    refused.sort_unstable();
    refused.dedup();
    if refused.is_empty() {
        return Ok(());
    }
    Err(ProviderError::new(
        ErrorCode::NotUpdatable,
        format!(
            "{} {}: {} cannot be changed in place",
            request.type_name,
            request.physical_id,
            refused.join(", ")
        ),
    ))
}

/// Refuse properties this provider does not implement rather than ignore them.
pub(super) fn refuse(
    type_name: &str,
    props: &Json,
    unsupported: &[&str],
) -> Result<(), ProviderError> {
    match unsupported.iter().find(|p| props.get(**p).is_some()) {
        Some(p) => Err(ProviderError::new(
            ErrorCode::InvalidRequest,
            format!("{type_name}: the property {p} is not supported by Landform's AWS provider"),
        )),
        None => Ok(()),
    }
}

/// The one object a Describe* by id answered, else NotFound.
pub(super) fn one<T>(found: Vec<T>, what: &str, id: &str) -> Result<T, ProviderError> {
    found.into_iter().next().ok_or_else(|| not_found(what, id))
}

/// `what` `id` does not exist.
pub(super) fn not_found(what: &str, id: &str) -> ProviderError {
    ProviderError::new(ErrorCode::NotFound, format!("{what} {id} does not exist"))
}

/// Split a `first|second` physical id.
pub(super) fn split_id<'a>(what: &str, id: &'a str) -> Result<(&'a str, &'a str), ProviderError> {
    id.split_once('|').ok_or_else(|| {
        ProviderError::new(
            ErrorCode::InvalidRequest,
            format!("{id} is not a {what} id (`first|second`)"),
        )
    })
}

/// Poll `state` until it is one of `done`; a state in `failed` ends the wait with an
/// error, and so does running out of [`WAIT_ATTEMPTS`] (CloudFormation's
/// `NotStabilized`). Answers the state reached.
pub(super) async fn wait_for<F, Fut>(
    what: &str,
    id: &str,
    done: &[&str],
    failed: &[&str],
    mut state: F,
) -> Result<String, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<String, ProviderError>>,
{
    let mut last = String::new();
    for attempt in 0..WAIT_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(WAIT_INTERVAL).await;
        }
        last = state().await?;
        if done.contains(&last.as_str()) {
            return Ok(last);
        }
        if failed.contains(&last.as_str()) {
            return Err(ProviderError::new(
                ErrorCode::GeneralServiceException,
                format!("{what} {id} entered the state {last}"),
            )
            .with_service_code("NotStabilized"));
        }
    }
    Err(ProviderError::new(
        ErrorCode::GeneralServiceException,
        format!(
            "{what} {id} was still {last} after {} minutes (waiting for {}); look at it in the console, then apply again",
            WAIT_INTERVAL.as_secs() * u64::from(WAIT_ATTEMPTS) / 60,
            done.join(" or ")
        ),
    )
    .with_service_code("NotStabilized"))
}

/// Wait until a delete is complete: the state is `deleted` or the object is gone.
pub(super) async fn wait_deleted<F, Fut>(
    what: &str,
    id: &str,
    state: F,
) -> Result<(), ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<String, ProviderError>>,
{
    let mut state = state;
    match wait_for(what, id, &["deleted"], &[], || {
        let fut = state();
        async move {
            match fut.await {
                Err(e) if e.code == ErrorCode::NotFound => Ok("deleted".to_owned()),
                other => other,
            }
        }
    })
    .await
    {
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    }
}
