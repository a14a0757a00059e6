//! Transit gateways, their VPC attachments, route tables and routes.

use std::collections::BTreeMap;

use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::{json, Map, Value as Json};

use super::{
    create_tags, first_tagged, idempotency_filter, not_found, one, only_changed, ordered_like,
    put_tags, refuse, split_id, update_tags, wait_deleted, wait_for,
};
use crate::api::{
    Ec2Api, TransitGatewayInfo, TransitGatewayOptions, VpcAttachmentInfo, VpcAttachmentOptions,
};
use crate::error::ErrorCode;
use crate::provider::{boolean, integer, required, string, strings, ClientSource};

fn attrs(pairs: Vec<(&str, Json)>) -> BTreeMap<String, Json> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn need(type_name: &str, props: &Json, key: &str) -> Result<String, ProviderError> {
    string(props, key).ok_or_else(|| required(type_name, key))
}

/// States in which a transit gateway object no longer exists for the engine.
const GONE: &[&str] = &["deleting", "deleted", "failed", "rejected"];

// ---- Transit gateway ----

const GATEWAY: &str = "AWS::EC2::TransitGateway";

/// The options a transit gateway's `enable`/`disable` properties name.
const GATEWAY_OPTIONS: &[&str] = &[
    "AutoAcceptSharedAttachments",
    "DefaultRouteTableAssociation",
    "DefaultRouteTablePropagation",
    "DnsSupport",
    "VpnEcmpSupport",
    "MulticastSupport",
];

fn gateway_options(p: &Json) -> TransitGatewayOptions {
    TransitGatewayOptions {
        amazon_side_asn: integer(p.get("AmazonSideAsn")),
        auto_accept_shared_attachments: string(p, "AutoAcceptSharedAttachments"),
        default_route_table_association: string(p, "DefaultRouteTableAssociation"),
        default_route_table_propagation: string(p, "DefaultRouteTablePropagation"),
        dns_support: string(p, "DnsSupport"),
        vpn_ecmp_support: string(p, "VpnEcmpSupport"),
        multicast_support: string(p, "MulticastSupport"),
    }
}

fn gateway_attributes(session: &Session, g: &TransitGatewayInfo) -> BTreeMap<String, Json> {
    let arn = if g.arn.is_empty() {
        format!(
            "arn:{}:ec2:{}:{}:transit-gateway/{}",
            session.partition, session.region, session.account_id, g.id
        )
    } else {
        g.arn.clone()
    };
    attrs(vec![("Id", json!(g.id)), ("TransitGatewayArn", json!(arn))])
}

async fn gateway(ec2: &dyn Ec2Api, id: &str) -> Result<TransitGatewayInfo, ProviderError> {
    let g = one(
        ec2.describe_transit_gateways(vec![id.to_owned()], vec![])
            .await?,
        "transit gateway",
        id,
    )?;
    if GONE.contains(&g.state.as_str()) {
        return Err(not_found("transit gateway", id));
    }
    Ok(g)
}

async fn wait_gateway(ec2: &dyn Ec2Api, id: &str) -> Result<TransitGatewayInfo, ProviderError> {
    wait_for("transit gateway", id, &["available"], GONE, || async {
        Ok(gateway(ec2, id).await?.state)
    })
    .await?;
    gateway(ec2, id).await
}

pub(super) async fn create_gateway(
    ec2: &dyn Ec2Api,
    session: &Session,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse(
        GATEWAY,
        p,
        &[
            "TransitGatewayCidrBlocks",
            "AssociationDefaultRouteTableId",
            "PropagationDefaultRouteTableId",
            "SecurityGroupReferencingSupport",
        ],
    )?;
    let created = ec2
        .create_transit_gateway(
            string(p, "Description"),
            &gateway_options(p),
            create_tags(p, &request.idempotency_key),
        )
        .await?;
    let g = wait_gateway(ec2, &created.id).await?;
    Ok(ResourceState::ready(
        g.id.clone(),
        gateway_attributes(session, &g),
        p.clone(),
    ))
}

pub(super) async fn read_gateway(
    ec2: &dyn Ec2Api,
    session: &Session,
    id: &str,
    desired: &Json,
) -> Result<ResourceState, ProviderError> {
    let g = gateway(ec2, id).await?;
    let o = &g.options;
    let mut props = Map::new();
    if let Some(asn) = o.amazon_side_asn {
        props.insert("AmazonSideAsn".into(), json!(asn));
    }
    for (key, value) in GATEWAY_OPTIONS.iter().zip([
        &o.auto_accept_shared_attachments,
        &o.default_route_table_association,
        &o.default_route_table_propagation,
        &o.dns_support,
        &o.vpn_ecmp_support,
        &o.multicast_support,
    ]) {
        if let Some(v) = value {
            props.insert((*key).into(), json!(v));
        }
    }
    if let Some(d) = g.description.as_ref().filter(|d| !d.is_empty()) {
        props.insert("Description".into(), json!(d));
    }
    put_tags(&mut props, &g.tags, desired);
    Ok(ResourceState::ready(
        id,
        gateway_attributes(session, &g),
        Json::Object(props),
    ))
}

pub(super) async fn update_gateway(
    ec2: &dyn Ec2Api,
    session: &Session,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let mut allowed = GATEWAY_OPTIONS.to_vec();
    allowed.retain(|o| *o != "MulticastSupport");
    allowed.extend(["Description", "Tags"]);
    only_changed(request, &allowed)?;
    let (id, prev, next) = (&request.physical_id, &request.previous, &request.properties);
    let changed = |k: &str| prev.get(k) != next.get(k);
    if changed("Description") || GATEWAY_OPTIONS.iter().any(|o| changed(o)) {
        // ModifyTransitGateway sends only what changed; AmazonSideAsn and multicast are
        // create-only.
        let pick = |k: &str| string(next, k).filter(|_| changed(k));
        let options = TransitGatewayOptions {
            amazon_side_asn: None,
            auto_accept_shared_attachments: pick("AutoAcceptSharedAttachments"),
            default_route_table_association: pick("DefaultRouteTableAssociation"),
            default_route_table_propagation: pick("DefaultRouteTablePropagation"),
            dns_support: pick("DnsSupport"),
            vpn_ecmp_support: pick("VpnEcmpSupport"),
            multicast_support: None,
        };
        let description =
            changed("Description").then(|| string(next, "Description").unwrap_or_default());
        ec2.modify_transit_gateway(id, description, &options)
            .await?;
    }
    update_tags(ec2, id, prev, next).await?;
    let g = wait_gateway(ec2, id).await?;
    Ok(ResourceState::ready(
        id.clone(),
        gateway_attributes(session, &g),
        next.clone(),
    ))
}

pub(super) async fn find_gateway(
    ec2: &dyn Ec2Api,
    key: &str,
) -> Result<Option<String>, ProviderError> {
    Ok(first_tagged(
        ec2.describe_transit_gateways(vec![], idempotency_filter(key))
            .await?,
        key,
        GONE,
    ))
}

// ---- VPC attachment ----

const ATTACHMENT: &str = "AWS::EC2::TransitGatewayAttachment";
const ATTACHMENT_OPTIONS: &[&str] = &["DnsSupport", "Ipv6Support", "ApplianceModeSupport"];

fn attachment_options(p: &Json) -> VpcAttachmentOptions {
    let o = p.get("Options").cloned().unwrap_or(Json::Null);
    VpcAttachmentOptions {
        dns_support: string(&o, "DnsSupport"),
        ipv6_support: string(&o, "Ipv6Support"),
        appliance_mode_support: string(&o, "ApplianceModeSupport"),
    }
}

async fn attachment(ec2: &dyn Ec2Api, id: &str) -> Result<VpcAttachmentInfo, ProviderError> {
    let a = one(
        ec2.describe_transit_gateway_vpc_attachments(vec![id.to_owned()], vec![])
            .await?,
        "transit gateway attachment",
        id,
    )?;
    if GONE.contains(&a.state.as_str()) {
        return Err(not_found("transit gateway attachment", id));
    }
    Ok(a)
}

/// Wait until the attachment is usable or waits for acceptance ([`accept_if_pending`]).
async fn wait_attachment(ec2: &dyn Ec2Api, id: &str) -> Result<(), ProviderError> {
    wait_for(
        "transit gateway attachment",
        id,
        &["available", "pendingAcceptance"],
        GONE,
        || async { Ok(attachment(ec2, id).await?.state) },
    )
    .await
    .map(|_| ())
}

/// An attachment to a transit gateway that another account shares waits in
/// `pendingAcceptance` until that account accepts it (AutoAcceptSharedAttachments
/// `disable`, the TransitHub default: nothing joins the hub unasked). The deployer holds a
/// session in every account of the organization, so it accepts, as the gateway's owner,
/// exactly the attachment it created, and waits until it is available. The owner's
/// session is the VPC session's region and partition in the owner's account.
pub(super) async fn accept_if_pending(
    clients: &dyn ClientSource,
    session: &Session,
    ec2: &dyn Ec2Api,
    id: &str,
) -> Result<(), ProviderError> {
    let a = attachment(ec2, id).await?;
    if a.state != "pendingAcceptance" {
        return Ok(());
    }
    let gateway = one(
        ec2.describe_transit_gateways(vec![a.transit_gateway_id.clone()], vec![])
            .await?,
        "transit gateway",
        &a.transit_gateway_id,
    )?;
    if gateway.owner_id.is_empty() {
        return Err(ProviderError::new(
            ErrorCode::ResourceConflict,
            format!(
                "transit gateway attachment {id} waits for acceptance by the owner of {}, \
                 whose account DescribeTransitGateways does not name",
                a.transit_gateway_id
            ),
        ));
    }
    if gateway.owner_id != session.account_id {
        let owner = Session {
            account_id: gateway.owner_id.clone(),
            ..session.clone()
        };
        clients
            .ec2(&owner)
            .await?
            .accept_transit_gateway_vpc_attachment(id)
            .await?;
    }
    wait_for(
        "transit gateway attachment",
        id,
        &["available"],
        GONE,
        || async { Ok(attachment(ec2, id).await?.state) },
    )
    .await
    .map(|_| ())
}

pub(super) async fn create_attachment(
    clients: &dyn ClientSource,
    session: &Session,
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse(ATTACHMENT, p, &["AddSubnetIds", "RemoveSubnetIds"])?;
    let subnets = strings(p, "SubnetIds");
    if subnets.is_empty() {
        return Err(required(ATTACHMENT, "SubnetIds"));
    }
    let tags = create_tags(p, &request.idempotency_key);
    let a = ec2
        .create_transit_gateway_vpc_attachment(
            &need(ATTACHMENT, p, "TransitGatewayId")?,
            &need(ATTACHMENT, p, "VpcId")?,
            subnets,
            &attachment_options(p),
            tags.clone(),
        )
        .await?;
    // moto 5 files the tag specification of a VPC attachment under the wrong resource type
    // and drops it; tag what the answer lacks so read and find work there too (on AWS the
    // answer carries the tags and nothing is sent).
    let untagged: Vec<_> = tags.into_iter().filter(|t| !a.tags.contains(t)).collect();
    if !untagged.is_empty() {
        ec2.create_tags(&a.id, untagged).await?;
    }
    wait_attachment(ec2, &a.id).await?;
    accept_if_pending(clients, session, ec2, &a.id).await?;
    Ok(ResourceState::ready(
        a.id.clone(),
        attrs(vec![("Id", json!(a.id))]),
        p.clone(),
    ))
}

pub(super) async fn read_attachment(
    ec2: &dyn Ec2Api,
    id: &str,
    desired: &Json,
) -> Result<ResourceState, ProviderError> {
    let a = attachment(ec2, id).await?;
    let mut props = Map::new();
    props.insert("TransitGatewayId".into(), json!(a.transit_gateway_id));
    props.insert("VpcId".into(), json!(a.vpc_id));
    props.insert(
        "SubnetIds".into(),
        json!(ordered_like(a.subnet_ids, &strings(desired, "SubnetIds"))),
    );
    // Only the options the template sets: AWS answers all of them with defaults.
    if let Some(wanted) = desired.get("Options").and_then(Json::as_object) {
        let o = &a.options;
        let mut options = Map::new();
        for (key, value) in ATTACHMENT_OPTIONS.iter().zip([
            &o.dns_support,
            &o.ipv6_support,
            &o.appliance_mode_support,
        ]) {
            if let (true, Some(v)) = (wanted.contains_key(*key), value) {
                options.insert((*key).into(), json!(v));
            }
        }
        props.insert("Options".into(), Json::Object(options));
    }
    put_tags(&mut props, &a.tags, desired);
    Ok(ResourceState::ready(
        id,
        attrs(vec![("Id", json!(id))]),
        Json::Object(props),
    ))
}

pub(super) async fn update_attachment(
    ec2: &dyn Ec2Api,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_changed(request, &["SubnetIds", "Options", "Tags"])?;
    let (id, prev, next) = (&request.physical_id, &request.previous, &request.properties);
    let (old, new) = (strings(prev, "SubnetIds"), strings(next, "SubnetIds"));
    let add: Vec<String> = new.iter().filter(|s| !old.contains(s)).cloned().collect();
    let remove: Vec<String> = old.iter().filter(|s| !new.contains(s)).cloned().collect();
    let options_changed = prev.get("Options") != next.get("Options");
    if !add.is_empty() || !remove.is_empty() || options_changed {
        let options = if options_changed {
            attachment_options(next)
        } else {
            VpcAttachmentOptions::default()
        };
        ec2.modify_transit_gateway_vpc_attachment(id, add, remove, &options)
            .await?;
        wait_attachment(ec2, id).await?;
    }
    update_tags(ec2, id, prev, next).await?;
    Ok(ResourceState::ready(
        id.clone(),
        attrs(vec![("Id", json!(id))]),
        next.clone(),
    ))
}

/// Delete and wait until deleted: the VPC's subnets cannot go before.
pub(super) async fn delete_attachment(ec2: &dyn Ec2Api, id: &str) -> Result<(), ProviderError> {
    ec2.delete_transit_gateway_vpc_attachment(id).await?;
    wait_deleted("transit gateway attachment", id, || async {
        let a = one(
            ec2.describe_transit_gateway_vpc_attachments(vec![id.to_owned()], vec![])
                .await?,
            "transit gateway attachment",
            id,
        )?;
        Ok(a.state)
    })
    .await
}

pub(super) async fn find_attachment(
    ec2: &dyn Ec2Api,
    key: &str,
) -> Result<Option<String>, ProviderError> {
    Ok(first_tagged(
        ec2.describe_transit_gateway_vpc_attachments(vec![], idempotency_filter(key))
            .await?,
        key,
        GONE,
    ))
}

// ---- Transit gateway route table ----

const ROUTE_TABLE: &str = "AWS::EC2::TransitGatewayRouteTable";

async fn route_table(
    ec2: &dyn Ec2Api,
    id: &str,
) -> Result<crate::api::TransitGatewayRouteTableInfo, ProviderError> {
    let t = one(
        ec2.describe_transit_gateway_route_tables(vec![id.to_owned()], vec![])
            .await?,
        "transit gateway route table",
        id,
    )?;
    if GONE.contains(&t.state.as_str()) {
        return Err(not_found("transit gateway route table", id));
    }
    Ok(t)
}

pub(super) async fn create_route_table(
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let t = ec2
        .create_transit_gateway_route_table(
            &need(ROUTE_TABLE, p, "TransitGatewayId")?,
            create_tags(p, &request.idempotency_key),
        )
        .await?;
    wait_for(
        "transit gateway route table",
        &t.id,
        &["available"],
        GONE,
        || async { Ok(route_table(ec2, &t.id).await?.state) },
    )
    .await?;
    Ok(ResourceState::ready(
        t.id.clone(),
        attrs(vec![("TransitGatewayRouteTableId", json!(t.id))]),
        p.clone(),
    ))
}

pub(super) async fn read_route_table(
    ec2: &dyn Ec2Api,
    id: &str,
    desired: &Json,
) -> Result<ResourceState, ProviderError> {
    let t = route_table(ec2, id).await?;
    let mut props = Map::new();
    props.insert("TransitGatewayId".into(), json!(t.transit_gateway_id));
    put_tags(&mut props, &t.tags, desired);
    Ok(ResourceState::ready(
        id,
        attrs(vec![("TransitGatewayRouteTableId", json!(id))]),
        Json::Object(props),
    ))
}

pub(super) async fn update_route_table(
    ec2: &dyn Ec2Api,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_changed(request, &["Tags"])?;
    let id = &request.physical_id;
    update_tags(ec2, id, &request.previous, &request.properties).await?;
    Ok(ResourceState::ready(
        id.clone(),
        attrs(vec![("TransitGatewayRouteTableId", json!(id))]),
        request.properties.clone(),
    ))
}

/// Delete and wait until deleted: the transit gateway cannot go before.
pub(super) async fn delete_route_table(ec2: &dyn Ec2Api, id: &str) -> Result<(), ProviderError> {
    ec2.delete_transit_gateway_route_table(id).await?;
    wait_deleted("transit gateway route table", id, || async {
        let t = one(
            ec2.describe_transit_gateway_route_tables(vec![id.to_owned()], vec![])
                .await?,
            "transit gateway route table",
            id,
        )?;
        Ok(t.state)
    })
    .await
}

pub(super) async fn find_route_table(
    ec2: &dyn Ec2Api,
    key: &str,
) -> Result<Option<String>, ProviderError> {
    Ok(first_tagged(
        ec2.describe_transit_gateway_route_tables(vec![], idempotency_filter(key))
            .await?,
        key,
        GONE,
    ))
}

// ---- Route ----

const ROUTE: &str = "AWS::EC2::TransitGatewayRoute";

/// CloudFormation's id of a transit gateway route: `tgw-rtb-...|destination`.
pub(super) fn route_id(request: &CreateRequest) -> Result<String, ProviderError> {
    let p = &request.properties;
    Ok(format!(
        "{}|{}",
        need(ROUTE, p, "TransitGatewayRouteTableId")?,
        need(ROUTE, p, "DestinationCidrBlock")?
    ))
}

async fn route(
    ec2: &dyn Ec2Api,
    id: &str,
) -> Result<crate::api::TransitGatewayRouteInfo, ProviderError> {
    let (table, destination) = split_id("transit gateway route", id)?;
    ec2.search_transit_gateway_routes(table, destination)
        .await?
        .into_iter()
        .find(|r| r.destination_cidr_block == destination && !GONE.contains(&r.state.as_str()))
        .ok_or_else(|| not_found("transit gateway route", id))
}

pub(super) async fn create_route(
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let id = route_id(request)?;
    let (table, destination) = split_id("route", &id)?;
    let blackhole = boolean(p.get("Blackhole")).unwrap_or(false);
    let attachment = string(p, "TransitGatewayAttachmentId");
    if blackhole == attachment.is_some() {
        return Err(landform_deploy::ProviderError::new(
            crate::error::ErrorCode::InvalidRequest,
            format!("{ROUTE} needs either TransitGatewayAttachmentId or Blackhole true"),
        ));
    }
    ec2.create_transit_gateway_route(table, destination, attachment, blackhole)
        .await?;
    Ok(ResourceState::ready(id, BTreeMap::new(), p.clone()))
}

pub(super) async fn read_route(
    ec2: &dyn Ec2Api,
    id: &str,
    desired: &Json,
) -> Result<ResourceState, ProviderError> {
    let r = route(ec2, id).await?;
    let (table, destination) = split_id("route", id)?;
    let mut props = Map::new();
    props.insert("TransitGatewayRouteTableId".into(), json!(table));
    props.insert("DestinationCidrBlock".into(), json!(destination));
    if let Some(a) = r.attachment_ids.first() {
        props.insert("TransitGatewayAttachmentId".into(), json!(a));
    }
    if desired.get("Blackhole").is_some() || r.state == "blackhole" {
        // A route to an attachment since deleted is also a blackhole: only a route created
        // as one has no attachment.
        props.insert(
            "Blackhole".into(),
            json!(r.state == "blackhole" && r.attachment_ids.is_empty()),
        );
    }
    Ok(ResourceState::ready(
        id,
        BTreeMap::new(),
        Json::Object(props),
    ))
}

pub(super) async fn delete_route(ec2: &dyn Ec2Api, id: &str) -> Result<(), ProviderError> {
    route(ec2, id).await?;
    let (table, destination) = split_id("route", id)?;
    ec2.delete_transit_gateway_route(table, destination).await
}
