//! Types the in-memory cloud serves from their registry schema alone: what a downstream
//! crate's own constructs emit (an SNS topic, an ECR repository) deploys on the embedded
//! default as it would through the Cloud Control API.
//!
//! - The physical id is the primary identifier (`primaryIdentifier`): the template's value
//!   where the template sets it (`RepositoryName`), a made one where AWS does (`TopicArn`,
//!   `Id`); several are joined with `|`, as Cloud Control joins them.
//! - Every read-only property is an attribute `Fn::GetAtt` reads, made from its name (an
//!   `...Arn` is an ARN of the type's service, a `...Url` a URL, an `...Id` an id) and kept
//!   for the resource's life.
//! - A create without a required property is refused (`InvalidRequest`), an update of a
//!   create-only property too (`NotUpdatable`: the engine replaces instead).

use std::collections::BTreeMap;

use landform_core::schema::TypeSchema;
use serde_json::{json, Value as Json};

use super::data::{err, hex};
use crate::error::{ErrorCode, ProviderError};
use crate::provider::Session;

/// A required property the properties lack, as AWS's validation refuses it.
pub(super) fn check_required(schema: &TypeSchema, props: &Json) -> Result<(), ProviderError> {
    let missing: Vec<&str> = schema
        .required()
        .filter(|name| props.get(*name).is_none_or_null())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(err(
        ErrorCode::InvalidRequest,
        "ValidationException",
        format!(
            "{} requires {} (its registry schema's `required`)",
            schema.type_name(),
            missing.join(", ")
        ),
    ))
}

/// Refuses a change of a create-only property in place.
pub(super) fn check_updatable(
    schema: &TypeSchema,
    current: &Json,
    props: &Json,
) -> Result<(), ProviderError> {
    let changed: Vec<&str> = schema
        .create_only_properties()
        .filter(|name| current.get(*name) != props.get(*name))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(err(
        ErrorCode::NotUpdatable,
        "NotUpdatableException",
        format!(
            "{} cannot change {} in place (create-only): replace the resource",
            schema.type_name(),
            changed.join(", ")
        ),
    ))
}

trait NoneOrNull {
    fn is_none_or_null(&self) -> bool;
}

impl NoneOrNull for Option<&Json> {
    fn is_none_or_null(&self) -> bool {
        matches!(self, None | Some(Json::Null))
    }
}

/// What names a resource in the values made for it: its name property (`TopicName` of an
/// `AWS::SNS::Topic`, or `Name`) when the template sets one, else the engine's physical name.
pub(super) fn label(schema: &TypeSchema, props: &Json, physical_name: &str) -> String {
    let resource = schema.type_name().rsplit("::").next().unwrap_or_default();
    [format!("{resource}Name"), "Name".to_owned()]
        .iter()
        .find_map(|key| props.get(key).and_then(Json::as_str))
        .unwrap_or(physical_name)
        .to_owned()
}

/// Where identity values of one resource come from.
pub(super) struct Made<'a> {
    pub schema: &'a TypeSchema,
    pub session: &'a Session,
    /// What names the resource in made values: its name, or the engine's physical name.
    pub label: &'a str,
    pub seed: &'a str,
}

impl Made<'_> {
    /// A value AWS would make for the read-only property `name`.
    fn value(&self, name: &str) -> Json {
        let mut parts = self.schema.type_name().split("::").skip(1);
        let service = parts.next().unwrap_or_default().to_lowercase();
        let resource = parts.next().unwrap_or_default().to_lowercase();
        let (region, account) = (&self.session.region, &self.session.account_id);
        let label = self.label;
        let unique = hex(&format!("{}|{name}", self.seed), 17);
        if name.ends_with("Arn") {
            json!(format!(
                "arn:{}:{service}:{region}:{account}:{resource}/{label}",
                self.session.partition
            ))
        } else if name.ends_with("Url") || name.ends_with("Uri") {
            json!(format!(
                "https://{account}.{service}.{region}.amazonaws.com/{label}"
            ))
        } else if name.ends_with("Name") {
            json!(label)
        } else if name.ends_with("Id") || name == "Id" {
            json!(format!("{resource}-{unique}"))
        } else {
            json!(format!("{label}-{}", name.to_lowercase()))
        }
    }

    /// The physical id: the primary identifier's values, joined with `|`.
    pub fn physical_id(&self, props: &Json) -> String {
        let parts: Vec<String> = self
            .schema
            .primary_identifier()
            .into_iter()
            .map(|name| {
                let value = if self.schema.is_read_only(name) {
                    self.value(name)
                } else {
                    props
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| json!(self.label))
                };
                match value {
                    Json::String(s) => s,
                    other => other.to_string(),
                }
            })
            .collect();
        if parts.is_empty() {
            format!("{}-{}", self.label, hex(self.seed, 8))
        } else {
            parts.join("|")
        }
    }

    /// Every read-only property as an attribute (the primary identifier's from the id).
    pub fn attributes(&self, physical_id: &str) -> BTreeMap<String, Json> {
        let identifier = self.schema.primary_identifier();
        let ids: Vec<&str> = physical_id.split('|').collect();
        self.schema
            .read_only_properties()
            .map(|name| {
                let value = match identifier.iter().position(|i| *i == name) {
                    Some(at) if ids.len() == identifier.len() => json!(ids[at]),
                    _ => self.value(name),
                };
                (name.to_owned(), value)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made<'a>(schema: &'a TypeSchema, session: &'a Session) -> Made<'a> {
        Made {
            schema,
            session,
            label: "alerts",
            seed: "111111111111|t|k|0",
        }
    }

    #[test]
    fn identity_comes_from_the_primary_identifier_and_the_read_only_properties() {
        let session = Session::new("111111111111", "eu-west-1");
        let topic = landform_core::schema::lookup("AWS::SNS::Topic").unwrap();
        let m = made(topic, &session);
        let id = m.physical_id(&json!({}));
        assert_eq!(id, "arn:aws:sns:eu-west-1:111111111111:topic/alerts");
        assert_eq!(m.attributes(&id)["TopicArn"], json!(id));

        let repo = landform_core::schema::lookup("AWS::ECR::Repository").unwrap();
        let m = made(repo, &session);
        let id = m.physical_id(&json!({"RepositoryName": "app"}));
        assert_eq!(id, "app");
        let attributes = m.attributes(&id);
        assert!(attributes["Arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:ecr:eu-west-1:"));
        assert!(attributes["RepositoryUri"]
            .as_str()
            .unwrap()
            .starts_with("https://"));
    }

    #[test]
    fn required_and_create_only_are_enforced() {
        let table = landform_core::schema::lookup("AWS::DynamoDB::Table").unwrap();
        let refused = check_required(table, &json!({"TableName": "t"})).unwrap_err();
        assert_eq!(refused.code, ErrorCode::InvalidRequest);
        assert!(refused.message.contains("KeySchema"), "{refused}");
        let topic = landform_core::schema::lookup("AWS::SNS::Topic").unwrap();
        let refused = check_updatable(
            topic,
            &json!({"TopicName": "a"}),
            &json!({"TopicName": "b"}),
        )
        .unwrap_err();
        assert_eq!(refused.code, ErrorCode::NotUpdatable);
        assert!(check_updatable(
            topic,
            &json!({"TopicName": "a"}),
            &json!({"TopicName": "a", "DisplayName": "x"})
        )
        .is_ok());
    }
}
