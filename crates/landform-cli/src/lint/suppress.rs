//! Explicit, reviewed suppressions: per construct, per rule, each with a reason.
//!
//! A suppression set on a construct covers findings on that construct and everything below
//! it. They live in node metadata under [`SUPPRESSIONS_METADATA_KEY`] (set with [`suppress`]
//! or `scope.set_metadata`), or in a resource's template `Metadata` under the same key, as
//! `[{"rule": "LF-S3-002", "reason": "..."}]`.

use landform_core::{Path, Scope, Tree};
use serde::Serialize;
use serde_json::{json, Value as Json};

use super::{Finding, Rule};
use crate::model::AssemblyIndex;

/// The metadata key holding a node's suppressions.
pub const SUPPRESSIONS_METADATA_KEY: &str = "landform:lint-suppressions";

/// One suppression: a rule silenced on a construct (and below), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// The construct it is set on.
    pub path: Path,
    /// The rule silenced.
    pub rule: Rule,
    /// Why the finding is acceptable here.
    pub reason: String,
}

/// A set of suppressions, plus the malformed ones found while reading them.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    entries: Vec<Suppression>,
    invalid: Vec<(Path, String)>,
}

/// Silence `rule` on the construct at `scope` and below, with a reason.
///
/// ```
/// use landform_core::{App, Environment, Resource};
/// use landform_cli::lint::{self, suppress, Rule, Suppressions};
///
/// let mut app = App::new();
/// let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "Data");
/// let mut scope = app.scope(stack);
/// let mut cache = scope.child("Cache", "CacheTable");
/// cache.add_resource("Table", Resource::new("AWS::DynamoDB::Table")
///     .property("KeySchema", serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]))
///     .property("AttributeDefinitions", serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}])));
/// suppress(&mut cache, Rule::DynamoDbPointInTimeRecovery, "a cache rebuilt from source on loss");
/// let report = lint::check(&app.synth().unwrap(), &Suppressions::from_tree(app.tree()));
/// assert_eq!(report.suppressed[0].finding.rule, Rule::DynamoDbPointInTimeRecovery);
/// ```
pub fn suppress(scope: &mut Scope<'_>, rule: Rule, reason: &str) {
    let mut list = scope
        .tree()
        .node(scope.node())
        .metadata()
        .get(SUPPRESSIONS_METADATA_KEY)
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    list.push(json!({ "rule": rule.id(), "reason": reason }));
    scope.set_metadata(SUPPRESSIONS_METADATA_KEY, Json::Array(list));
}

impl Suppressions {
    /// No suppressions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a suppression by hand (for suppressions kept outside the tree).
    pub fn add(&mut self, path: Path, rule: Rule, reason: impl Into<String>) -> &mut Self {
        let reason = reason.into();
        if reason.trim().is_empty() {
            self.invalid
                .push((path, format!("suppression of {rule} has no reason")));
        } else {
            self.entries.push(Suppression { path, rule, reason });
        }
        self
    }

    /// Every suppression set in the tree's node metadata.
    pub fn from_tree(tree: &Tree) -> Self {
        let mut out = Suppressions::default();
        for id in tree.ids() {
            if let Some(value) = tree.node(id).metadata().get(SUPPRESSIONS_METADATA_KEY) {
                out.read(tree.path(id), value);
            }
        }
        out
    }

    /// The valid suppressions.
    pub fn entries(&self) -> &[Suppression] {
        &self.entries
    }

    fn read(&mut self, path: Path, value: &Json) {
        let Some(items) = value.as_array() else {
            self.invalid.push((
                path,
                format!("{SUPPRESSIONS_METADATA_KEY} is not a list: {value}"),
            ));
            return;
        };
        for item in items {
            let rule = item.get("rule").and_then(Json::as_str).unwrap_or_default();
            let reason = item
                .get("reason")
                .and_then(Json::as_str)
                .unwrap_or_default();
            match Rule::from_id(rule) {
                None => self
                    .invalid
                    .push((path.clone(), format!("unknown rule id {rule:?} in {item}"))),
                Some(rule) => {
                    self.add(path.clone(), rule, reason);
                }
            }
        }
    }

    /// Read suppressions from resources' template metadata; return findings for every
    /// malformed suppression (from the tree or the templates).
    pub(crate) fn merge_template_metadata(&mut self, index: &AssemblyIndex<'_>) -> Vec<Finding> {
        for resource in index.resources() {
            if let Some(value) = resource
                .body
                .get("Metadata")
                .and_then(|m| m.get(SUPPRESSIONS_METADATA_KEY))
            {
                self.read(resource.path.clone(), value);
            }
        }
        self.invalid
            .iter()
            .map(|(path, detail)| {
                let rule = Rule::InvalidSuppression;
                Finding {
                    rule,
                    severity: rule.severity(),
                    path: path.clone(),
                    stack: String::new(),
                    logical_id: String::new(),
                    detail: detail.clone(),
                    why: rule.why(),
                    fix: rule.fix(),
                }
            })
            .collect()
    }

    /// The suppression covering a finding: same rule, set on its path or an ancestor's.
    pub(crate) fn covering(&self, finding: &Finding) -> Option<&Suppression> {
        if finding.rule == Rule::InvalidSuppression {
            return None;
        }
        self.entries.iter().find(|s| {
            s.rule == finding.rule && finding.path.segments().starts_with(s.path.segments())
        })
    }
}
