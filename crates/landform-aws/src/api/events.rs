//! The EventBridge buses, bus policies and rules calls the providers make.

use async_trait::async_trait;
use aws_sdk_eventbridge::types::{RuleState, Target};
use landform_deploy::ProviderError;

use super::kms::with_codes;
use super::Tag;
use crate::error::{missing, sdk_error, ErrorCode};

/// An event bus as DescribeEventBus answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventBusInfo {
    /// The name.
    pub name: String,
    /// The ARN.
    pub arn: String,
    /// The resource policy, when one is set.
    pub policy: Option<String>,
}

/// What PutRule takes, and what DescribeRule answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSpec {
    /// The rule name.
    pub name: String,
    /// The bus; `None` for the account's default bus.
    pub event_bus_name: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The event pattern, as JSON text.
    pub event_pattern: Option<String>,
    /// The schedule expression.
    pub schedule_expression: Option<String>,
    /// `ENABLED` or `DISABLED`.
    pub state: Option<String>,
    /// The role EventBridge assumes for the rule's targets.
    pub role_arn: Option<String>,
}

/// A target of a rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleTarget {
    /// The target id, unique within the rule.
    pub id: String,
    /// The target's ARN (a bus, a function...).
    pub arn: String,
    /// The role EventBridge assumes to reach the target.
    pub role_arn: Option<String>,
    /// A constant JSON input, instead of the event.
    pub input: Option<String>,
}

/// The EventBridge buses, bus policies and rules calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait EventsApi: Send + Sync {
    /// CreateEventBus: the ARN.
    async fn create_event_bus(&self, name: &str, tags: Vec<Tag>) -> Result<String, ProviderError>;
    /// DescribeEventBus.
    async fn describe_event_bus(&self, name: &str) -> Result<EventBusInfo, ProviderError>;
    /// DeleteEventBus.
    async fn delete_event_bus(&self, name: &str) -> Result<(), ProviderError>;
    /// PutPermission with a whole policy document.
    async fn put_policy(&self, bus: &str, policy: &str) -> Result<(), ProviderError>;
    /// RemovePermission of one statement.
    async fn remove_permission(&self, bus: &str, statement_id: &str) -> Result<(), ProviderError>;
    /// PutRule: the rule ARN.
    async fn put_rule(&self, spec: &RuleSpec, tags: Vec<Tag>) -> Result<String, ProviderError>;
    /// DescribeRule: the rule and its ARN.
    async fn describe_rule(
        &self,
        name: &str,
        bus: Option<String>,
    ) -> Result<(RuleSpec, String), ProviderError>;
    /// ListTargetsByRule (every page).
    async fn list_targets(
        &self,
        rule: &str,
        bus: Option<String>,
    ) -> Result<Vec<RuleTarget>, ProviderError>;
    /// PutTargets; fails when any entry fails.
    async fn put_targets(
        &self,
        rule: &str,
        bus: Option<String>,
        targets: Vec<RuleTarget>,
    ) -> Result<(), ProviderError>;
    /// RemoveTargets.
    async fn remove_targets(
        &self,
        rule: &str,
        bus: Option<String>,
        ids: Vec<String>,
    ) -> Result<(), ProviderError>;
    /// DeleteRule.
    async fn delete_rule(&self, name: &str, bus: Option<String>) -> Result<(), ProviderError>;
    /// ListTagsForResource.
    async fn list_tags(&self, arn: &str) -> Result<Vec<Tag>, ProviderError>;
}

/// [`EventsApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkEvents(pub aws_sdk_eventbridge::Client);

fn events_error<E>(
    operation: &str,
    err: aws_sdk_eventbridge::error::SdkError<E, aws_sdk_eventbridge::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_eventbridge::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    with_codes(
        sdk_error(operation, err),
        &[
            ("ResourceAlreadyExistsException", ErrorCode::AlreadyExists),
            (
                "PolicyLengthExceededException",
                ErrorCode::ServiceLimitExceeded,
            ),
            ("InvalidEventPatternException", ErrorCode::InvalidRequest),
            ("ManagedRuleException", ErrorCode::ResourceConflict),
        ],
    )
}

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ProviderError> {
    r.map_err(|e| ProviderError::new(ErrorCode::InvalidRequest, e.to_string()))
}

fn sdk_tags(tags: &[Tag]) -> Result<Option<Vec<aws_sdk_eventbridge::types::Tag>>, ProviderError> {
    if tags.is_empty() {
        return Ok(None);
    }
    tags.iter()
        .map(|(k, v)| {
            build(
                aws_sdk_eventbridge::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build(),
            )
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[async_trait]
impl EventsApi for SdkEvents {
    async fn create_event_bus(&self, name: &str, tags: Vec<Tag>) -> Result<String, ProviderError> {
        let out = self
            .0
            .create_event_bus()
            .name(name)
            .set_tags(sdk_tags(&tags)?)
            .send()
            .await
            .map_err(|e| events_error("CreateEventBus", e))?;
        out.event_bus_arn
            .ok_or_else(|| missing("CreateEventBus", "EventBusArn"))
    }
    async fn describe_event_bus(&self, name: &str) -> Result<EventBusInfo, ProviderError> {
        let out = self
            .0
            .describe_event_bus()
            .name(name)
            .send()
            .await
            .map_err(|e| events_error("DescribeEventBus", e))?;
        Ok(EventBusInfo {
            name: out.name.unwrap_or_else(|| name.to_owned()),
            arn: out.arn.ok_or_else(|| missing("DescribeEventBus", "Arn"))?,
            policy: out.policy.filter(|p| !p.is_empty()),
        })
    }
    async fn delete_event_bus(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_event_bus()
            .name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| events_error("DeleteEventBus", e))
    }
    async fn put_policy(&self, bus: &str, policy: &str) -> Result<(), ProviderError> {
        self.0
            .put_permission()
            .event_bus_name(bus)
            .policy(policy)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| events_error("PutPermission", e))
    }
    async fn remove_permission(&self, bus: &str, statement_id: &str) -> Result<(), ProviderError> {
        self.0
            .remove_permission()
            .event_bus_name(bus)
            .statement_id(statement_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| events_error("RemovePermission", e))
    }
    async fn put_rule(&self, spec: &RuleSpec, tags: Vec<Tag>) -> Result<String, ProviderError> {
        let out = self
            .0
            .put_rule()
            .name(&spec.name)
            .set_event_bus_name(spec.event_bus_name.clone())
            .set_description(spec.description.clone())
            .set_event_pattern(spec.event_pattern.clone())
            .set_schedule_expression(spec.schedule_expression.clone())
            .set_state(spec.state.as_deref().map(RuleState::from))
            .set_role_arn(spec.role_arn.clone())
            .set_tags(sdk_tags(&tags)?)
            .send()
            .await
            .map_err(|e| events_error("PutRule", e))?;
        out.rule_arn.ok_or_else(|| missing("PutRule", "RuleArn"))
    }
    async fn describe_rule(
        &self,
        name: &str,
        bus: Option<String>,
    ) -> Result<(RuleSpec, String), ProviderError> {
        let out = self
            .0
            .describe_rule()
            .name(name)
            .set_event_bus_name(bus)
            .send()
            .await
            .map_err(|e| events_error("DescribeRule", e))?;
        let arn = out.arn.ok_or_else(|| missing("DescribeRule", "Arn"))?;
        Ok((
            RuleSpec {
                name: out.name.unwrap_or_else(|| name.to_owned()),
                event_bus_name: out.event_bus_name,
                description: out.description,
                event_pattern: out.event_pattern,
                schedule_expression: out.schedule_expression,
                state: out.state.map(|s| s.as_str().to_owned()),
                role_arn: out.role_arn,
            },
            arn,
        ))
    }
    async fn list_targets(
        &self,
        rule: &str,
        bus: Option<String>,
    ) -> Result<Vec<RuleTarget>, ProviderError> {
        let mut targets = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .list_targets_by_rule()
                .rule(rule)
                .set_event_bus_name(bus.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| events_error("ListTargetsByRule", e))?;
            targets.extend(
                out.targets
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| RuleTarget {
                        id: t.id,
                        arn: t.arn,
                        role_arn: t.role_arn,
                        input: t.input,
                    }),
            );
            match out.next_token {
                Some(t) => token = Some(t),
                None => return Ok(targets),
            }
        }
    }
    async fn put_targets(
        &self,
        rule: &str,
        bus: Option<String>,
        targets: Vec<RuleTarget>,
    ) -> Result<(), ProviderError> {
        let mut call = self.0.put_targets().rule(rule).set_event_bus_name(bus);
        for t in targets {
            call = call.targets(build(
                Target::builder()
                    .id(t.id)
                    .arn(t.arn)
                    .set_role_arn(t.role_arn)
                    .set_input(t.input)
                    .build(),
            )?);
        }
        let out = call
            .send()
            .await
            .map_err(|e| events_error("PutTargets", e))?;
        match out.failed_entries.unwrap_or_default().first() {
            None => Ok(()),
            Some(f) => Err(ProviderError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "PutTargets: target {} failed: {} {}",
                    f.target_id.as_deref().unwrap_or("?"),
                    f.error_code.as_deref().unwrap_or_default(),
                    f.error_message.as_deref().unwrap_or_default()
                ),
            )),
        }
    }
    async fn remove_targets(
        &self,
        rule: &str,
        bus: Option<String>,
        ids: Vec<String>,
    ) -> Result<(), ProviderError> {
        let out = self
            .0
            .remove_targets()
            .rule(rule)
            .set_event_bus_name(bus)
            .set_ids(Some(ids))
            .send()
            .await
            .map_err(|e| events_error("RemoveTargets", e))?;
        match out.failed_entries.unwrap_or_default().first() {
            None => Ok(()),
            Some(f) => Err(ProviderError::new(
                ErrorCode::GeneralServiceException,
                format!(
                    "RemoveTargets: target {} failed: {} {}",
                    f.target_id.as_deref().unwrap_or("?"),
                    f.error_code.as_deref().unwrap_or_default(),
                    f.error_message.as_deref().unwrap_or_default()
                ),
            )),
        }
    }
    async fn delete_rule(&self, name: &str, bus: Option<String>) -> Result<(), ProviderError> {
        self.0
            .delete_rule()
            .name(name)
            .set_event_bus_name(bus)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| events_error("DeleteRule", e))
    }
    async fn list_tags(&self, arn: &str) -> Result<Vec<Tag>, ProviderError> {
        let out = self
            .0
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| events_error("ListTagsForResource", e))?;
        Ok(out
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect())
    }
}
