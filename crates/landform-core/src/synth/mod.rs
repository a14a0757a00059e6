//! Synthesis: the tree becomes an [`Assembly`], one CloudFormation template per stack plus a
//! manifest of environments, dependencies and cross-stack parameter wiring.
//!
//! Templates are rendered as text straight from the tree (`pretty`), references resolved on
//! the way (`resolve`); no JSON value is built. One pass per stack renders its resources
//! (`stack`); stacks render side by side, their effects on other stacks applied in stack
//! order (`render`); each template is finished once every stack has been resolved (`finish`),
//! since a later stack may add outputs to an earlier one.

mod assembly;
mod finish;
mod ids;
mod pretty;
mod render;
mod resolve;
mod stack;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path as FsPath, PathBuf};

pub use assembly::{
    AccountSpec, Assembly, DeployValue, EnvironmentSpec, OrganizationalUnitTarget, OutputRef,
    ResourceInfo, StackArtifact, StackDependency, StackSetSpec, Template,
};

use crate::error::CoreError;
use crate::fast_hash::FastHashMap;
use crate::graph::DependencyGraph;
use crate::issue::{Issue, Issues};
use crate::limits;
use crate::tree::{App, NodeId, Tree};
use ids::LogicalIds;
use render::Ledger;
use resolve::Resolved;

impl App {
    /// Every problem in the app: those reported while building, those of registered
    /// validations, and those only synthesis sees (references, cycles, limits).
    pub fn validate(&self) -> Issues {
        match Synthesizer::run(self.tree(), None) {
            Ok(_) => Issues::default(),
            Err(CoreError::Validation(issues)) => issues,
            // Only a synthesis into files writes anything; this one keeps its templates.
            Err(other) => Issues(vec![Issue::new(
                "App.Synth",
                "synth",
                other.to_string(),
                "synthesis failed outside validation",
            )]),
        }
    }

    /// Synthesise the app. Refuses with every issue at once while any exists.
    ///
    /// ```
    /// use landform_core::{App, Environment, Resource};
    /// let mut app = App::new();
    /// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// let stack = app.add_stack(stage, "State");
    /// app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table")
    ///     .property("KeySchema", serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]))
    ///     .property("AttributeDefinitions", serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}])));
    /// let assembly = app.synth().unwrap();
    /// assert_eq!(assembly.stacks()[0].name, "Management-State");
    /// assert_eq!(assembly.stacks()[0].template["Resources"]["Locks"]["Type"], "AWS::DynamoDB::Table");
    /// ```
    pub fn synth(&self) -> Result<Assembly, CoreError> {
        Synthesizer::run(self.tree(), None)
    }

    /// Synthesise the app into `dir` (created if missing): the same template files and
    /// `manifest.json` as `app.synth()?.write(dir)`, but each template is written while it is
    /// rendered instead of being kept, so a large app never holds all its templates in memory.
    /// Returns the files written (templates in deployment order, then the manifest).
    ///
    /// Nothing is written into `dir` unless synthesis succeeds: the files are put together in
    /// a staging directory inside it and moved into place at the end (a `dir` this call
    /// created is removed again when synthesis fails).
    ///
    /// ```
    /// use landform_core::{App, Environment, Resource};
    /// let mut app = App::new();
    /// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// let stack = app.add_stack(stage, "State");
    /// app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table")
    ///     .property("KeySchema", serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]))
    ///     .property("AttributeDefinitions", serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}])));
    /// let dir = std::env::temp_dir().join(format!("landform-doc-{}", std::process::id()));
    /// let written = app.synth_to(&dir).unwrap();
    /// assert_eq!(written.len(), 2);
    /// let text = std::fs::read_to_string(dir.join("Management-State.template.json")).unwrap();
    /// assert_eq!(text, app.synth().unwrap().stacks()[0].template.text());
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn synth_to(&self, dir: impl AsRef<FsPath>) -> Result<Vec<PathBuf>, CoreError> {
        let dir = dir.as_ref();
        let write_error = |path: &FsPath| {
            let path = path.to_owned();
            move |source| CoreError::Write { path, source }
        };
        let created = !dir.exists();
        fs::create_dir_all(dir).map_err(write_error(dir))?;
        let staging = dir.join(format!(".landform-synth-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(write_error(&staging))?;
        }
        fs::create_dir(&staging).map_err(write_error(&staging))?;
        let result = Synthesizer::run(self.tree(), Some(&staging)).and_then(|assembly| {
            let staged = assembly.write_manifest(&staging)?;
            let mut written = Vec::with_capacity(assembly.stacks.len() + 1);
            for name in assembly
                .stacks
                .iter()
                .map(|s| s.template_file.as_str())
                .chain(staged.file_name().and_then(|n| n.to_str()))
            {
                let to = dir.join(name);
                fs::rename(staging.join(name), &to).map_err(write_error(&to))?;
                written.push(to);
            }
            Ok(written)
        });
        // Whatever happened, the staging directory goes (a failed synth leaves `dir` as it was).
        let removed = fs::remove_dir_all(&staging).map_err(write_error(&staging));
        if result.is_err() && created {
            // Nothing was written: the directory this call created goes too (only if empty).
            let _ = fs::remove_dir(dir);
        }
        let written = result?;
        removed?;
        Ok(written)
    }
}

/// Index of "no stack" in [`Ctx::stack_of`].
const NO_STACK: u32 = u32::MAX;

/// What rendering a stack reads, shared by the threads that render stacks side by side.
struct Ctx<'a> {
    tree: &'a Tree,
    ids: &'a LogicalIds,
    stacks: Vec<NodeId>,
    /// For every node, the index of the stack it belongs to (nearest stack ancestor).
    stack_of: Vec<u32>,
    names: Vec<String>,
    /// Indexes into the tree's explicit dependencies, by the node that depends.
    explicit_from: FastHashMap<NodeId, Vec<usize>>,
    /// Where templates are written as they are rendered (`App::synth_to`); `None` keeps them
    /// in the assembly.
    files: Option<&'a FsPath>,
}

impl Ctx<'_> {
    /// The index of the stack `node` belongs to.
    fn stack_index(&self, node: NodeId) -> Option<usize> {
        match self.stack_of.get(node.index()) {
            Some(&NO_STACK) | None => None,
            Some(&i) => Some(i as usize),
        }
    }
}

/// What rendering a stack gives its template.
#[derive(Default)]
struct StackParts<'a> {
    /// The template up to the end of its `Resources` (header, parameters, resources in id
    /// order), rendered once the stack is resolved; `Outputs` follow when every stack is.
    /// Empty when written to a file.
    head: String,
    /// The head's length.
    head_len: usize,
    /// Resources in the template (ids rendered twice, a reported collision, count once).
    resource_count: usize,
    /// Output bodies declared by the user, rendered at their depth in the template.
    user_outputs: BTreeMap<&'a str, String>,
    parameters: BTreeMap<String, OutputRef>,
    /// The manifest's resource entries.
    resources: BTreeMap<String, ResourceInfo>,
}

/// Per-stack state of the sequential part: what rendering gave, and the outputs other
/// stacks read.
#[derive(Default)]
struct StackState<'a> {
    parts: StackParts<'a>,
    /// Outputs other stacks read: id -> (value, export name when imported).
    shared_outputs: BTreeMap<String, (Resolved<'a>, Option<String>)>,
}

struct Synthesizer<'a> {
    ctx: Ctx<'a>,
    ledger: Ledger<'a>,
}

impl<'a> Synthesizer<'a> {
    /// Synthesise `tree`; with `files`, every template is written there as it is rendered
    /// and the assembly's templates are left empty.
    fn run(tree: &Tree, files: Option<&FsPath>) -> Result<Assembly, CoreError> {
        let stacks = tree.stacks();
        // The registered validations run beside the naming of every stack and resource.
        // (The naming goes first: `join` runs it at once on the thread it starts on, and it
        // is the longer of the two.)
        let ((names, named, (ids, stack_of)), mut issues) = rayon::join(
            || {
                let names: Vec<String> = stacks.iter().map(|&s| stack_name(tree, s)).collect();
                let mut issues = Vec::new();
                check_stage_regions(tree, &mut issues);
                check_stack_names(tree, &stacks, &names, &mut issues);
                let ids = LogicalIds::assign(tree, &stacks, &mut issues);
                (names, issues, ids)
            },
            || {
                let mut issues = tree.collect_issues();
                crate::schema::drop_repeated(&mut issues);
                issues
            },
        );
        issues.extend(named);
        // (Logical id collisions are reported under their own code.)
        let unique_paths = !issues
            .iter()
            .any(|i| i.code == "Tree.DuplicateId" || i.code == "Tree.InvalidId");
        let stack_count = stacks.len();
        let mut synth = Synthesizer {
            ctx: Ctx {
                tree,
                ids: &ids,
                stack_of,
                explicit_from: tree.explicit_dependencies().iter().enumerate().fold(
                    FastHashMap::default(),
                    |mut index: FastHashMap<NodeId, Vec<usize>>, (d, dep)| {
                        index.entry(dep.from).or_default().push(d);
                        index
                    },
                ),
                names,
                stacks,
                files,
            },
            ledger: Ledger {
                graph: DependencyGraph::new(stack_count),
                state: (0..stack_count).map(|_| StackState::default()).collect(),
                environments: (0..stack_count).map(|_| None).collect(),
                explicit: BTreeSet::new(),
                issues,
                env_issues: Vec::new(),
                render_issues: Vec::new(),
                write_error: None,
                unique_paths,
            },
        };
        synth.render_and_apply();
        synth.add_construct_dependencies();
        let order = match synth.ledger.graph.topological_order() {
            Ok(order) => order,
            Err(cycles) => {
                for cycle in cycles {
                    synth.report_stack_cycle(&cycle);
                }
                (0..stack_count).collect()
            }
        };
        // What only resolving needed goes before the templates are put together (the peak of a
        // large synth is at its end).
        synth.ctx.explicit_from = FastHashMap::default();
        synth.ctx.stack_of = Vec::new();
        let states = std::mem::take(&mut synth.ledger.state);
        let environments = std::mem::take(&mut synth.ledger.environments);
        let dependencies = synth.ledger.graph.take_reasons_by_node();
        // Each stack's artifact is put together side by side (its template gets its outputs);
        // what they report joins the issues in stack order.
        let finished: Vec<finish::FinishedStack> = {
            use rayon::prelude::*;
            let (ctx, explicit) = (&synth.ctx, &synth.ledger.explicit);
            states
                .into_par_iter()
                .zip(environments)
                .zip(dependencies)
                .enumerate()
                .map_init(
                    String::new,
                    |scratch, (i, ((state, environment), dependencies))| {
                        let (environment, stack_set) = environment.unwrap_or_else(|| {
                            let environment = EnvironmentSpec {
                                account: AccountSpec::Literal(String::new()),
                                region: String::new(),
                            };
                            (environment, None)
                        });
                        let parts = finish::StackInputs {
                            state,
                            environment,
                            stack_set,
                            dependencies,
                        };
                        finish::finish_stack(ctx, explicit, i, parts, scratch)
                    },
                )
                .collect()
        };
        let mut artifacts: Vec<Option<StackArtifact>> = finished
            .into_iter()
            .map(|finished| {
                synth.ledger.issues.extend(finished.issues);
                if synth.ledger.write_error.is_none() {
                    synth.ledger.write_error = finished.write_error;
                }
                Some(finished.artifact)
            })
            .collect();
        check_stack_set_readers(&artifacts, &mut synth.ledger.issues);
        if !synth.ledger.issues.is_empty() {
            return Err(CoreError::Validation(Issues(explained(
                synth.ledger.issues,
            ))));
        }
        if let Some(error) = synth.ledger.write_error {
            return Err(error);
        }
        let stacks = order
            .into_iter()
            .filter_map(|i| artifacts[i].take())
            .collect();
        Ok(Assembly { stacks })
    }

    fn report(&mut self, node: NodeId, issue: Issue) {
        let path = self.ctx.tree.path(node);
        self.ledger.issues.push(issue.at(path));
    }
}

/// A StackSet has no outputs another stack could read (each instance has its own): a stack
/// reading one, or deploying into an account or OU it makes, is reported at the reader.
fn check_stack_set_readers(artifacts: &[Option<StackArtifact>], issues: &mut Vec<Issue>) {
    let sets: BTreeSet<&str> = artifacts
        .iter()
        .flatten()
        .filter(|a| a.stack_set.is_some())
        .map(|a| a.name.as_str())
        .collect();
    if sets.is_empty() {
        return;
    }
    for reader in artifacts.iter().flatten() {
        let account = match &reader.environment.account {
            AccountSpec::FromOutput(o) => Some(o),
            AccountSpec::Literal(_) => None,
        };
        let units = reader.stack_set.iter().flat_map(|s| {
            s.organizational_units.iter().filter_map(|u| match &u.id {
                DeployValue::FromOutput(o) => Some(o),
                DeployValue::Literal(_) => None,
            })
        });
        let read = reader
            .parameters
            .values()
            .chain(account)
            .chain(units)
            .find(|o| sets.contains(o.stack.as_str()));
        if let Some(output) = read {
            issues.push(
                Issue::new(
                    "StackSet.OutputRead",
                    "reference",
                    format!("{}.{}", output.stack, output.output),
                    format!(
                        "stack {} is rolled out as a StackSet, which has no outputs to read (each account's instance has its own): read the value another way, or deploy it as a stack",
                        output.stack
                    ),
                )
                .at(reader.path.clone()),
            );
        }
    }
}

fn report(tree: &Tree, issues: &mut Vec<Issue>, node: NodeId, issue: Issue) {
    issues.push(issue.at(tree.path(node)));
}

/// The issues without those of the raw-resource identifier rules ([`crate::identifiers`])
/// whose value a construct above the resource already reported: the construct's issue names
/// the field the user set; the resource's would say it again.
fn explained(issues: Vec<Issue>) -> Vec<Issue> {
    const RAW: &[&str] = &["Vpc.", "Subnet.", "Organizations."];
    let reported: std::collections::HashSet<(String, String)> = issues
        .iter()
        .map(|i| (i.path.to_string(), i.value.clone()))
        .collect();
    issues
        .into_iter()
        .filter(|issue| {
            if !RAW.iter().any(|p| issue.code.starts_with(p)) {
                return true;
            }
            let path = issue.path.to_string();
            let mut above = path.as_str();
            while let Some((parent, _)) = above.rsplit_once('/') {
                if reported.contains(&(parent.to_owned(), issue.value.clone())) {
                    return false;
                }
                above = parent;
            }
            true
        })
        .collect()
}

fn check_stage_regions(tree: &Tree, issues: &mut Vec<Issue>) {
    for stage in tree.stages() {
        let Some(env) = tree.environment_of(stage) else {
            continue;
        };
        if crate::regions::partition_of(&env.region).is_some() {
            continue;
        }
        let issue = if is_region(&env.region) {
            Issue::new(
                "Stage.UnknownRegion",
                "region",
                &env.region,
                format!(
                    "no AWS partition has this region (the regions of every partition, from {}); check the spelling",
                    crate::regions::source()
                ),
            )
        } else {
            Issue::new(
                "Stage.Region",
                "region",
                &env.region,
                "a region is written like us-east-1 or us-gov-west-1",
            )
        };
        report(tree, issues, stage, issue);
    }
}

fn check_stack_names(tree: &Tree, stacks: &[NodeId], names: &[String], issues: &mut Vec<Issue>) {
    let mut seen: HashMap<&str, NodeId> = HashMap::with_capacity(stacks.len());
    for (&stack, name) in stacks.iter().zip(names) {
        let valid = name.len() <= limits::MAX_STACK_NAME_LEN
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            report(tree, issues, stack, Issue::new(
                "Stack.Name",
                "name",
                name,
                "a stack name (<stage id>-<stack id>) starts with a letter, has only letters, digits and '-', and is at most 128 characters",
            ));
        } else if let Some(&other) = seen.get(name.as_str()) {
            let other = tree.path(other);
            let issue = Issue::new(
                "Stack.DuplicateName",
                "name",
                name,
                format!("stack names are unique in an app; {other} has the same name"),
            );
            report(tree, issues, stack, issue);
        }
        seen.insert(name, stack);
    }
}

fn stack_name(tree: &Tree, stack: NodeId) -> String {
    match tree.stage_of(stack) {
        Some(stage) => {
            let (stage, stack) = (tree.node(stage).id(), tree.node(stack).id());
            let mut name = String::with_capacity(stage.len() + 1 + stack.len());
            name.push_str(stage);
            name.push('-');
            name.push_str(stack);
            name
        }
        None => tree.node(stack).id().to_owned(),
    }
}

fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let letters = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase());
    match parts.as_slice() {
        [geo, area, n] => {
            letters(geo) && geo.len() == 2 && letters(area) && n.parse::<u8>().is_ok()
        }
        [geo, gov, area, n] => {
            letters(geo)
                && geo.len() == 2
                && letters(gov)
                && letters(area)
                && n.parse::<u8>().is_ok()
        }
        _ => false,
    }
}
