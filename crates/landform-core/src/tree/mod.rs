//! The construct tree: `App` > `Stage` (account + region) > `Stack` > constructs > resources.
//!
//! Nodes live in an arena owned by the [`App`]; constructs hold [`NodeId`]s and typed tokens,
//! and add children through a [`Scope`]. The path of a node is its identity everywhere.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use crate::path::Path;

use crate::fast_hash::FastHashSet;
use crate::issue::Issue;
use crate::resource::{Metadata, Resource};
use crate::value::{kinds::AccountId, Token, Value};

mod scope;
pub use scope::Scope;

/// A node of one [`App`]'s tree: the app it belongs to and its index there. A node id (and
/// so a reference or token built from it) used in another app is refused at synth with
/// `Reference.ForeignApp`, instead of landing on whatever node has the same index there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// The app's stamp (0 for [`NodeId::ROOT`], every app's root).
    app: u32,
    index: u32,
}

/// Stamps of the apps made so far in this process.
static APPS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

impl NodeId {
    /// The root node (`App`) of every app.
    pub const ROOT: NodeId = NodeId { app: 0, index: 0 };
    pub(crate) fn new(app: u32, index: u32) -> Self {
        if index == 0 {
            NodeId::ROOT
        } else {
            NodeId { app, index }
        }
    }
    pub(crate) fn index(self) -> usize {
        self.index as usize
    }
}

impl fmt::Display for NodeId {
    /// `node #N` (of app stamp A when not the root).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node #{} of app {}", self.index, self.app)
    }
}

/// Where a stage deploys: an account (literal or a reference to an account created by the
/// app) and a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// The account id; may reference an `AWS::Organizations::Account` created in the same app.
    pub account: Token<AccountId>,
    /// The region, such as `us-east-1`.
    pub region: String,
}

impl Environment {
    /// An environment for a known account id.
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Environment {
            account: Token::literal(account),
            region: region.into(),
        }
    }
    /// An environment whose account id is a token (for example an account the app creates).
    pub fn for_account(account: Token<AccountId>, region: impl Into<String>) -> Self {
        Environment {
            account,
            region: region.into(),
        }
    }
}

/// Options of a stack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackProps {
    /// Template `Description`.
    pub description: Option<String>,
    /// Roll the stack out as a service-managed StackSet to OUs instead of deploying it into
    /// its stage's account (which administers the StackSet). Only the CloudFormation engine
    /// deploys it.
    pub stack_set: Option<crate::stack_set::StackSetDeployment>,
}

/// A stack output declared by the user (cross-stack outputs are added by synthesis).
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The value exported.
    pub value: Value,
    /// Output `Description`.
    pub description: Option<String>,
}

/// What a node is.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// The root.
    App,
    /// An environment (account + region) holding stacks.
    Stage(Environment),
    /// A CloudFormation stack.
    Stack(StackProps),
    /// A construct: a grouping node with a type name (`AccountFactory`).
    Construct(&'static str),
    /// A resource.
    Resource(Resource),
    /// A stack output.
    Output(Output),
}

/// A check that needs other nodes, run at `validate()` / `synth()`.
pub type Validation = Box<dyn Fn(&Tree) -> Vec<Issue> + Send + Sync>;

/// A node of the tree.
pub struct Node {
    id: Arc<str>,
    parent: Option<NodeId>,
    children: Vec<NodeId>,
    kind: NodeKind,
    /// Validations and metadata, which few nodes have: boxed so the others stay small.
    extras: Option<Box<NodeExtras>>,
}

#[derive(Default)]
struct NodeExtras {
    validations: Vec<Validation>,
    metadata: BTreeMap<String, serde_json::Value>,
}

/// Shared empty metadata for nodes without any.
static NO_METADATA: BTreeMap<String, serde_json::Value> = BTreeMap::new();

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("children", &self.children.len())
            .finish()
    }
}

impl Node {
    /// The id, unique among siblings.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The parent (none for the root).
    pub fn parent(&self) -> Option<NodeId> {
        self.parent
    }
    /// The children in the order they were added.
    pub fn children(&self) -> &[NodeId] {
        &self.children
    }
    /// What the node is.
    pub fn kind(&self) -> &NodeKind {
        &self.kind
    }
    /// Metadata attached to the node (lint suppressions and the like).
    pub fn metadata(&self) -> &BTreeMap<String, serde_json::Value> {
        self.extras.as_ref().map_or(&NO_METADATA, |e| &e.metadata)
    }
    fn validations(&self) -> &[Validation] {
        self.extras.as_ref().map_or(&[], |e| &e.validations)
    }
    fn extras_mut(&mut self) -> &mut NodeExtras {
        self.extras.get_or_insert_with(Box::default)
    }
    /// The resource, when the node is one.
    pub fn resource(&self) -> Option<&Resource> {
        match &self.kind {
            NodeKind::Resource(r) => Some(r),
            _ => None,
        }
    }
}

/// A dependency between two nodes declared by hand, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplicitDependency {
    /// The node that must come later.
    pub from: NodeId,
    /// The node it depends on.
    pub on: NodeId,
    /// Why.
    pub reason: String,
}

/// The arena of nodes.
pub struct Tree {
    nodes: Vec<Node>,
    issues: Vec<Issue>,
    dependencies: Vec<ExplicitDependency>,
    /// Keys of app-wide validations already registered (see [`Scope::add_app_validation`]).
    app_validations: std::collections::BTreeSet<&'static str>,
    /// Every distinct node id and resource string, shared by the nodes and values that carry
    /// it (thousands of nodes are called `Resource` or `Role`, thousands of values are
    /// `"Enabled"`, `"2012-10-17"` or the same script).
    texts: FastHashSet<Arc<str>>,
    /// Distinct resource metadata, shared by the resources that carry it.
    metadata: Vec<Arc<Metadata>>,
    /// The stage and stack nodes, in creation order (synthesis starts from them).
    stages: Vec<NodeId>,
    stacks: Vec<NodeId>,
    /// This app's stamp, in every node id it hands out.
    app: u32,
}

impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tree")
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

impl Tree {
    fn new() -> Self {
        Tree {
            nodes: vec![Node {
                id: Arc::from("App"),
                parent: None,
                children: Vec::new(),
                kind: NodeKind::App,
                extras: None,
            }],
            issues: Vec::new(),
            dependencies: Vec::new(),
            app_validations: std::collections::BTreeSet::new(),
            texts: FastHashSet::default(),
            metadata: Vec::new(),
            stages: Vec::new(),
            stacks: Vec::new(),
            app: APPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Whether `id` is a node of this tree (not of another app, not past its end).
    pub fn contains(&self, id: NodeId) -> bool {
        (id.app == self.app || id == NodeId::ROOT) && id.index() < self.nodes.len()
    }

    /// Whether `id` was made by another app.
    pub fn is_foreign(&self, id: NodeId) -> bool {
        id.app != self.app && id != NodeId::ROOT
    }

    /// A node by id. Ids come from this tree, so the lookup cannot miss.
    pub fn node(&self, id: NodeId) -> &Node {
        // An id of another app (reported at synth) reads as the root rather than panicking.
        self.get(id).unwrap_or(&self.nodes[0])
    }

    /// A node by id, or `None` for an id from another app.
    pub fn get(&self, id: NodeId) -> Option<&Node> {
        if self.contains(id) {
            self.nodes.get(id.index())
        } else {
            None
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Never empty: the root always exists.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every node id in creation order.
    pub fn ids(&self) -> impl Iterator<Item = NodeId> {
        let app = self.app;
        (0..self.nodes.len() as u32).map(move |i| NodeId::new(app, i))
    }

    /// Every node id below `start` (included) in depth-first, insertion order.
    pub fn descendants(&self, start: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![start];
        while let Some(id) = stack.pop() {
            out.push(id);
            stack.extend(self.node(id).children.iter().rev());
        }
        out
    }

    /// The path of a node.
    pub fn path(&self, id: NodeId) -> Path {
        // Sized exactly: the manifest keeps a path for every resource.
        let depth = std::iter::successors(Some(id), |&n| self.node(n).parent).count();
        let mut segments = Vec::with_capacity(depth);
        let mut cur = Some(id);
        while let Some(n) = cur {
            segments.push(self.node(n).id.clone());
            cur = self.node(n).parent;
        }
        segments.reverse();
        Path(segments)
    }

    /// Append the path of a node, `/`-joined, to `out` (what `path(id).to_string()` gives,
    /// without building the path).
    pub(crate) fn write_path(&self, id: NodeId, out: &mut String) {
        if let Some(parent) = self.node(id).parent {
            self.write_path(parent, out);
            out.push('/');
        }
        out.push_str(&self.node(id).id);
    }

    /// The ids from just below `ancestor` down to `node`, borrowed (no allocation per
    /// segment). Empty when `node` is `ancestor` or not below it.
    pub fn segments_below(&self, ancestor: NodeId, node: NodeId) -> Vec<&str> {
        let mut segments = Vec::new();
        let mut cur = Some(node);
        while let Some(n) = cur {
            if n == ancestor {
                segments.reverse();
                return segments;
            }
            segments.push(&*self.node(n).id);
            cur = self.node(n).parent;
        }
        Vec::new()
    }

    /// The nearest ancestor (or self) that is a stack.
    pub fn stack_of(&self, id: NodeId) -> Option<NodeId> {
        self.ancestor_where(id, |k| matches!(k, NodeKind::Stack(_)))
    }

    /// The nearest ancestor (or self) that is a stage.
    pub fn stage_of(&self, id: NodeId) -> Option<NodeId> {
        self.ancestor_where(id, |k| matches!(k, NodeKind::Stage(_)))
    }

    /// The environment a node deploys to.
    pub fn environment_of(&self, id: NodeId) -> Option<&Environment> {
        match &self.node(self.stage_of(id)?).kind {
            NodeKind::Stage(env) => Some(env),
            _ => None,
        }
    }

    fn ancestor_where(&self, id: NodeId, pred: impl Fn(&NodeKind) -> bool) -> Option<NodeId> {
        let mut cur = Some(id);
        while let Some(n) = cur {
            if pred(&self.node(n).kind) {
                return Some(n);
            }
            cur = self.node(n).parent;
        }
        None
    }

    /// Every stage, in creation order.
    pub fn stages(&self) -> Vec<NodeId> {
        self.stages.clone()
    }

    /// Every stack, in creation order.
    pub fn stacks(&self) -> Vec<NodeId> {
        self.stacks.clone()
    }

    /// Explicit dependencies declared with [`Scope::add_dependency`].
    pub fn explicit_dependencies(&self) -> &[ExplicitDependency] {
        &self.dependencies
    }

    /// The issues reported while building plus those of every registered validation,
    /// in tree order.
    pub fn collect_issues(&self) -> Vec<Issue> {
        use rayon::prelude::*;
        let checked: Vec<NodeId> = self
            .descendants(NodeId::ROOT)
            .into_iter()
            .filter(|&id| !self.node(id).validations().is_empty())
            .collect();
        // Validations only read the tree: they run side by side, their issues kept in order.
        let found: Vec<Vec<Issue>> = checked
            .par_iter()
            .map(|&id| {
                let checks = self.node(id).validations();
                checks.iter().flat_map(|check| check(self)).collect()
            })
            .collect();
        let mut issues = self.issues.clone();
        issues.extend(found.into_iter().flatten());
        issues
    }

    fn add(&mut self, parent: NodeId, id: &str, kind: NodeKind) -> NodeId {
        let new_id = NodeId::new(self.app, self.nodes.len() as u32);
        let parent_path = || self.path(parent);
        if id.is_empty() || id.contains('/') {
            let issue = Issue::new(
                "Tree.InvalidId",
                "id",
                id,
                "a construct id is non-empty and has no '/' (it is a path segment)",
            )
            .at(parent_path().join(id));
            self.issues.push(issue);
        } else if self
            .node(parent)
            .children
            .iter()
            .any(|&c| &*self.node(c).id == id)
        {
            let issue = Issue::new(
                "Tree.DuplicateId",
                "id",
                id,
                "ids are unique among siblings: pick another id for one of them",
            )
            .at(parent_path().join(id));
            self.issues.push(issue);
        }
        let id = match self.texts.get(id) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = Arc::from(id);
                self.texts.insert(shared.clone());
                shared
            }
        };
        match kind {
            NodeKind::Stage(_) => self.stages.push(new_id),
            NodeKind::Stack(_) => self.stacks.push(new_id),
            _ => {}
        }
        self.nodes.push(Node {
            id,
            parent: Some(parent),
            children: Vec::new(),
            kind,
            extras: None,
        });
        self.nodes[parent.index()].children.push(new_id);
        new_id
    }

    /// Mutable access to a resource node (for aspects).
    pub fn resource_mut(&mut self, id: NodeId) -> Option<&mut Resource> {
        if !self.contains(id) {
            return None;
        }
        match &mut self.nodes[id.index()].kind {
            NodeKind::Resource(r) => Some(r),
            _ => None,
        }
    }
}

/// The root of a Landform program.
///
/// ```
/// use landform_core::{App, Environment, Resource};
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "State");
/// app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table")
///     .property("KeySchema", serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]))
///     .property("AttributeDefinitions", serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}])));
/// assert_eq!(app.tree().path(stack).to_string(), "App/Management/State");
/// ```
pub struct App {
    tree: Tree,
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App").field("tree", &self.tree).finish()
    }
}

impl App {
    /// An empty app.
    pub fn new() -> Self {
        let mut app = App { tree: Tree::new() };
        // Rules over every resource of the app, typed or raw, run once per validation.
        let mut root = app.root();
        root.add_app_validation("Core.DuplicateNames", crate::naming::duplicate_names);
        root.add_app_validation("Core.PolicyGrammar", crate::policy::policy_grammar);
        root.add_app_validation("Core.Identifiers", crate::identifiers::identifiers);
        root.add_app_validation("Core.HardQuotas", crate::quotas::hard_quotas);
        root.add_app_validation("Core.Schemas", crate::schema::schema_issues);
        app
    }

    /// Add a stage (an account + region) under the app.
    pub fn add_stage(&mut self, id: &str, env: Environment) -> NodeId {
        self.root().add_stage(id, env)
    }

    /// Add a stack under a stage.
    pub fn add_stack(&mut self, stage: NodeId, id: &str) -> NodeId {
        self.scope(stage).add_stack(id, StackProps::default())
    }

    /// A scope at the root.
    pub fn root(&mut self) -> Scope<'_> {
        self.scope(NodeId::ROOT)
    }

    /// A scope at any node, to add children there. A node of another app is reported
    /// (`Tree.ForeignNode`, synth refuses) and the scope is this app's root.
    pub fn scope(&mut self, node: NodeId) -> Scope<'_> {
        let node = if self.tree.contains(node) {
            node
        } else {
            let issue = Issue::new(
                "Tree.ForeignNode",
                "scope",
                node,
                "a node id is used only in the App that made it: build each app's constructs under its own nodes",
            )
            .at(self.tree.path(NodeId::ROOT));
            self.tree.issues.push(issue);
            NodeId::ROOT
        };
        Scope {
            tree: &mut self.tree,
            node,
        }
    }

    /// The tree, read-only.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The tree, for aspects that rewrite resources.
    pub fn tree_mut(&mut self) -> &mut Tree {
        &mut self.tree
    }
}
