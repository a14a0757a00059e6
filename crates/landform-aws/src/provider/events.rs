//! EventBridge event buses, bus policies and rules.

use std::collections::BTreeMap;

use async_trait::async_trait;
use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::{json, Value as Json};

use super::kms::{document_like, only_in_place, tags_like};
use super::{document, name_of, required, string, tags, unknown, ClientSource, Family};
use crate::api::{EventsApi, RuleSpec, RuleTarget};
use crate::error::ErrorCode;

/// EventBridge event buses, bus policies and rules.
pub(super) struct Events;

const BUS: &str = "AWS::Events::EventBus";
const BUS_POLICY: &str = "AWS::Events::EventBusPolicy";
const RULE: &str = "AWS::Events::Rule";

#[async_trait]
impl Family for Events {
    fn types(&self) -> &'static [&'static str] {
        &[BUS, BUS_POLICY, RULE]
    }
    fn replacement_properties(&self, type_name: &str) -> &'static [&'static str] {
        // Beyond the schemas' createOnlyProperties: a partner bus's source, and the bus a
        // rule is on (PutRule cannot move a rule to another bus).
        match type_name {
            BUS => &["EventSourceName"],
            RULE => &["EventBusName"],
            _ => &[],
        }
    }
    fn permissions(&self, type_name: &str) -> &'static [&'static str] {
        match type_name {
            BUS => &[
                "events:CreateEventBus",
                "events:DescribeEventBus",
                "events:DeleteEventBus",
                "events:PutPermission",
                "events:ListTagsForResource",
                "events:TagResource",
            ],
            BUS_POLICY => &[
                "events:DescribeEventBus",
                "events:PutPermission",
                "events:RemovePermission",
            ],
            RULE => &[
                "events:PutRule",
                "events:DescribeRule",
                "events:DeleteRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:ListTargetsByRule",
                "events:ListTagsForResource",
                "events:TagResource",
                // PutTargets with a RoleArn passes the role to EventBridge.
                "iam:PassRole",
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
        let events = clients.events(session).await?;
        match request.type_name.as_str() {
            BUS => create_bus(&*events, request).await,
            BUS_POLICY => put_statement(&*events, &request.type_name, &request.properties).await,
            RULE => {
                let (id, arn) =
                    put_rule(&*events, &request.properties, &name_of(request), true).await?;
                Ok(ResourceState::ready(
                    id,
                    arn_attribute(&arn),
                    request.properties.clone(),
                ))
            }
            other => Err(unknown(other)),
        }
    }
    async fn read(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        let events = clients.events(session).await?;
        match type_name {
            BUS => read_bus(&*events, physical_id, properties).await,
            BUS_POLICY => read_statement(&*events, physical_id, properties).await,
            RULE => read_rule(&*events, physical_id, properties).await,
            other => Err(unknown(other)),
        }
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let events = clients.events(session).await?;
        match request.type_name.as_str() {
            BUS => {
                only_in_place(request, &["Policy"])?;
                let name = &request.physical_id;
                if let Some(policy) = document(&request.properties, "Policy") {
                    events.put_policy(name, &policy).await?;
                }
                read_bus(&*events, name, &request.properties)
                    .await
                    .map(|s| ResourceState {
                        properties: request.properties.clone(),
                        ..s
                    })
            }
            BUS_POLICY => {
                only_in_place(request, &["Statement"])?;
                put_statement(&*events, &request.type_name, &request.properties).await
            }
            RULE => update_rule(&*events, request).await,
            other => Err(unknown(other)),
        }
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<(), ProviderError> {
        let events = clients.events(session).await?;
        match type_name {
            BUS => {
                events.describe_event_bus(physical_id).await?;
                events.delete_event_bus(physical_id).await
            }
            BUS_POLICY => {
                events
                    .remove_permission(&bus_of(properties), physical_id)
                    .await
            }
            RULE => delete_rule(&*events, physical_id).await,
            other => Err(unknown(other)),
        }
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        // Every type here is named: find is a read by the name the create would use.
        let id = match request.type_name.as_str() {
            BUS => name_of(request),
            BUS_POLICY => string(&request.properties, "StatementId")
                .ok_or_else(|| required(BUS_POLICY, "StatementId"))?,
            RULE => rule_id(rule_bus(&request.properties).as_deref(), &name_of(request)),
            other => return Err(unknown(other)),
        };
        match self
            .read(
                clients,
                session,
                &request.type_name,
                &id,
                &request.properties,
            )
            .await
        {
            Ok(state) => Ok(Some(state)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn arn_attribute(arn: &str) -> BTreeMap<String, Json> {
    [("Arn".to_owned(), json!(arn))].into_iter().collect()
}

fn bus_attributes(name: &str, arn: &str, policy: Json) -> BTreeMap<String, Json> {
    [
        ("Arn".to_owned(), json!(arn)),
        ("Name".to_owned(), json!(name)),
        ("Policy".to_owned(), policy),
    ]
    .into_iter()
    .collect()
}

async fn create_bus(
    events: &dyn EventsApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    if p.get("EventSourceName").is_some() {
        return Err(ProviderError::new(
            ErrorCode::InvalidRequest,
            "AWS::Events::EventBus: partner event buses (EventSourceName) are not supported by this provider",
        ));
    }
    let name = name_of(request);
    let arn = events.create_event_bus(&name, tags(p)).await?;
    if let Some(policy) = document(p, "Policy") {
        events.put_policy(&name, &policy).await?;
    }
    Ok(ResourceState::ready(
        name.clone(),
        bus_attributes(&name, &arn, p.get("Policy").cloned().unwrap_or(json!(""))),
        p.clone(),
    ))
}

async fn read_bus(
    events: &dyn EventsApi,
    name: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let bus = events.describe_event_bus(name).await?;
    let mut props = serde_json::Map::new();
    props.insert("Name".into(), json!(bus.name));
    let policy = bus
        .policy
        .as_deref()
        .map(|p| document_like(recorded.get("Policy"), p))
        .unwrap_or(json!(""));
    if recorded.get("Policy").is_some() {
        props.insert("Policy".into(), policy.clone());
    }
    let bus_tags = tags_like(events.list_tags(&bus.arn).await?, recorded);
    if recorded.get("Tags").is_some() || bus_tags.as_array().is_some_and(|t| !t.is_empty()) {
        props.insert("Tags".into(), bus_tags);
    }
    Ok(ResourceState::ready(
        bus.name.clone(),
        bus_attributes(&bus.name, &bus.arn, policy),
        Json::Object(props),
    ))
}

/// The bus of a bus policy: `EventBusName`, else the account's default bus.
fn bus_of(props: &Json) -> String {
    string(props, "EventBusName").unwrap_or_else(|| "default".to_owned())
}

/// The bus's policy document, or an empty one.
async fn bus_policy(events: &dyn EventsApi, bus: &str) -> Result<Json, ProviderError> {
    let bus = events.describe_event_bus(bus).await?;
    Ok(bus
        .policy
        .and_then(|p| serde_json::from_str(&p).ok())
        .unwrap_or_else(|| json!({"Version": "2012-10-17", "Statement": []})))
}

/// Add (or replace) the statement `StatementId` in the bus policy: PutPermission with the
/// whole document, as the statement form of the resource needs.
async fn put_statement(
    events: &dyn EventsApi,
    type_name: &str,
    props: &Json,
) -> Result<ResourceState, ProviderError> {
    let sid = string(props, "StatementId").ok_or_else(|| required(type_name, "StatementId"))?;
    let mut statement = props.get("Statement").cloned().ok_or_else(|| {
        ProviderError::new(
            ErrorCode::InvalidRequest,
            format!("{type_name} {sid}: only the Statement form is supported by this provider (not Action/Principal/Condition)"),
        )
    })?;
    if let Some(s) = statement.as_object_mut() {
        s.insert("Sid".into(), json!(sid));
    }
    let bus = bus_of(props);
    let mut policy = bus_policy(events, &bus).await?;
    let statements = policy
        .as_object_mut()
        .map(|p| p.entry("Statement").or_insert_with(|| json!([])))
        .ok_or_else(|| crate::error::missing("DescribeEventBus", "Policy object"))?;
    if !statements.is_array() {
        *statements = json!([statements.clone()]);
    }
    if let Some(list) = statements.as_array_mut() {
        list.retain(|s| s.get("Sid") != Some(&json!(sid)));
        list.push(statement);
    }
    events.put_policy(&bus, &policy.to_string()).await?;
    Ok(ResourceState::ready(sid, BTreeMap::new(), props.clone()))
}

async fn read_statement(
    events: &dyn EventsApi,
    sid: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let policy = bus_policy(events, &bus_of(recorded)).await?;
    let statements = match policy.get("Statement") {
        Some(Json::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let mut statement = statements
        .into_iter()
        .find(|s| s.get("Sid") == Some(&json!(sid)))
        .ok_or_else(|| {
            ProviderError::new(
                ErrorCode::NotFound,
                format!("the bus policy has no statement {sid}"),
            )
        })?;
    // The Sid was added on the way in; the template may not carry it.
    let recorded_sid = recorded.get("Statement").and_then(|s| s.get("Sid"));
    if recorded_sid.is_none() {
        if let Some(s) = statement.as_object_mut() {
            s.remove("Sid");
        }
    }
    let mut props = serde_json::Map::new();
    if let Some(bus) = recorded.get("EventBusName") {
        props.insert("EventBusName".into(), bus.clone());
    }
    props.insert("StatementId".into(), json!(sid));
    props.insert("Statement".into(), statement);
    Ok(ResourceState::ready(
        sid,
        BTreeMap::new(),
        Json::Object(props),
    ))
}

/// The bus of a rule; `None` for the default bus.
fn rule_bus(props: &Json) -> Option<String> {
    string(props, "EventBusName").filter(|b| b != "default")
}

/// CloudFormation's physical id of a rule: the name on the default bus, `bus|name` on
/// another.
fn rule_id(bus: Option<&str>, name: &str) -> String {
    match bus {
        Some(bus) => format!("{bus}|{name}"),
        None => name.to_owned(),
    }
}

fn split_rule_id(id: &str) -> (Option<String>, String) {
    match id.rsplit_once('|') {
        Some((bus, name)) => (Some(bus.to_owned()), name.to_owned()),
        None => (None, id.to_owned()),
    }
}

fn targets(props: &Json) -> Vec<RuleTarget> {
    props
        .get("Targets")
        .and_then(Json::as_array)
        .map(|list| {
            list.iter()
                .map(|t| RuleTarget {
                    id: string(t, "Id").unwrap_or_default(),
                    arn: string(t, "Arn").unwrap_or_default(),
                    role_arn: string(t, "RoleArn"),
                    input: string(t, "Input"),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// PutRule (and PutTargets): the physical id and the ARN.
async fn put_rule(
    events: &dyn EventsApi,
    p: &Json,
    name: &str,
    with_tags: bool,
) -> Result<(String, String), ProviderError> {
    let bus = rule_bus(p);
    let spec = RuleSpec {
        name: name.to_owned(),
        event_bus_name: bus.clone(),
        description: string(p, "Description"),
        event_pattern: document(p, "EventPattern"),
        schedule_expression: string(p, "ScheduleExpression"),
        state: string(p, "State"),
        role_arn: string(p, "RoleArn"),
    };
    let rule_tags = if with_tags { tags(p) } else { Vec::new() };
    let arn = events.put_rule(&spec, rule_tags).await?;
    let wanted = targets(p);
    if !wanted.is_empty() {
        events.put_targets(name, bus.clone(), wanted).await?;
    }
    Ok((rule_id(bus.as_deref(), name), arn))
}

async fn read_rule(
    events: &dyn EventsApi,
    id: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let (bus, name) = split_rule_id(id);
    let (rule, arn) = events.describe_rule(&name, bus.clone()).await?;
    let mut props = serde_json::Map::new();
    if recorded.get("Name").is_some() {
        props.insert("Name".into(), json!(rule.name));
    }
    if let Some(b) = recorded.get("EventBusName") {
        props.insert("EventBusName".into(), b.clone());
    }
    let mut text = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            props.insert(key.into(), json!(v));
        }
    };
    text("Description", rule.description);
    text("ScheduleExpression", rule.schedule_expression);
    text("State", rule.state);
    text("RoleArn", rule.role_arn);
    if let Some(pattern) = rule.event_pattern {
        props.insert(
            "EventPattern".into(),
            document_like(recorded.get("EventPattern"), &pattern),
        );
    }
    let mut actual = events.list_targets(&name, bus).await?;
    let order: Vec<String> = targets(recorded).into_iter().map(|t| t.id).collect();
    actual.sort_by_key(|t| {
        (
            order.iter().position(|o| *o == t.id).unwrap_or(usize::MAX),
            t.id.clone(),
        )
    });
    if !actual.is_empty() || recorded.get("Targets").is_some() {
        let list: Vec<Json> = actual
            .into_iter()
            .map(|t| {
                let mut o = serde_json::Map::new();
                o.insert("Arn".into(), json!(t.arn));
                o.insert("Id".into(), json!(t.id));
                if let Some(r) = t.role_arn {
                    o.insert("RoleArn".into(), json!(r));
                }
                if let Some(i) = t.input {
                    o.insert("Input".into(), json!(i));
                }
                Json::Object(o)
            })
            .collect();
        props.insert("Targets".into(), Json::Array(list));
    }
    let rule_tags = tags_like(events.list_tags(&arn).await?, recorded);
    if recorded.get("Tags").is_some() || rule_tags.as_array().is_some_and(|t| !t.is_empty()) {
        props.insert("Tags".into(), rule_tags);
    }
    Ok(ResourceState::ready(
        id,
        arn_attribute(&arn),
        Json::Object(props),
    ))
}

async fn update_rule(
    events: &dyn EventsApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_in_place(
        request,
        &[
            "Description",
            "EventPattern",
            "ScheduleExpression",
            "State",
            "RoleArn",
            "Targets",
        ],
    )?;
    let (bus, name) = split_rule_id(&request.physical_id);
    let gone: Vec<String> = targets(&request.previous)
        .into_iter()
        .map(|t| t.id)
        .filter(|id| !targets(&request.properties).iter().any(|t| t.id == *id))
        .collect();
    if !gone.is_empty() {
        events.remove_targets(&name, bus, gone).await?;
    }
    let (id, arn) = put_rule(events, &request.properties, &name, false).await?;
    Ok(ResourceState::ready(
        id,
        arn_attribute(&arn),
        request.properties.clone(),
    ))
}

async fn delete_rule(events: &dyn EventsApi, id: &str) -> Result<(), ProviderError> {
    let (bus, name) = split_rule_id(id);
    // DeleteRule succeeds for a rule that does not exist: look first, so a rule already
    // gone answers NotFound.
    events.describe_rule(&name, bus.clone()).await?;
    let ids: Vec<String> = events
        .list_targets(&name, bus.clone())
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    if !ids.is_empty() {
        events.remove_targets(&name, bus.clone(), ids).await?;
    }
    events.delete_rule(&name, bus).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{EventBusInfo, MockEventsApi};
    use mockall::predicate::eq;
    use mockall::Sequence;

    fn bus(policy: Option<&str>) -> EventBusInfo {
        EventBusInfo {
            name: "b".into(),
            arn: "arn:aws:events:us-east-1:1:event-bus/b".into(),
            policy: policy.map(str::to_owned),
        }
    }

    #[test]
    fn rule_ids_are_the_name_on_the_default_bus_and_bus_pipe_name_elsewhere() {
        assert_eq!(rule_id(None, "r"), "r");
        assert_eq!(rule_id(Some("b"), "r"), "b|r");
        assert_eq!(split_rule_id("b|r"), (Some("b".into()), "r".into()));
        assert_eq!(split_rule_id("r"), (None, "r".into()));
        assert_eq!(rule_bus(&json!({"EventBusName": "default"})), None);
    }

    #[tokio::test]
    async fn a_statement_replaces_its_namesake_and_keeps_the_others() {
        let mut events = MockEventsApi::new();
        events.expect_describe_event_bus().with(eq("b")).returning(|_| {
            Ok(bus(Some(
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Allow"},{"Sid":"S1","Effect":"Deny"}]}"#,
            )))
        });
        events
            .expect_put_policy()
            .withf(|bus, policy| {
                let p: Json = serde_json::from_str(policy).unwrap();
                bus == "b"
                    && p["Statement"]
                        == json!([{"Sid": "Other", "Effect": "Allow"}, {"Sid": "S1", "Effect": "Allow", "Action": "events:PutEvents"}])
            })
            .times(1)
            .returning(|_, _| Ok(()));
        let props = json!({"EventBusName": "b", "StatementId": "S1", "Statement": {"Effect": "Allow", "Action": "events:PutEvents"}});
        let state = put_statement(&events, BUS_POLICY, &props).await.unwrap();
        assert_eq!(state.physical_id, "S1");
    }

    #[tokio::test]
    async fn a_statement_reads_back_without_the_sid_the_template_did_not_give() {
        let mut events = MockEventsApi::new();
        events.expect_describe_event_bus().returning(|_| {
            Ok(bus(Some(
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"S1","Effect":"Allow"}]}"#,
            )))
        });
        let recorded =
            json!({"EventBusName": "b", "StatementId": "S1", "Statement": {"Effect": "Allow"}});
        let state = read_statement(&events, "S1", &recorded).await.unwrap();
        assert_eq!(state.properties, recorded);
        let gone = read_statement(&events, "S2", &recorded).await.unwrap_err();
        assert_eq!(gone.code, ErrorCode::NotFound);
    }

    #[tokio::test]
    async fn deleting_a_rule_removes_its_targets_first() {
        let mut events = MockEventsApi::new();
        let mut seq = Sequence::new();
        events
            .expect_describe_rule()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Ok((RuleSpec::default(), "arn".into())));
        events
            .expect_list_targets()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| {
                Ok(vec![RuleTarget {
                    id: "t".into(),
                    arn: "a".into(),
                    ..RuleTarget::default()
                }])
            });
        events
            .expect_remove_targets()
            .with(eq("r"), eq(Some("b".to_owned())), eq(vec!["t".to_owned()]))
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(()));
        events
            .expect_delete_rule()
            .with(eq("r"), eq(Some("b".to_owned())))
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Ok(()));
        delete_rule(&events, "b|r").await.unwrap();
    }

    #[tokio::test]
    async fn deleting_a_rule_already_gone_is_not_found() {
        let mut events = MockEventsApi::new();
        events
            .expect_describe_rule()
            .returning(|_, _| Err(ProviderError::new(ErrorCode::NotFound, "gone")));
        events.expect_delete_rule().never();
        assert_eq!(
            delete_rule(&events, "r").await.unwrap_err().code,
            ErrorCode::NotFound
        );
    }

    #[tokio::test]
    async fn updating_a_rule_drops_the_targets_no_longer_wanted() {
        let mut events = MockEventsApi::new();
        events
            .expect_remove_targets()
            .with(eq("r"), eq(None::<String>), eq(vec!["old".to_owned()]))
            .times(1)
            .returning(|_, _, _| Ok(()));
        events
            .expect_put_rule()
            .withf(|spec, tags| {
                spec.name == "r" && spec.state.as_deref() == Some("DISABLED") && tags.is_empty()
            })
            .times(1)
            .returning(|_, _| Ok("arn:rule".into()));
        events
            .expect_put_targets()
            .withf(|_, _, t| t.len() == 1 && t[0].id == "new")
            .times(1)
            .returning(|_, _, _| Ok(()));
        let state = update_rule(
            &events,
            &UpdateRequest {
                type_name: RULE.into(),
                physical_id: "r".into(),
                previous: json!({"State": "ENABLED", "Targets": [{"Id": "old", "Arn": "a"}]}),
                properties: json!({"State": "DISABLED", "Targets": [{"Id": "new", "Arn": "a"}]}),
            },
        )
        .await
        .unwrap();
        assert_eq!(state.attributes["Arn"], json!("arn:rule"));
    }
}
