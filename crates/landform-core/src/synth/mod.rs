//! Synthesis: the tree becomes an [`Assembly`], one CloudFormation template per stack plus a
//! manifest of environments, dependencies and cross-stack parameter wiring.
//!
//! Templates are rendered as text straight from the tree ([`pretty`]), references resolved on
//! the way ([`resolve`]); no JSON value is built. One pass per stack renders its resources
//! ([`stack`]); the template is put together once every stack has been resolved, since a
//! later stack may add outputs to an earlier one.

mod assembly;
mod ids;
mod pretty;
mod resolve;
mod stack;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path as FsPath, PathBuf};

pub use assembly::{
    AccountSpec, Assembly, EnvironmentSpec, OutputRef, ResourceInfo, StackArtifact,
    StackDependency, Template,
};

use crate::error::CoreError;
use crate::fast_hash::{FastHashMap, FastHashSet};
use crate::graph::DependencyGraph;
use crate::issue::{Issue, Issues};
use crate::limits;
use crate::tree::{App, NodeId, NodeKind, Tree};
use crate::value::{Attribute, Value};
use ids::LogicalIds;
use resolve::{Export, Resolved, Shared, Why};

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
    /// app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table"));
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
    /// app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table"));
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
        match self.stack_of.get(node.0 as usize) {
            Some(&NO_STACK) | None => None,
            Some(&i) => Some(i as usize),
        }
    }
}

/// What rendering one stack changes outside it, in the order it happened: applied stack by
/// stack once every stack is rendered, so the manifest and the issues come out as if the
/// stacks had been rendered one after the other.
enum Effect<'a> {
    /// A problem found (its path set).
    Issue(Issue),
    /// The producer stack exports this value as this output (unless it does already).
    Output {
        producer: usize,
        output: String,
        value: Resolved<'a>,
    },
    /// The output is imported by name in the same account and region.
    Export {
        producer: usize,
        output: String,
        export: String,
    },
    /// The stack reads the producer's output, for this reason.
    Reads { producer: usize, reason: String },
    /// A resource of the stack depends by hand on a resource of the producer.
    DependsOn { producer: usize, reason: String },
}

/// One stack, rendered.
struct Rendered<'a> {
    /// Where the stack deploys, and what resolving its account changed elsewhere.
    environment: EnvironmentSpec,
    env_effects: Vec<Effect<'a>>,
    /// The template up to the end of its `Resources` (empty when written to a file).
    head: String,
    head_len: usize,
    resource_count: usize,
    user_outputs: BTreeMap<&'a str, String>,
    parameters: BTreeMap<String, OutputRef>,
    effects: Vec<Effect<'a>>,
    /// The head's file could not be written.
    write_error: Option<CoreError>,
}

/// What a thread keeps from one stack it renders to the next.
#[derive(Default)]
struct Worker<'a> {
    /// Output and parameter names already computed on this thread.
    exports: FastHashMap<(NodeId, &'a Attribute), Export>,
    /// Long strings already rendered as JSON (a script every account's stack repeats is
    /// escaped once).
    long_strings: FastHashMap<&'a str, String>,
    /// Buffers reused from stack to stack (resource bodies, template heads).
    scratch: [String; 2],
    lists: stack::StackLists<'a>,
}

/// Renders one stack: its resources and outputs, resolving references, on whichever thread
/// it runs; everything it changes elsewhere is an [`Effect`].
struct Render<'c, 'a> {
    ctx: &'c Ctx<'a>,
    out: Rendered<'a>,
    worker: &'c mut Worker<'a>,
    /// (reader, target, attribute) already given as a dependency reason; the reader is in
    /// this stack, so the set is the stack's own.
    reads: FastHashSet<(NodeId, NodeId, &'a Attribute)>,
}

impl<'c, 'a> Render<'c, 'a> {
    fn new(ctx: &'c Ctx<'a>, worker: &'c mut Worker<'a>) -> Self {
        Render {
            ctx,
            out: Rendered {
                environment: EnvironmentSpec {
                    account: AccountSpec::Literal(String::new()),
                    region: String::new(),
                },
                env_effects: Vec::new(),
                head: String::new(),
                head_len: 0,
                resource_count: 0,
                user_outputs: BTreeMap::new(),
                parameters: BTreeMap::new(),
                effects: Vec::new(),
                write_error: None,
            },
            worker,
            reads: FastHashSet::default(),
        }
    }

    fn report(&mut self, node: NodeId, issue: Issue) {
        let path = self.ctx.tree.path(node);
        self.out.effects.push(Effect::Issue(issue.at(path)));
    }
}

/// Per-stack state of the sequential part: what rendering gave, and the outputs other
/// stacks read.
#[derive(Default)]
struct StackState<'a> {
    /// The template up to the end of its `Resources` (header, parameters, resources in id
    /// order), rendered once the stack is resolved; `Outputs` follow when every stack is.
    head: String,
    /// The head's length (when it went to a file instead of `head`).
    head_len: usize,
    /// Resources in the template (ids rendered twice, a reported collision, count once).
    resource_count: usize,
    /// Output bodies declared by the user, rendered at their depth in the template.
    user_outputs: BTreeMap<&'a str, String>,
    /// Outputs other stacks read: id -> (value, export name when imported).
    shared_outputs: BTreeMap<String, (Resolved<'a>, Option<String>)>,
    parameters: BTreeMap<String, OutputRef>,
}

struct Synthesizer<'a> {
    ctx: Ctx<'a>,
    ledger: Ledger<'a>,
}

/// What the sequential part keeps: every stack's state and the app-wide results, changed
/// only by applying each stack's rendering in stack order.
struct Ledger<'a> {
    state: Vec<StackState<'a>>,
    environments: Vec<Option<EnvironmentSpec>>,
    graph: DependencyGraph,
    /// (consumer, producer) pairs with at least one hand-declared dependency.
    explicit: BTreeSet<(usize, usize)>,
    issues: Vec<Issue>,
    /// Issues found resolving stacks' accounts, then rendering them: each list in stack
    /// order, joined to `issues` in that order once every stack is in.
    env_issues: Vec<Issue>,
    render_issues: Vec<Issue>,
    /// The first template write that failed (synthesis goes on to report every issue).
    write_error: Option<CoreError>,
    /// True when no two nodes share a path (no duplicate or invalid id was reported), so
    /// dependency reasons, which name paths, are distinct texts.
    unique_paths: bool,
}

impl<'a> Synthesizer<'a> {
    /// Synthesise `tree`; with `files`, every template is written there as it is rendered
    /// and the assembly's templates are left empty.
    fn run(tree: &Tree, files: Option<&FsPath>) -> Result<Assembly, CoreError> {
        let stacks = tree.stacks();
        let names: Vec<String> = stacks.iter().map(|&s| stack_name(tree, s)).collect();
        // The registered validations run beside the naming of every resource.
        let (mut issues, (named, ids)) = rayon::join(
            || tree.collect_issues(),
            || {
                let mut issues = Vec::new();
                check_stage_regions(tree, &mut issues);
                check_stack_names(tree, &stacks, &names, &mut issues);
                let ids = LogicalIds::assign(tree, &stacks, &mut issues);
                (issues, ids)
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
                stack_of: stack_of_every_node(tree),
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
        let infos = synth.render_and_apply(&ids);
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
        // Each template gets its outputs side by side; the artifacts follow in stack order.
        let finished: Vec<(StackState<'_>, stack::Finished)> = {
            use rayon::prelude::*;
            let ctx = &synth.ctx;
            states
                .into_par_iter()
                .enumerate()
                .map_init(String::new, |scratch, (i, mut state)| {
                    let template = stack::finish_template(ctx, i, &mut state, scratch);
                    (state, template)
                })
                .collect()
        };
        let mut artifacts: Vec<Option<StackArtifact>> = finished
            .into_iter()
            .zip(environments)
            .zip(infos)
            .enumerate()
            .map(|(i, (((state, template), environment), infos))| {
                let environment = environment.unwrap_or_else(|| EnvironmentSpec {
                    account: AccountSpec::Literal(String::new()),
                    region: String::new(),
                });
                Some(synth.finish_stack(i, state, template, environment, infos))
            })
            .collect();
        if !synth.ledger.issues.is_empty() {
            return Err(CoreError::Validation(Issues(synth.ledger.issues)));
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

    /// Render every stack, side by side (resolving its account first), while this thread
    /// applies each rendered stack in stack order as it comes in; the manifest's resource
    /// entries, which need only the tree and the ids, are built meanwhile. Returns them.
    fn render_and_apply(&mut self, ids: &LogicalIds) -> Vec<BTreeMap<String, ResourceInfo>> {
        use rayon::prelude::*;
        let ctx = &self.ctx;
        let ledger = &mut self.ledger;
        let count = ctx.stacks.len();
        let render = |worker: &mut Worker<'a>, i: usize| {
            let mut render = Render::new(ctx, worker);
            render.out.environment = render.resolve_environment(i);
            render.out.env_effects = std::mem::take(&mut render.out.effects);
            render.build_stack(i);
            render.out
        };
        let infos = if rayon::current_thread_index().is_some() {
            // Called from a thread of the pool itself (a caller synthesising apps side by
            // side): waiting here for the pool's results could leave it without a thread to
            // produce them, so every stack is rendered first and applied after.
            let (rendered, infos) = rayon::join(
                || {
                    (0..count)
                        .into_par_iter()
                        .map_init(Worker::default, render)
                        .collect::<Vec<_>>()
                },
                || resource_infos(ctx.tree, ids, count),
            );
            for (i, stack) in rendered.into_iter().enumerate() {
                ledger.apply(i, stack);
            }
            infos
        } else {
            let mut infos = Vec::new();
            let (sender, receiver) = std::sync::mpsc::channel::<(usize, Rendered<'a>)>();
            std::thread::scope(|scope| {
                let infos = &mut infos;
                scope.spawn(move || {
                    rayon::scope(|pool| {
                        pool.spawn(|_| *infos = resource_infos(ctx.tree, ids, count));
                        (0..count).into_par_iter().for_each_init(
                            || (Worker::default(), sender.clone()),
                            |(worker, sender), i| {
                                // The receiver lives until every stack is sent.
                                let _ = sender.send((i, render(worker, i)));
                            },
                        );
                        drop(sender);
                    });
                });
                let mut waiting: Vec<Option<Rendered<'a>>> = (0..count).map(|_| None).collect();
                let mut next = 0;
                for (i, rendered) in receiver {
                    waiting[i] = Some(rendered);
                    while let Some(rendered) = waiting.get_mut(next).and_then(Option::take) {
                        ledger.apply(next, rendered);
                        next += 1;
                    }
                }
            });
            infos
        };
        ledger.issues.append(&mut ledger.env_issues);
        ledger.issues.append(&mut ledger.render_issues);
        infos
    }

    fn report(&mut self, node: NodeId, issue: Issue) {
        let path = self.ctx.tree.path(node);
        self.ledger.issues.push(issue.at(path));
    }
}

impl<'a> Ledger<'a> {
    /// Take in what rendering stack `i` gave, and what it changed elsewhere, in order.
    fn apply(&mut self, i: usize, rendered: Rendered<'a>) {
        let Rendered {
            environment,
            env_effects,
            head,
            head_len,
            resource_count,
            user_outputs,
            parameters,
            effects,
            write_error,
        } = rendered;
        self.environments[i] = Some(environment);
        let state = &mut self.state[i];
        state.head = head;
        state.head_len = head_len;
        state.resource_count = resource_count;
        state.user_outputs = user_outputs;
        state.parameters = parameters;
        if self.write_error.is_none() {
            self.write_error = write_error;
        }
        self.apply_effects(i, env_effects, true);
        self.apply_effects(i, effects, false);
    }

    /// `environment`: the effects of resolving the stack's account (their issues come before
    /// every stack's rendering issues).
    fn apply_effects(&mut self, i: usize, effects: Vec<Effect<'a>>, environment: bool) {
        for effect in effects {
            match effect {
                Effect::Issue(issue) if environment => self.env_issues.push(issue),
                Effect::Issue(issue) => self.render_issues.push(issue),
                Effect::Output {
                    producer,
                    output,
                    value,
                } => {
                    self.state[producer]
                        .shared_outputs
                        .entry(output)
                        .or_insert((value, None));
                }
                Effect::Export {
                    producer,
                    output,
                    export,
                } => {
                    if let Some(entry) = self.state[producer].shared_outputs.get_mut(&output) {
                        entry.1 = Some(export);
                    }
                }
                Effect::Reads { producer, reason } => {
                    if self.unique_paths {
                        // Each (reader, target, attribute) gives its reason once, and
                        // distinct paths make distinct texts: the reason is new for the edge.
                        self.graph.add_edge_new_reason(i, producer, reason);
                    } else {
                        self.graph.add_edge(i, producer, reason);
                    }
                }
                Effect::DependsOn { producer, reason } => {
                    self.explicit.insert((i, producer));
                    self.graph.add_edge(i, producer, reason);
                }
            }
        }
    }
}

impl<'a> Render<'_, 'a> {
    /// Where stack `i` deploys; resolving an account created by the app shares it from its
    /// stack (effects, as any reference).
    fn resolve_environment(&mut self, i: usize) -> EnvironmentSpec {
        let tree = self.ctx.tree;
        let stack = self.ctx.stacks[i];
        let stage = tree.stage_of(stack).unwrap_or(stack);
        let Some(env) = tree.environment_of(stack) else {
            return EnvironmentSpec {
                account: AccountSpec::Literal(String::new()),
                region: String::new(),
            };
        };
        let region = env.region.clone();
        let account = match env.account.value() {
            Value::String(id) => {
                if id.len() != 12 || !id.chars().all(|c| c.is_ascii_digit()) {
                    self.report(
                        stage,
                        Issue::new(
                            "Stage.AccountId",
                            "account",
                            id,
                            "an AWS account id is exactly 12 digits",
                        ),
                    );
                }
                AccountSpec::Literal(id.to_string())
            }
            Value::Ref(reference) => {
                match self.share_output(i, reference, stage, Why::DeploysInto(stack)) {
                    Some(Shared::Output { producer, output }) => {
                        AccountSpec::FromOutput(OutputRef {
                            stack: self.ctx.names[producer].clone(),
                            output,
                        })
                    }
                    Some(Shared::Local(_)) => {
                        self.report(stage, Issue::new(
                            "Stage.AccountFromOwnStack",
                            "account",
                            tree.path(reference.target),
                            "a stack cannot deploy into an account it creates itself: create the account in another stack",
                        ));
                        AccountSpec::Literal(String::new())
                    }
                    None => AccountSpec::Literal(String::new()),
                }
            }
            other => {
                let shown = format!("{other:?}");
                self.report(stage, Issue::new(
                    "Stage.AccountNotResolvable",
                    "account",
                    shown,
                    "a stage's account is a 12-digit id or a reference to an AWS::Organizations::Account",
                ));
                AccountSpec::Literal(String::new())
            }
        };
        EnvironmentSpec { account, region }
    }
}

/// The manifest's resource entries of every stack: logical id to construct path and type.
/// Of ids rendered twice (a collision, reported elsewhere) the later wins, as in the template.
fn resource_infos(
    tree: &Tree,
    ids: &LogicalIds,
    stacks: usize,
) -> Vec<BTreeMap<String, ResourceInfo>> {
    (0..stacks)
        .map(|i| {
            ids.named(i)
                .iter()
                .filter_map(|&node| {
                    let resource = tree.node(node).resource()?;
                    let info = ResourceInfo {
                        path: tree.path(node),
                        type_name: resource.type_name().to_owned(),
                    };
                    Some((ids.get(node).unwrap_or_default().to_owned(), info))
                })
                .collect()
        })
        .collect()
}

/// The nearest stack ancestor (or self) of every node, by index. A parent is always created
/// before its children, so one pass in creation order suffices.
fn stack_of_every_node(tree: &Tree) -> Vec<u32> {
    let mut stack_of: Vec<u32> = Vec::with_capacity(tree.len());
    let mut stacks = 0u32;
    for id in tree.ids() {
        let node = tree.node(id);
        let own = if matches!(node.kind(), NodeKind::Stack(_)) {
            stacks += 1;
            stacks - 1
        } else {
            node.parent()
                .and_then(|p| stack_of.get(p.0 as usize).copied())
                .unwrap_or(NO_STACK)
        };
        stack_of.push(own);
    }
    stack_of
}

fn report(tree: &Tree, issues: &mut Vec<Issue>, node: NodeId, issue: Issue) {
    issues.push(issue.at(tree.path(node)));
}

fn check_stage_regions(tree: &Tree, issues: &mut Vec<Issue>) {
    for stage in tree.stages() {
        let Some(env) = tree.environment_of(stage) else {
            continue;
        };
        if !is_region(&env.region) {
            let issue = Issue::new(
                "Stage.Region",
                "region",
                &env.region,
                "a region is written like us-east-1 or us-gov-west-1",
            );
            report(tree, issues, stage, issue);
        }
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
        Some(stage) => format!("{}-{}", tree.node(stage).id(), tree.node(stack).id()),
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
