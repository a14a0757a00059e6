//! Rendering stacks side by side: each stack is rendered on its own (its account resolved,
//! its resources and outputs written) and what it changes elsewhere is recorded as
//! [`Effect`]s, which the calling thread applies to the [`Ledger`] in stack order as stacks
//! come in, so every result is what rendering them one after the other would give.

use std::collections::BTreeSet;

use super::assembly::{
    AccountSpec, DeployValue, EnvironmentSpec, OrganizationalUnitTarget, OutputRef, StackSetSpec,
};
use super::resolve::{Export, Resolved, Shared, Why};
use super::stack::StackLists;
use super::{Ctx, StackParts, StackState, Synthesizer};
use crate::error::CoreError;
use crate::fast_hash::{FastHashMap, FastHashSet};
use crate::graph::DependencyGraph;
use crate::issue::Issue;
use crate::tree::{NodeId, NodeKind, StackProps};
use crate::value::{Attribute, Value};

/// Stacks a thread renders before handing them over to be applied.
const BATCH: usize = 8;

/// What rendering one stack changes outside it, in the order it happened: applied stack by
/// stack once every stack is rendered, so the manifest and the issues come out as if the
/// stacks had been rendered one after the other.
pub(super) enum Effect<'a> {
    /// A problem found (its path set).
    Issue(Issue),
    /// The producer stack exports this value as this output (unless it does already). A
    /// thread records it the first time it shares the value, whichever stack it renders then:
    /// outputs only accumulate, so the stack that records it does not matter.
    Output {
        producer: usize,
        output: String,
        value: Resolved<'a>,
    },
    /// The output (added if not there yet) is imported by name in the same account and region.
    Export {
        producer: usize,
        output: String,
        value: Resolved<'a>,
        export: String,
    },
    /// The stack reads the producer's output, for this reason.
    Reads { producer: usize, reason: String },
    /// A resource of the stack depends by hand on a resource of the producer.
    DependsOn { producer: usize, reason: String },
}

/// One stack, rendered.
pub(super) struct Rendered<'a> {
    /// Where the stack deploys, and what resolving its account changed elsewhere.
    pub(super) environment: EnvironmentSpec,
    /// Where its StackSet lands, when it is one.
    pub(super) stack_set: Option<StackSetSpec>,
    pub(super) env_effects: Vec<Effect<'a>>,
    pub(super) parts: StackParts<'a>,
    pub(super) effects: Vec<Effect<'a>>,
    /// The head's file could not be written.
    pub(super) write_error: Option<CoreError>,
}

/// What a thread keeps from one stack it renders to the next.
#[derive(Default)]
pub(super) struct Worker<'a> {
    /// Output and parameter names already computed on this thread.
    pub(super) exports: FastHashMap<(NodeId, &'a Attribute), Export>,
    /// Long strings already rendered as JSON (a script every account's stack repeats is
    /// escaped once).
    pub(super) long_strings: FastHashMap<&'a str, String>,
    /// Resource metadata already rendered, by the address of the tree's copy and the depth.
    pub(super) metadata: FastHashMap<(usize, usize), String>,
    /// Buffers reused from stack to stack (resource bodies, template heads).
    pub(super) scratch: [String; 2],
    pub(super) lists: StackLists<'a>,
}

/// Renders one stack: its resources and outputs, resolving references, on whichever thread
/// it runs; everything it changes elsewhere is an [`Effect`].
pub(super) struct Render<'c, 'a> {
    pub(super) ctx: &'c Ctx<'a>,
    pub(super) out: Rendered<'a>,
    pub(super) worker: &'c mut Worker<'a>,
    /// (reader, target, attribute) already given as a dependency reason; the reader is in
    /// this stack, so the set is the stack's own.
    pub(super) reads: FastHashSet<(NodeId, NodeId, &'a Attribute)>,
}

impl<'c, 'a> Render<'c, 'a> {
    pub(super) fn new(ctx: &'c Ctx<'a>, worker: &'c mut Worker<'a>) -> Self {
        Render {
            ctx,
            out: Rendered {
                environment: EnvironmentSpec {
                    account: AccountSpec::Literal(String::new()),
                    region: String::new(),
                },
                stack_set: None,
                env_effects: Vec::new(),
                parts: StackParts::default(),
                effects: Vec::new(),
                write_error: None,
            },
            worker,
            reads: FastHashSet::default(),
        }
    }

    pub(super) fn report(&mut self, node: NodeId, issue: Issue) {
        let path = self.ctx.tree.path(node);
        self.out.effects.push(Effect::Issue(issue.at(path)));
    }
}

/// What the sequential part keeps: every stack's state and the app-wide results, changed
/// only by applying each stack's rendering in stack order.
pub(super) struct Ledger<'a> {
    pub(super) state: Vec<StackState<'a>>,
    pub(super) environments: Vec<Option<(EnvironmentSpec, Option<StackSetSpec>)>>,
    pub(super) graph: DependencyGraph,
    /// (consumer, producer) pairs with at least one hand-declared dependency.
    pub(super) explicit: BTreeSet<(usize, usize)>,
    pub(super) issues: Vec<Issue>,
    /// Issues found resolving stacks' accounts, then rendering them: each list in stack
    /// order, joined to `issues` in that order once every stack is in.
    pub(super) env_issues: Vec<Issue>,
    pub(super) render_issues: Vec<Issue>,
    /// The first template write that failed (synthesis goes on to report every issue).
    pub(super) write_error: Option<CoreError>,
    /// True when no two nodes share a path (no duplicate or invalid id was reported), so
    /// dependency reasons, which name paths, are distinct texts.
    pub(super) unique_paths: bool,
}

impl<'a> Synthesizer<'a> {
    /// Render every stack, side by side (resolving its account first), while this thread
    /// applies each rendered stack in stack order as it comes in.
    pub(super) fn render_and_apply(&mut self) {
        use rayon::prelude::*;
        let ctx = &self.ctx;
        let ledger = &mut self.ledger;
        let count = ctx.stacks.len();
        let render = |worker: &mut Worker<'a>, i: usize| {
            let mut render = Render::new(ctx, worker);
            render.out.environment = render.resolve_environment(i);
            render.out.stack_set = render.resolve_stack_set(i);
            render.out.env_effects = std::mem::take(&mut render.out.effects);
            render.build_stack(i);
            render.out
        };
        if rayon::current_thread_index().is_some() {
            // Called from a thread of the pool itself (a caller synthesising apps side by
            // side): waiting here for the pool's results could leave it without a thread to
            // produce them, so every stack is rendered first and applied after.
            let rendered: Vec<_> = (0..count)
                .into_par_iter()
                .map_init(Worker::default, render)
                .collect();
            for (i, stack) in rendered.into_iter().enumerate() {
                ledger.apply(i, stack);
            }
        } else {
            // Stacks go over in batches: one wake-up of this thread per batch, not per stack.
            let (sender, receiver) = std::sync::mpsc::channel::<(usize, Vec<Rendered<'a>>)>();
            let batches = count.div_ceil(BATCH);
            std::thread::scope(|scope| {
                scope.spawn(move || {
                    (0..batches).into_par_iter().for_each_init(
                        || (Worker::default(), sender.clone()),
                        |(worker, sender), b| {
                            let first = b * BATCH;
                            let batch = (first..count.min(first + BATCH))
                                .map(|i| render(worker, i))
                                .collect();
                            // The receiver lives until every batch is sent.
                            let _ = sender.send((b, batch));
                        },
                    );
                });
                let mut waiting: Vec<Option<Vec<Rendered<'a>>>> =
                    (0..batches).map(|_| None).collect();
                let mut next = 0;
                for (b, batch) in receiver {
                    waiting[b] = Some(batch);
                    while let Some(batch) = waiting.get_mut(next).and_then(Option::take) {
                        for (k, rendered) in batch.into_iter().enumerate() {
                            ledger.apply(next * BATCH + k, rendered);
                        }
                        next += 1;
                    }
                }
            });
        }
        ledger.issues.append(&mut ledger.env_issues);
        ledger.issues.append(&mut ledger.render_issues);
    }
}

impl<'a> Ledger<'a> {
    /// Take in what rendering stack `i` gave, and what it changed elsewhere, in order.
    pub(super) fn apply(&mut self, i: usize, rendered: Rendered<'a>) {
        let Rendered {
            environment,
            stack_set,
            env_effects,
            parts,
            effects,
            write_error,
        } = rendered;
        self.environments[i] = Some((environment, stack_set));
        self.state[i].parts = parts;
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
                    value,
                    export,
                } => {
                    let shared = &mut self.state[producer].shared_outputs;
                    shared.entry(output).or_insert((value, None)).1 = Some(export);
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

    /// Where stack `i`'s StackSet lands, when the stack is one: its targets and preferences
    /// checked, OUs the app creates shared from their stack (effects, as any reference).
    fn resolve_stack_set(&mut self, i: usize) -> Option<StackSetSpec> {
        let tree = self.ctx.tree;
        let stack = self.ctx.stacks[i];
        let NodeKind::Stack(StackProps {
            stack_set: Some(set),
            ..
        }) = tree.node(stack).kind()
        else {
            return None;
        };
        if set.organizational_units.is_empty() {
            self.report(
                stack,
                Issue::new(
                    "StackSet.NoTargets",
                    "stack_set.organizational_units",
                    "[]",
                    "a service-managed StackSet lands in at least one OU (or the root)",
                ),
            );
        }
        if set.regions.is_empty() {
            self.report(
                stack,
                Issue::new(
                    "StackSet.NoRegions",
                    "stack_set.regions",
                    "[]",
                    "a StackSet instance is in at least one region",
                ),
            );
        }
        for region in &set.regions {
            if !super::is_region(region) {
                self.report(
                    stack,
                    Issue::new(
                        "StackSet.Region",
                        "stack_set.regions",
                        region,
                        "a region is a name such as us-east-1",
                    ),
                );
            }
        }
        for region in &set.preferences.region_order {
            if !set.regions.contains(region) {
                self.report(
                    stack,
                    Issue::new(
                        "StackSet.RegionOrder",
                        "stack_set.preferences.region_order",
                        region,
                        "RegionOrder names only regions the StackSet deploys to",
                    ),
                );
            }
        }
        for issue in set.preferences.issues() {
            let field = format!("stack_set.{}", issue.field);
            self.report(stack, Issue { field, ..issue });
        }
        let mut organizational_units = Vec::with_capacity(set.organizational_units.len());
        for ou in &set.organizational_units {
            let target = match ou.value() {
                Value::String(id) => {
                    if !crate::stack_set::is_organizational_unit_id(id) {
                        self.report(stack, Issue::new(
                            "StackSet.OrganizationalUnitId",
                            "stack_set.organizational_units",
                            id,
                            "an OU id is ou- then 4 to 32 and 8 to 32 lowercase letters or digits joined by -, or a root r- then 4 to 32",
                        ));
                    }
                    OrganizationalUnitTarget {
                        id: DeployValue::Literal(id.to_string()),
                        path: None,
                    }
                }
                Value::Ref(reference) => {
                    let path = Some(tree.path(reference.target));
                    match self.share_output(i, reference, stack, Why::TargetsUnit(stack)) {
                        Some(Shared::Output { producer, output }) => OrganizationalUnitTarget {
                            id: DeployValue::FromOutput(OutputRef {
                                stack: self.ctx.names[producer].clone(),
                                output,
                            }),
                            path,
                        },
                        Some(Shared::Local(_)) => {
                            self.report(stack, Issue::new(
                                "StackSet.UnitFromOwnStack",
                                "stack_set.organizational_units",
                                tree.path(reference.target),
                                "a StackSet cannot target an OU its own template creates: create the OU in another stack",
                            ));
                            continue;
                        }
                        None => continue,
                    }
                }
                other => {
                    self.report(stack, Issue::new(
                        "StackSet.OrganizationalUnitNotResolvable",
                        "stack_set.organizational_units",
                        format!("{other:?}"),
                        "a StackSet target is an OU id or a reference to an AWS::Organizations::OrganizationalUnit",
                    ));
                    continue;
                }
            };
            organizational_units.push(target);
        }
        Some(StackSetSpec {
            organizational_units,
            regions: set.regions.clone(),
            retain_stacks_on_account_removal: set.retain_stacks_on_account_removal,
            preferences: set.preferences.clone(),
            call_as: set.administrator,
        })
    }
}
