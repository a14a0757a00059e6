//! Service control policies (`AWS::Organizations::Policy` of type SERVICE_CONTROL_POLICY).

use landform_cfn::organizations::{self, policy};
use landform_core::iam::{PolicyDocument, Statement};
use landform_core::{Issue, NodeId, ResourceHandle, Scope, Value};

use crate::names::{allowed_policy_char, PolicyName};
use crate::organization::PolicyTarget;
use crate::util::parse_or_report;

/// AWS's limit on an SCP document, in characters of its minified JSON.
pub const MAX_SCP_CHARS: usize = 5_120;
/// AWS's limit on a policy description.
pub const MAX_DESCRIPTION_CHARS: usize = 512;

/// Options of a [`ServiceControlPolicy`].
///
/// ```
/// use landform_constructs::{scp_library, ServiceControlPolicyProps};
/// let props = ServiceControlPolicyProps {
///     name: "protect-cloudtrail".into(),
///     statements: scp_library::protect_cloudtrail(),
///     ..Default::default()
/// };
/// assert!(props.targets.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceControlPolicyProps {
    /// The policy name (1 to 128 characters). Required.
    pub name: String,
    /// A description (at most 512 characters).
    pub description: Option<String>,
    /// The statements (see [`scp_library`](crate::scp_library)). At least one.
    pub statements: Vec<Statement>,
    /// Where the policy attaches: the root, OUs, accounts.
    pub targets: Vec<PolicyTarget>,
}

/// A service control policy with its attachments. Checks the 5,120-character limit, the
/// policy character set, its name and description; the [`Organization`](crate::Organization)
/// checks the number of SCPs per target.
///
/// ```
/// use landform_constructs::*;
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "Organization");
/// let mut scope = app.scope(stack);
/// let org = Organization::new(&mut scope, "Org", OrganizationProps { root_id: "r-abcd".into(), ..Default::default() });
/// ServiceControlPolicy::new(&mut scope, "DenyLeave", ServiceControlPolicyProps {
///     name: "deny-leave".into(),
///     statements: vec![scp_library::deny_actions("DenyLeave", ["organizations:LeaveOrganization"])],
///     targets: vec![org.target()],
///     ..Default::default()
/// });
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct ServiceControlPolicy {
    node: NodeId,
    handle: ResourceHandle,
    chars: usize,
}

impl ServiceControlPolicy {
    /// Create the policy under `scope` (the management account's stack).
    pub fn new(scope: &mut Scope<'_>, id: &str, props: ServiceControlPolicyProps) -> Self {
        let mut inner = scope.child(id, "ServiceControlPolicy");
        parse_or_report(
            &mut inner,
            "ServiceControlPolicy",
            "name",
            &props.name,
            |v| PolicyName::try_from(v),
        );
        if let Some(d) = &props.description {
            if d.chars().count() > MAX_DESCRIPTION_CHARS || !d.chars().all(allowed_policy_char) {
                inner.report(Issue::new(
                    "ServiceControlPolicy.Description",
                    "description",
                    crate::error::shorten(d),
                    "a policy description has at most 512 characters from U+0009, U+000A, U+000D and U+0020..U+00FF",
                ));
            }
        }
        let document = props
            .statements
            .iter()
            .cloned()
            .fold(PolicyDocument::new(), PolicyDocument::statement);
        if props.statements.is_empty() {
            inner.report(Issue::new(
                "ServiceControlPolicy.Empty",
                "statements",
                0,
                "an SCP has at least one statement",
            ));
        }
        let chars = document.minified_len();
        if chars > MAX_SCP_CHARS {
            inner.report(Issue::new(
                "ServiceControlPolicy.TooLarge",
                "statements",
                format!("{chars} characters"),
                format!("an SCP's minified JSON is at most {MAX_SCP_CHARS} characters: split it or shorten action lists with wildcards"),
            ));
        }
        let text = document.minified().unwrap_or_default();
        if let Some(bad) = text.chars().find(|&c| !allowed_policy_char(c)) {
            inner.report(Issue::new(
                "ServiceControlPolicy.Charset",
                "statements",
                format!("U+{:04X}", u32::from(bad)),
                "policy documents use only tab, line feed, carriage return and U+0020..U+00FF",
            ));
        }
        let mut seen: Vec<&Value> = Vec::new();
        for target in &props.targets {
            if seen.contains(&&target.value) {
                inner.report(Issue::new(
                    "ServiceControlPolicy.DuplicateTarget",
                    "targets",
                    format!("{:?}", target.value),
                    "a policy attaches to a target once",
                ));
            }
            seen.push(&target.value);
        }
        let mut resource = organizations::Policy::default()
            .name(props.name.as_str())
            .type_(policy::Type::ServiceControlPolicy)
            .content(document.to_value())
            .target_ids(props.targets.iter().map(|t| t.value.clone()));
        if let Some(d) = &props.description {
            resource = resource.description(d.as_str());
        }
        let handle = inner.add_resource("Resource", resource);
        ServiceControlPolicy {
            node: inner.node(),
            handle,
            chars,
        }
    }

    /// Characters of the minified document, as AWS counts them.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// let scp = ServiceControlPolicy::new(&mut app.scope(stack), "P", ServiceControlPolicyProps {
    ///     name: "p".into(), statements: scp_library::protect_cloudtrail(), ..Default::default() });
    /// assert!(scp.minified_chars() < 5120);
    /// ```
    pub fn minified_chars(&self) -> usize {
        self.chars
    }

    /// The `AWS::Organizations::Policy` resource.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Organization");
    /// let scp = ServiceControlPolicy::new(&mut app.scope(stack), "P", ServiceControlPolicyProps {
    ///     name: "p".into(), statements: scp_library::protect_cloudtrail(), ..Default::default() });
    /// assert_eq!(app.tree().node(scp.resource().node()).resource().unwrap().type_name(), "AWS::Organizations::Policy");
    /// ```
    pub fn resource(&self) -> ResourceHandle {
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
    /// let scp = ServiceControlPolicy::new(&mut app.scope(stack), "P", ServiceControlPolicyProps {
    ///     name: "p".into(), statements: scp_library::protect_cloudtrail(), ..Default::default() });
    /// assert_eq!(app.tree().path(scp.node()).to_string(), "App/Management/Organization/P");
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}
