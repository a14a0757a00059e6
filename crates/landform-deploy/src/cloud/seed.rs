//! The organization an in-memory cloud starts with, taken from the app it will receive.

use landform_core::synth::AccountSpec;
use landform_core::Assembly;
use serde_json::Value as Json;

use super::InMemoryCloud;

/// The management account, root id and existing member accounts of a new in-memory
/// organization.
///
/// A real organization exists before the app that manages it; the app names its management
/// account (the stage of its Organizations resources, or else of its first stack), its root
/// id (the parent of its top-level OUs) and, as literal account ids of its stages, the
/// accounts it deploys into without creating them. [`OrganizationSeed::from_assembly`] reads
/// all three, so the in-memory cloud is the organization the app expects.
///
/// ```
/// use landform_core::{App, Environment, Resource};
/// use landform_deploy::cloud::OrganizationSeed;
/// let mut app = App::new();
/// let stage = app.add_stage("Mgmt", Environment::new("222222222222", "us-east-1"));
/// let stack = app.add_stack(stage, "Org");
/// app.scope(stack).add_resource("Ou", Resource::new("AWS::Organizations::OrganizationalUnit")
///     .property("Name", "Workloads").property("ParentId", "r-ab12"));
/// let seed = OrganizationSeed::from_assembly(&app.synth().unwrap());
/// assert_eq!((seed.management_account.as_str(), seed.root_id.as_str()), ("222222222222", "r-ab12"));
/// assert!(seed.members.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationSeed {
    /// The management account id.
    pub management_account: String,
    /// The root id (`r-` and 4 to 32 lowercase letters or digits).
    pub root_id: String,
    /// Member accounts that exist already (in the root).
    pub members: Vec<String>,
}

impl Default for OrganizationSeed {
    fn default() -> Self {
        OrganizationSeed {
            management_account: InMemoryCloud::MANAGEMENT_ACCOUNT.to_owned(),
            root_id: InMemoryCloud::ROOT_ID.to_owned(),
            members: Vec::new(),
        }
    }
}

impl OrganizationSeed {
    /// The organization an assembly expects; the defaults for what it does not name.
    pub fn from_assembly(assembly: &Assembly) -> Self {
        let mut seed = OrganizationSeed::default();
        let managing = assembly.stacks().iter().find(|s| {
            s.resources
                .values()
                .any(|r| r.type_name.starts_with("AWS::Organizations::"))
        });
        let literal = |s: &landform_core::synth::StackArtifact| match &s.environment.account {
            AccountSpec::Literal(id) => Some(id.clone()),
            _ => None,
        };
        if let Some(id) = managing.or(assembly.stacks().first()).and_then(literal) {
            seed.management_account = id;
        }
        let mut members: Vec<String> = assembly.stacks().iter().filter_map(literal).collect();
        members.sort();
        members.dedup();
        members.retain(|m| *m != seed.management_account);
        seed.members = members;
        let Some(stack) = managing else {
            return seed;
        };
        let resources = stack.template["Resources"].as_object();
        let roots = resources
            .into_iter()
            .flat_map(|r| r.values())
            .flat_map(|r| {
                let props = &r["Properties"];
                ["ParentId", "ParentIds", "TargetIds"]
                    .into_iter()
                    .flat_map(move |key| match &props[key] {
                        Json::String(s) => vec![s.as_str()],
                        Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
                        _ => Vec::new(),
                    })
            });
        if let Some(root) = roots.into_iter().find(|id| is_root_id(id)) {
            seed.root_id = root.to_owned();
        }
        seed
    }
}

fn is_root_id(id: &str) -> bool {
    id.strip_prefix("r-").is_some_and(|rest| {
        (4..=32).contains(&rest.len())
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}
