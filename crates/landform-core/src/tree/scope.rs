//! [`Scope`]: where constructs add children, report issues, register validations and declare
//! dependencies.

use std::fmt;

use super::{Environment, ExplicitDependency, NodeId, NodeKind, Output, Path, StackProps, Tree};
use crate::issue::Issue;
use crate::resource::{Resource, ResourceHandle};
use crate::share::share_texts;
use crate::value::Value;

/// A position in the tree where children are added. Constructs take `&mut Scope` and an id.
pub struct Scope<'a> {
    pub(super) tree: &'a mut Tree,
    pub(super) node: NodeId,
}

impl fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({})", self.path())
    }
}

impl<'a> Scope<'a> {
    /// The node this scope adds under.
    pub fn node(&self) -> NodeId {
        self.node
    }

    /// Its path.
    pub fn path(&self) -> Path {
        self.tree.path(self.node)
    }

    /// The tree, read-only.
    pub fn tree(&self) -> &Tree {
        self.tree
    }

    /// A child construct node with a type name; returns a scope inside it.
    pub fn child(&mut self, id: &str, construct_type: &'static str) -> Scope<'_> {
        let node = self
            .tree
            .add(self.node, id, NodeKind::Construct(construct_type));
        Scope {
            tree: self.tree,
            node,
        }
    }

    /// A scope at another node of the same tree (a construct that spans stacks uses this).
    pub fn at(&mut self, node: NodeId) -> Scope<'_> {
        Scope {
            tree: self.tree,
            node,
        }
    }

    /// Add a stage under the app root (wherever this scope is).
    pub fn add_stage(&mut self, id: &str, env: Environment) -> NodeId {
        self.tree.add(NodeId::ROOT, id, NodeKind::Stage(env))
    }

    /// Add a stack under this scope, which must be a stage.
    pub fn add_stack(&mut self, id: &str, props: StackProps) -> NodeId {
        if !matches!(self.tree.node(self.node).kind, NodeKind::Stage(_)) {
            self.report(Issue::new(
                "Tree.StackOutsideStage",
                "id",
                id,
                "a stack belongs directly to a stage (its account and region)",
            ));
        }
        self.tree.add(self.node, id, NodeKind::Stack(props))
    }

    /// Add a resource under this scope, which must be inside a stack.
    pub fn add_resource(&mut self, id: &str, resource: impl Into<Resource>) -> ResourceHandle {
        let mut resource = resource.into();
        if self.tree.stack_of(self.node).is_none() {
            self.report(Issue::new(
                "Tree.ResourceOutsideStack",
                "id",
                id,
                "a resource is added inside a stack",
            ));
        }
        resource.shrink_to_fit();
        resource.share_metadata(&mut self.tree.metadata);
        for value in resource.properties_mut().values_mut() {
            share_texts(&mut self.tree.texts, value);
        }
        ResourceHandle::new(self.tree.add(self.node, id, NodeKind::Resource(resource)))
    }

    /// Add a stack output under this scope.
    pub fn add_output(&mut self, id: &str, value: impl Into<Value>, description: Option<&str>) {
        if self.tree.stack_of(self.node).is_none() {
            self.report(Issue::new(
                "Tree.OutputOutsideStack",
                "id",
                id,
                "an output is added inside a stack",
            ));
        }
        let output = Output {
            value: value.into(),
            description: description.map(str::to_owned),
        };
        self.tree.add(self.node, id, NodeKind::Output(output));
    }

    /// Report a problem at this scope's path. Building goes on; `synth` will refuse.
    pub fn report(&mut self, issue: Issue) {
        let path = self.path();
        self.tree.issues.push(issue.at(path));
    }

    /// Register a check that runs at validation, with the whole tree in view.
    pub fn add_validation(&mut self, check: impl Fn(&Tree) -> Vec<Issue> + Send + Sync + 'static) {
        self.tree.nodes[self.node.index()]
            .extras_mut()
            .validations
            .push(Box::new(check));
    }

    /// Register a check over the whole app once, however many constructs ask for it: the
    /// first registration under `key` wins, later ones are ignored. A rule that compares every
    /// construct of a kind with every other (duplicate account emails, say) registers here
    /// and runs once, instead of once per construct.
    ///
    /// ```
    /// use landform_core::{App, Environment, Issue, Resource};
    /// let mut app = App::new();
    /// let stage = app.add_stage("S", Environment::new("111111111111", "us-east-1"));
    /// let stack = app.add_stack(stage, "A");
    /// for id in ["One", "Two"] {
    ///     let mut scope = app.scope(stack);
    ///     scope.add_resource(id, Resource::new("AWS::S3::Bucket"));
    ///     scope.add_app_validation("Example.Once", |_| vec![Issue::new("Example.Once", "f", "v", "r")]);
    /// }
    /// assert_eq!(app.validate().with_code("Example.Once").count(), 1);
    /// ```
    pub fn add_app_validation(
        &mut self,
        key: &'static str,
        check: impl Fn(&Tree) -> Vec<Issue> + Send + Sync + 'static,
    ) {
        if self.tree.app_validations.insert(key) {
            self.tree.nodes[NodeId::ROOT.index()]
                .extras_mut()
                .validations
                .push(Box::new(check));
        }
    }

    /// Declare that this scope's node depends on `on` (resources: DependsOn or a stack
    /// dependency; anything else: its stack waits for `on`'s stack).
    pub fn add_dependency(&mut self, on: NodeId, reason: impl Into<String>) {
        self.tree.dependencies.push(ExplicitDependency {
            from: self.node,
            on,
            reason: reason.into(),
        });
    }

    /// Attach metadata to this node.
    pub fn set_metadata(&mut self, key: impl Into<String>, value: serde_json::Value) {
        self.tree.nodes[self.node.index()]
            .extras_mut()
            .metadata
            .insert(key.into(), value);
    }

    /// The environment this scope deploys to, if it is inside a stage.
    pub fn environment(&self) -> Option<&Environment> {
        self.tree.environment_of(self.node)
    }

    /// The stack this scope is in.
    pub fn stack(&self) -> Option<NodeId> {
        self.tree.stack_of(self.node)
    }
}
