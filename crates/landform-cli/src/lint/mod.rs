//! The security lint pack: typed rules over the synthesised [`Assembly`].
//!
//! Like cdk-nag, but at synth time and on CloudFormation itself: rules read resource types and
//! properties, and name each finding by the construct path the manifest maps the resource to,
//! so they apply to constructs from any crate. Suppressions are explicit, per construct, with a
//! reason (see [`suppress`]), and the report lists them next to the findings.
//!
//! ```
//! use landform_core::{App, Environment, Resource};
//! use landform_cli::lint::{self, Rule, Suppressions};
//!
//! let mut app = App::new();
//! let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
//! let stack = app.add_stack(stage, "Keys");
//! app.scope(stack).add_resource("Key", Resource::new("AWS::KMS::Key"));
//! let assembly = app.synth().unwrap();
//! let report = lint::check(&assembly, &Suppressions::from_tree(app.tree()));
//! assert!(report.findings.iter().any(|f| f.rule == Rule::KmsKeyRotation));
//! assert!(report.has_errors());
//! ```

mod audit;
mod identity;
mod network;
mod organizations;
mod quotas;
mod rules;
mod storage;
mod suppress;

use std::fmt;

use landform_core::{Assembly, Path};
use serde::Serialize;

use crate::model::{AssemblyIndex, ResourceView};

pub use network::NETWORK_ROLE_METADATA_KEY;
pub use organizations::{minified_len, SCP_MAX_CHARS, SCP_MAX_PER_TARGET};
pub use rules::Rule;
pub use suppress::{suppress, Suppression, Suppressions, SUPPRESSIONS_METADATA_KEY};

/// How bad a finding is. `lint` fails on any unsuppressed [`Severity::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// A layout that should not ship.
    Error,
    /// Worth fixing; does not fail `lint`.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One finding: which rule, where, what exactly, why it matters and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule broken.
    pub rule: Rule,
    /// Its severity.
    pub severity: Severity,
    /// The construct path of the resource at fault.
    pub path: Path,
    /// The stack holding it.
    pub stack: String,
    /// Its logical id in the stack's template.
    pub logical_id: String,
    /// What exactly is wrong here.
    pub detail: String,
    /// Why the rule matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

impl Finding {
    /// A finding of `rule` about `resource`.
    pub(crate) fn new(rule: Rule, resource: &ResourceView<'_>, detail: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.severity(),
            path: resource.path.clone(),
            stack: resource.stack.name.clone(),
            logical_id: resource.logical_id.to_owned(),
            detail: detail.into(),
            why: rule.why(),
            fix: rule.fix(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}: {}",
            self.severity,
            self.rule.id(),
            self.path,
            self.detail
        )
    }
}

/// A finding that a suppression silenced, with the suppression's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuppressedFinding {
    /// The finding.
    pub finding: Finding,
    /// The construct path the suppression is set on (the finding's or an ancestor's).
    pub suppressed_at: Path,
    /// Why it is acceptable here.
    pub reason: String,
}

/// The result of [`check`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LintReport {
    /// Findings no suppression covers, sorted by path then rule.
    pub findings: Vec<Finding>,
    /// Findings silenced by a suppression, with its reason.
    pub suppressed: Vec<SuppressedFinding>,
}

impl LintReport {
    /// True when an unsuppressed finding has error severity.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Count of unsuppressed findings with this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Run every rule over an assembly and apply the suppressions.
///
/// Suppressions set in templates (a resource's `Metadata` under
/// [`SUPPRESSIONS_METADATA_KEY`]) apply as well as those passed in.
pub fn check(assembly: &Assembly, suppressions: &Suppressions) -> LintReport {
    let index = AssemblyIndex::new(assembly);
    let mut all = suppressions.clone();
    let mut findings = all.merge_template_metadata(&index);
    identity::check(&index, &mut findings);
    organizations::check(&index, &mut findings);
    storage::check(&index, &mut findings);
    audit::check(&index, &mut findings);
    network::check(&index, &mut findings);
    quotas::check(&index, &mut findings);
    findings.sort_by(|a, b| {
        (&a.path, a.rule, &a.detail, &a.stack).cmp(&(&b.path, b.rule, &b.detail, &b.stack))
    });
    findings.dedup();
    let mut report = LintReport::default();
    for finding in findings {
        match all.covering(&finding) {
            Some(s) => report.suppressed.push(SuppressedFinding {
                suppressed_at: s.path.clone(),
                reason: s.reason.clone(),
                finding,
            }),
            None => report.findings.push(finding),
        }
    }
    report
}
