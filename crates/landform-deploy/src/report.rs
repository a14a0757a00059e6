//! What an apply, a destroy or a drift check reports.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value as Json;

/// The outcome of [`crate::Engine::apply`] or [`crate::Engine::destroy`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyReport {
    /// Stacks in the assembly; for a destroy, the stacks it removed resources from.
    pub stacks: usize,
    /// Distinct accounts deployed into; for a destroy, those it removed resources from.
    pub accounts: usize,
    /// Resources created.
    pub created: usize,
    /// Resources updated in place.
    pub updated: usize,
    /// Resources replaced.
    pub replaced: usize,
    /// Resources deleted.
    pub deleted: usize,
    /// Resources left as they were.
    pub unchanged: usize,
    /// Resources forgotten but kept in AWS (`DeletionPolicy: Retain`), `stack/logicalId`
    /// with the physical id.
    pub retained: Vec<String>,
    /// Calls found in the journal from an interrupted run and settled first.
    pub recovered: usize,
    /// Resources an earlier destroy kept (`DeletionPolicy: Retain`) that this apply recorded
    /// again instead of creating, `stack/logicalId` (also counted as updated or unchanged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readopted: Vec<String>,
    /// Stack outputs recorded.
    pub outputs: usize,
    /// Provider calls made.
    pub calls: u64,
    /// Of which writes (create, update, delete).
    pub writes: u64,
    /// Time taken on the engine's clock.
    pub wall_time: Duration,
}

impl fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Counts only: the retained resources are listed in `retained` (and by the command
        // line), which for a large organization is a thousand names.
        write!(
            f,
            "{} stack(s) in {} account(s): {} created, {} updated, {} replaced, {} deleted, {} retained, {} unchanged",
            self.stacks, self.accounts, self.created, self.updated, self.replaced, self.deleted,
            self.retained.len(), self.unchanged
        )?;
        if self.recovered > 0 {
            write!(f, ", {} recovered from the journal", self.recovered)?;
        }
        if !self.readopted.is_empty() {
            write!(
                f,
                ", {} re-adopted (kept by an earlier destroy)",
                self.readopted.len()
            )?;
        }
        write!(
            f,
            "; {} outputs; {} calls ({} writes) in {:.2?}",
            self.outputs, self.calls, self.writes, self.wall_time
        )
    }
}

/// How one recorded resource differs from what is in the cloud.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum Drift {
    /// The resource is gone.
    Deleted,
    /// Properties differ: name, recorded value, actual value (`None` when absent).
    Modified {
        /// The differences.
        properties: Vec<(String, Option<Json>, Option<Json>)>,
    },
}

/// One drifted resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDrift {
    /// The stack.
    pub stack: String,
    /// The logical id.
    pub logical_id: String,
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The physical id.
    pub physical_id: String,
    /// How it drifted.
    pub drift: Drift,
}

/// Drift per account.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftReport {
    /// Resources read back.
    pub checked: usize,
    /// Drifted resources by account id.
    pub accounts: BTreeMap<String, Vec<ResourceDrift>>,
}

impl DriftReport {
    /// True when nothing drifted.
    pub fn is_clean(&self) -> bool {
        self.accounts.values().all(Vec::is_empty)
    }
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (account, drifts) in self.accounts.iter().filter(|(_, d)| !d.is_empty()) {
            writeln!(f, "account {account}:")?;
            for d in drifts {
                match &d.drift {
                    Drift::Deleted => writeln!(
                        f,
                        "  {}/{} ({}) {}: deleted",
                        d.stack, d.logical_id, d.type_name, d.physical_id
                    )?,
                    Drift::Modified { properties } => {
                        writeln!(
                            f,
                            "  {}/{} ({}) {}: modified",
                            d.stack, d.logical_id, d.type_name, d.physical_id
                        )?;
                        for (name, recorded, actual) in properties {
                            let show = |v: &Option<Json>| {
                                v.as_ref()
                                    .map(Json::to_string)
                                    .unwrap_or_else(|| "(absent)".into())
                            };
                            writeln!(
                                f,
                                "    {name}: recorded {} actual {}",
                                show(recorded),
                                show(actual)
                            )?;
                        }
                    }
                }
            }
        }
        let drifted: usize = self.accounts.values().map(Vec::len).sum();
        let accounts = self.accounts.values().filter(|d| !d.is_empty()).count();
        write!(
            f,
            "{} resource(s) checked, {drifted} drifted in {accounts} account(s)",
            self.checked
        )
    }
}
