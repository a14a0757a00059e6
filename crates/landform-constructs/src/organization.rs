//! The organization root (assumed to exist) and its organizational units.

use landform_cfn::organizations;
use std::collections::BTreeMap;

use landform_core::{
    kinds, Issue, NodeId, Path, RemovalPolicy, Resource, Scope, Token, Tree, Value,
};

use crate::names::{OuName, RootId};
use crate::util::parse_or_report;

/// The AWS limit on organizational unit nesting below the root.
pub const MAX_OU_DEPTH: u8 = 5;
/// The default number of SCPs AWS lets you attach to one root, OU or account.
pub const DEFAULT_MAX_POLICIES_PER_TARGET: usize = 5;

/// Options of an [`Organization`].
///
/// ```
/// use landform_constructs::OrganizationProps;
/// let props = OrganizationProps { root_id: "r-abcd".into(), ..Default::default() };
/// assert_eq!(props.max_policies_per_target, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationProps {
    /// The root id (`r-abcd`), from `aws organizations list-roots`. Required.
    pub root_id: String,
    /// SCPs allowed per target, FullAWSAccess included (AWS default quota: 5).
    pub max_policies_per_target: usize,
    /// Whether the AWS-managed `FullAWSAccess` SCP stays attached to every target (it counts
    /// against the quota). True unless you detached it everywhere.
    pub full_aws_access_attached: bool,
}

impl Default for OrganizationProps {
    fn default() -> Self {
        OrganizationProps {
            root_id: String::new(),
            max_policies_per_target: DEFAULT_MAX_POLICIES_PER_TARGET,
            full_aws_access_attached: true,
        }
    }
}

/// Where an organizational unit or account sits: the root or an OU, with its depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    id: Token<kinds::OrganizationalUnitId>,
    depth: u8,
}

impl Parent {
    /// The parent's id (root or OU id) as a value for `ParentId`/`ParentIds`.
    ///
    /// ```
    /// # use landform_constructs::{Organization, OrganizationProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// let org = Organization::new(&mut app.scope(stack), "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// assert_eq!(org.root().id().as_literal(), Some("r-abcd"));
    /// ```
    pub fn id(&self) -> &Token<kinds::OrganizationalUnitId> {
        &self.id
    }
    /// Levels below the root (0 for the root itself).
    ///
    /// ```
    /// # use landform_constructs::{Organization, OrganizationProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// let org = Organization::new(&mut app.scope(stack), "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// assert_eq!(org.root().depth(), 0);
    /// ```
    pub fn depth(&self) -> u8 {
        self.depth
    }
}

/// Something an SCP attaches to: the root, an OU or an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyTarget {
    pub(crate) value: Value,
}

impl PolicyTarget {
    /// A target from a literal id (`r-abcd`, `ou-ab12-cdef3456`, a 12-digit account id) for
    /// targets this app does not create.
    ///
    /// ```
    /// use landform_constructs::PolicyTarget;
    /// let t = PolicyTarget::literal("ou-ab12-cdef3456");
    /// assert_eq!(t.value().as_str(), Some("ou-ab12-cdef3456"));
    /// ```
    pub fn literal(id: &str) -> Self {
        PolicyTarget {
            value: Value::from(id),
        }
    }
    /// The target id as a value.
    ///
    /// ```
    /// use landform_constructs::PolicyTarget;
    /// assert!(PolicyTarget::literal("r-abcd").value().as_str().is_some());
    /// ```
    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// The organization, whose root already exists in the management account. Creates no
/// resource of its own; it anchors OUs and SCPs and checks the SCP quota per target.
///
/// ```
/// use landform_constructs::{Organization, OrganizationProps, OrganizationalUnit, OrganizationalUnitProps};
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "Organization");
/// let mut scope = app.scope(stack);
/// let org = Organization::new(&mut scope, "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
/// let ou = OrganizationalUnit::new(&mut scope, "Workloads", OrganizationalUnitProps { name: "Workloads".into(), parent: org.root() });
/// assert_eq!(ou.as_parent().depth(), 1);
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct Organization {
    node: NodeId,
    root: Token<kinds::OrganizationalUnitId>,
}

impl Organization {
    /// Declare the organization under `scope` (the management account's stack).
    pub fn new(scope: &mut Scope<'_>, id: &str, props: OrganizationProps) -> Self {
        let mut inner = scope.child(id, "Organization");
        parse_or_report(&mut inner, "Organization", "root_id", &props.root_id, |v| {
            RootId::try_from(v)
        });
        if props.max_policies_per_target == 0 {
            inner.report(Issue::new(
                "Organization.MaxPoliciesPerTarget",
                "max_policies_per_target",
                0,
                "at least one SCP must be attachable per target (AWS default quota: 5)",
            ));
        }
        let path = inner.path();
        let max = props.max_policies_per_target;
        let full_access = usize::from(props.full_aws_access_attached);
        inner.add_validation(move |tree| policies_per_target(tree, &path, max, full_access));
        Organization {
            node: inner.node(),
            root: Token::literal(props.root_id),
        }
    }

    /// The organization whose root is `root_id`, with the default quotas: what
    /// [`Organization::new`] declares (an organization always exists before the app; this
    /// creates nothing), named for what it is when adopting.
    ///
    /// ```
    /// # use landform_constructs::Organization;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// let org = Organization::existing(&mut app.scope(stack), "Org", "r-abcd");
    /// assert_eq!(org.root().id().as_literal(), Some("r-abcd"));
    /// assert_eq!(org.target().value().as_str(), Some("r-abcd"));
    /// ```
    pub fn existing(scope: &mut Scope<'_>, id: &str, root_id: &str) -> Self {
        Self::new(
            scope,
            id,
            OrganizationProps {
                root_id: root_id.to_owned(),
                ..Default::default()
            },
        )
    }

    /// The root as a parent for OUs and accounts.
    ///
    /// ```
    /// # use landform_constructs::{Organization, OrganizationProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// let org = Organization::new(&mut app.scope(stack), "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// assert_eq!(org.root().depth(), 0);
    /// ```
    pub fn root(&self) -> Parent {
        Parent {
            id: self.root.clone(),
            depth: 0,
        }
    }

    /// The root as an SCP target.
    ///
    /// ```
    /// # use landform_constructs::{Organization, OrganizationProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// let org = Organization::new(&mut app.scope(stack), "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// assert_eq!(org.target().value().as_str(), Some("r-abcd"));
    /// ```
    pub fn target(&self) -> PolicyTarget {
        PolicyTarget {
            value: self.root.value().clone(),
        }
    }

    /// The construct's node.
    ///
    /// ```
    /// # use landform_constructs::{Organization, OrganizationProps};
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// let org = Organization::new(&mut app.scope(stack), "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// assert_eq!(app.tree().path(org.node()).to_string(), "App/Management/Organization/Org");
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}

/// Counts SCP attachments per target across the whole app.
fn policies_per_target(tree: &Tree, org: &Path, max: usize, full_access: usize) -> Vec<Issue> {
    let mut counts: BTreeMap<Value, usize> = BTreeMap::new();
    for id in tree.ids() {
        let Some(resource) = tree.node(id).resource() else {
            continue;
        };
        let props = resource.properties();
        if resource.type_name() != "AWS::Organizations::Policy"
            || props.get("Type").and_then(Value::as_str) != Some("SERVICE_CONTROL_POLICY")
        {
            continue;
        }
        if let Some(Value::Array(targets)) = props.get("TargetIds") {
            for target in targets {
                *counts.entry(target.clone()).or_default() += 1;
            }
        }
    }
    let mut issues = Vec::new();
    for (target, count) in counts {
        let total = count + full_access;
        if total <= max {
            continue;
        }
        let (path, shown) = match &target {
            Value::Ref(r) if tree.get(r.target).is_some() => {
                let node = tree.node(r.target).parent().unwrap_or(r.target);
                (tree.path(node), tree.path(node).to_string())
            }
            Value::String(s) => (org.clone(), s.to_string()),
            other => (org.clone(), format!("{other:?}")),
        };
        issues.push(
            Issue::new(
                "Organization.TooManyPolicies",
                "targets",
                format!("{shown}: {total} SCPs"),
                format!(
                    "at most {max} SCPs attach to one target (FullAWSAccess counted): merge statements into fewer policies"
                ),
            )
            .at(path),
        );
    }
    issues
}

/// Options of an [`OrganizationalUnit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationalUnitProps {
    /// The OU name (1 to 128 printable characters).
    pub name: String,
    /// Where it sits: `org.root()` or `other_ou.as_parent()`.
    pub parent: Parent,
}

/// An organizational unit (`AWS::Organizations::OrganizationalUnit`), at most five levels
/// below the root.
///
/// ```
/// use landform_constructs::{Organization, OrganizationProps, OrganizationalUnit, OrganizationalUnitProps};
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "Organization");
/// let mut scope = app.scope(stack);
/// let org = Organization::new(&mut scope, "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
/// let security = OrganizationalUnit::new(&mut scope, "Security", OrganizationalUnitProps { name: "Security".into(), parent: org.root() });
/// let audit = OrganizationalUnit::new(&mut scope, "Audit", OrganizationalUnitProps { name: "Audit".into(), parent: security.as_parent() });
/// assert_eq!(audit.as_parent().depth(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct OrganizationalUnit {
    node: NodeId,
    handle: landform_core::ResourceHandle,
    depth: u8,
}

impl OrganizationalUnit {
    /// Create the OU under `scope` (the management account's stack).
    pub fn new(scope: &mut Scope<'_>, id: &str, props: OrganizationalUnitProps) -> Self {
        let mut inner = scope.child(id, "OrganizationalUnit");
        parse_or_report(&mut inner, "OrganizationalUnit", "name", &props.name, |v| {
            OuName::try_from(v)
        });
        let depth = props.parent.depth.saturating_add(1);
        if depth > MAX_OU_DEPTH {
            inner.report(Issue::new(
                "OrganizationalUnit.Depth",
                "parent",
                depth,
                format!(
                    "AWS nests organizational units at most {MAX_OU_DEPTH} levels below the root"
                ),
            ));
        }
        let handle = inner.add_resource(
            "Resource",
            Resource::from(
                organizations::OrganizationalUnit::default()
                    .name(props.name.as_str())
                    .parent_id(&props.parent.id),
            )
            .removal_policy(RemovalPolicy::Retain),
        );
        OrganizationalUnit {
            node: inner.node(),
            handle,
            depth,
        }
    }

    /// This OU as the parent of another OU or an account.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// # let mut scope = app.scope(stack);
    /// # let org = Organization::new(&mut scope, "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// let ou = OrganizationalUnit::new(&mut scope, "Sandbox", OrganizationalUnitProps { name: "Sandbox".into(), parent: org.root() });
    /// assert!(ou.as_parent().id().as_literal().is_none()); // a reference, resolved at deploy
    /// ```
    pub fn as_parent(&self) -> Parent {
        Parent {
            id: self.handle.ref_token(),
            depth: self.depth,
        }
    }

    /// This OU as an SCP target.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// # let mut scope = app.scope(stack);
    /// # let org = Organization::new(&mut scope, "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// let ou = OrganizationalUnit::new(&mut scope, "Sandbox", OrganizationalUnitProps { name: "Sandbox".into(), parent: org.root() });
    /// assert_eq!(ou.target().value(), &ou.resource().ref_value());
    /// ```
    pub fn target(&self) -> PolicyTarget {
        PolicyTarget {
            value: self.handle.ref_value(),
        }
    }

    /// The OU's ARN (for RAM shares to the OU).
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// # let mut scope = app.scope(stack);
    /// # let org = Organization::new(&mut scope, "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// let ou = OrganizationalUnit::new(&mut scope, "Sandbox", OrganizationalUnitProps { name: "Sandbox".into(), parent: org.root() });
    /// assert!(ou.arn().as_literal().is_none());
    /// ```
    pub fn arn(&self) -> Token<kinds::Arn> {
        self.handle.att_token("Arn")
    }

    /// The OU's id (`ou-...`), for a StackSet that lands in it
    /// ([`StackSetDeployment`](landform_core::stack_set::StackSetDeployment)).
    pub fn id(&self) -> Token<kinds::OrganizationalUnitId> {
        self.handle.ref_token()
    }

    /// The `AWS::Organizations::OrganizationalUnit` resource.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// # let mut scope = app.scope(stack);
    /// # let org = Organization::new(&mut scope, "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// let ou = OrganizationalUnit::new(&mut scope, "Sandbox", OrganizationalUnitProps { name: "Sandbox".into(), parent: org.root() });
    /// assert_eq!(app.tree().path(ou.node()).to_string(), "App/Management/Organization/Sandbox");
    /// ```
    pub fn resource(&self) -> landform_core::ResourceHandle {
        self.handle
    }

    /// The construct's node.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// # let mut scope = app.scope(stack);
    /// # let org = Organization::new(&mut scope, "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
    /// let ou = OrganizationalUnit::new(&mut scope, "Sandbox", OrganizationalUnitProps { name: "Sandbox".into(), parent: org.root() });
    /// assert!(app.tree().node(ou.node()).children().len() == 1);
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}

/// An organizational unit that exists already (made by hand, by Control Tower, by another
/// tool): a parent and an SCP target like a created one. The app never creates, changes or
/// deletes it; to manage it, declare it with [`OrganizationalUnit::new`] and `adopt` it.
///
/// ```
/// use landform_constructs::*;
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "Organization");
/// let mut scope = app.scope(stack);
/// let org = Organization::new(&mut scope, "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
/// let security = OrganizationalUnit::existing(&mut scope, "ou-abcd-11111111", org.root());
/// let audit = OrganizationalUnit::new(&mut scope, "Audit", OrganizationalUnitProps { name: "Audit".into(), parent: security.as_parent() });
/// assert_eq!(security.as_parent().id().as_literal(), Some("ou-abcd-11111111"));
/// assert_eq!(audit.as_parent().depth(), 2);
/// assert_eq!(security.target().value().as_str(), Some("ou-abcd-11111111"));
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingOrganizationalUnit {
    id: Token<kinds::OrganizationalUnitId>,
    depth: u8,
}

impl OrganizationalUnit {
    /// The existing OU `ou_id` under `parent` (which gives its depth). An id that is not an
    /// OU id (`ou-` and two groups of lowercase letters and digits) is reported at `scope`
    /// (`ExistingOrganizationalUnit.Id`).
    pub fn existing(
        scope: &mut Scope<'_>,
        ou_id: &str,
        parent: Parent,
    ) -> ExistingOrganizationalUnit {
        if !landform_core::identifiers::is_ou_id(ou_id) {
            scope.report(Issue::new(
                "ExistingOrganizationalUnit.Id",
                "ou_id",
                ou_id,
                "an OU id is `ou-`, 4 to 32 lowercase letters or digits, `-`, and 8 to 32 more (aws organizations list-organizational-units-for-parent)",
            ));
        }
        ExistingOrganizationalUnit {
            id: Token::literal(ou_id),
            depth: parent.depth.saturating_add(1),
        }
    }
}

impl ExistingOrganizationalUnit {
    /// The OU as the parent of another OU or an account.
    pub fn as_parent(&self) -> Parent {
        Parent {
            id: self.id.clone(),
            depth: self.depth,
        }
    }
    /// The OU as an SCP target.
    pub fn target(&self) -> PolicyTarget {
        PolicyTarget {
            value: self.id.value().clone(),
        }
    }
}
