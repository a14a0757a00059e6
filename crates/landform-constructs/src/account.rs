//! The account factory: an `AWS::Organizations::Account` in the management stack, plus the
//! account's own stage (deploying into the new account) with its baseline and budget.

use landform_cfn::budgets::{self, budget};
use landform_cfn::organizations;
use std::collections::{BTreeMap, HashMap};

use landform_core::{
    kinds, Environment, Issue, NodeId, NodeKind, RemovalPolicy, Resource, ResourceHandle, Scope,
    StackProps, Token, Tree, Value,
};

use crate::baseline::{SecurityBaseline, SecurityBaselineProps};
use crate::central::CentralSecurity;
use crate::names::{AccountEmail, AccountName, RoleName};
use crate::organization::{Parent, PolicyTarget};
use crate::util::{parse_or_report, tag_list};

/// How much of the baseline a new account gets.
///
/// ```
/// use landform_constructs::BaselineLevel;
/// assert!(matches!(BaselineLevel::default(), BaselineLevel::None));
/// ```
// Built once per account; boxing would only add noise at call sites.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Default)]
pub enum BaselineLevel {
    /// Nothing: the account is created bare (apply a [`SecurityBaseline`] later, as the
    /// log-archive account does once its central pieces exist).
    #[default]
    None,
    /// The full [`SecurityBaseline`] against these central pieces.
    Standard {
        /// The central log bucket, key and bus.
        central: CentralSecurity,
        /// Baseline options.
        props: SecurityBaselineProps,
    },
}

/// A monthly cost budget with an email alert at 80 % of actual spend and 100 % forecast.
///
/// ```
/// use landform_constructs::BudgetProps;
/// let b = BudgetProps { limit_usd: 500, alert_email: "finance@example.com".into() };
/// assert_eq!(b.limit_usd, 500);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetProps {
    /// Monthly limit in US dollars (at least 1).
    pub limit_usd: u32,
    /// Where alerts go.
    pub alert_email: String,
}

/// Options of an [`AccountFactory`].
///
/// ```
/// use landform_constructs::AccountFactoryProps;
/// let props = AccountFactoryProps {
///     account_name: "house-escort-prod".into(),
///     email: "aws+house-escort-prod@example.com".into(),
///     ..Default::default()
/// };
/// assert_eq!(props.region, "us-east-1");
/// ```
#[derive(Debug, Clone)]
pub struct AccountFactoryProps {
    /// The account name (1 to 50 printable characters). Required.
    pub account_name: String,
    /// The root user's email, unique in the organization. Required.
    pub email: String,
    /// The OU (or root) the account is placed in; `None` for the root.
    pub parent: Option<Parent>,
    /// Tags on the account.
    pub tags: BTreeMap<String, String>,
    /// The baseline applied in the new account.
    pub baseline: BaselineLevel,
    /// A monthly budget with an email alert.
    pub budget: Option<BudgetProps>,
    /// The role Organizations creates in the account for the management account's access
    /// (AWS default `OrganizationAccountAccessRole`).
    pub role_name: Option<String>,
    /// The region of the account's stage.
    pub region: String,
}

impl Default for AccountFactoryProps {
    fn default() -> Self {
        AccountFactoryProps {
            account_name: String::new(),
            email: String::new(),
            parent: None,
            tags: BTreeMap::new(),
            baseline: BaselineLevel::None,
            budget: None,
            role_name: None,
            region: "us-east-1".into(),
        }
    }
}

/// Creates accounts: the `AWS::Organizations::Account` (retained on delete) in the stack of
/// `scope`, and a stage whose account is that resource's `AccountId`, holding a `Baseline`
/// stack with the baseline and the budget.
///
/// ```
/// use landform_constructs::*;
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let management = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(management, "Organization");
/// let account = AccountFactory::new(&mut app.scope(stack), "Prod", AccountFactoryProps {
///     account_name: "prod".into(),
///     email: "aws+prod@example.com".into(),
///     budget: Some(BudgetProps { limit_usd: 100, alert_email: "ops@example.com".into() }),
///     ..Default::default()
/// });
/// let assembly = app.synth().unwrap();
/// assert_eq!(assembly.stacks().last().unwrap().name, "Prod-Baseline");
/// assert!(account.baseline_stack().is_some());
/// ```
#[derive(Debug, Clone)]
pub struct AccountFactory;

/// An account created by the [`AccountFactory`].
#[derive(Debug, Clone)]
pub struct Account {
    node: NodeId,
    handle: ResourceHandle,
    stage: NodeId,
    baseline_stack: Option<NodeId>,
}

impl AccountFactory {
    /// Create the account under `scope` (the management account's stack) and its stage.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(scope: &mut Scope<'_>, id: &str, props: AccountFactoryProps) -> Account {
        let mut inner = scope.child(id, "AccountFactory");
        parse_or_report(
            &mut inner,
            "AccountFactory",
            "account_name",
            &props.account_name,
            |v| AccountName::try_from(v),
        );
        parse_or_report(&mut inner, "AccountFactory", "email", &props.email, |v| {
            AccountEmail::try_from(v)
        });
        if let Some(role) = &props.role_name {
            parse_or_report(&mut inner, "AccountFactory", "role_name", role, |v| {
                RoleName::try_from(v)
            });
        }
        check_tags(&mut inner, &props.tags);
        let mut account = organizations::Account::default()
            .account_name(props.account_name.as_str())
            .email(props.email.as_str());
        if let Some(parent) = &props.parent {
            account = account.parent_ids([parent.id()]);
        }
        if let Some(role) = &props.role_name {
            account = account.role_name(role.as_str());
        }
        if !props.tags.is_empty() {
            account = account.tags(tag_list(&props.tags));
        }
        let resource = Resource::from(account).removal_policy(RemovalPolicy::Retain);
        let handle = inner.add_resource("Resource", resource);
        // One pass over the app for every account: a check per account would scan the tree
        // once per account, quadratic at a thousand accounts.
        inner.add_app_validation("AccountFactory.DuplicateEmail", duplicate_emails);

        let env = Environment::for_account(handle.att_token("AccountId"), props.region.as_str());
        let stage = inner.add_stage(id, env);
        let needs_stack = props.budget.is_some() || !matches!(props.baseline, BaselineLevel::None);
        let baseline_stack = needs_stack.then(|| {
            inner.at(stage).add_stack(
                "Baseline",
                StackProps {
                    description: Some(format!(
                        "Landform: baseline of account {}",
                        props.account_name
                    )),
                    ..Default::default()
                },
            )
        });
        if let Some(stack) = baseline_stack {
            if let BaselineLevel::Standard {
                central,
                props: baseline,
            } = &props.baseline
            {
                SecurityBaseline::new(&mut inner.at(stack), "Baseline", central, baseline.clone());
            }
            if let Some(budget) = &props.budget {
                let name = format!("{}-monthly", props.account_name);
                add_budget(&mut inner, stack, budget, Value::from(name));
            }
        }
        Account {
            node: inner.node(),
            handle,
            stage,
            baseline_stack,
        }
    }
}

/// The budget of [`BudgetProps`] in `stack`, named `name`.
pub(crate) fn add_budget(scope: &mut Scope<'_>, stack: NodeId, budget: &BudgetProps, name: Value) {
    if budget.limit_usd == 0 {
        scope.report(Issue::new(
            "AccountFactory.BudgetLimit",
            "budget.limit_usd",
            0,
            "a budget limit is at least 1 USD",
        ));
    }
    parse_or_report(
        scope,
        "AccountFactory",
        "budget.alert_email",
        &budget.alert_email,
        |v| {
            AccountEmail::try_from(v).map_err(|e| {
                crate::error::ConstructsError::invalid(
                    "AlertEmail",
                    v,
                    e.message().replace("an account email", "an alert email"),
                )
            })
        },
    );
    let notification = |kind: &str, threshold: u32| {
        budget::NotificationWithSubscribers::default()
            .notification(
                budget::Notification::default()
                    .notification_type(kind)
                    .comparison_operator("GREATER_THAN")
                    .threshold(threshold)
                    .threshold_type("PERCENTAGE"),
            )
            .subscribers([budget::Subscriber::default()
                .subscription_type("EMAIL")
                .address(budget.alert_email.as_str())])
    };
    scope.at(stack).add_resource(
        "Budget",
        budgets::Budget::default()
            .budget(
                budget::BudgetData::default()
                    .budget_name(name)
                    .budget_type("COST")
                    .time_unit("MONTHLY")
                    .budget_limit(
                        budget::Spend::default()
                            .amount(budget.limit_usd)
                            .unit("USD"),
                    ),
            )
            .notifications_with_subscribers([
                notification("ACTUAL", 80),
                notification("FORECASTED", 100),
            ]),
    );
}

fn check_tags(scope: &mut Scope<'_>, tags: &BTreeMap<String, String>) {
    if tags.len() > 50 {
        scope.report(Issue::new(
            "AccountFactory.TooManyTags",
            "tags",
            tags.len(),
            "an account has at most 50 tags",
        ));
    }
    for (k, v) in tags {
        if k.is_empty()
            || k.chars().count() > 128
            || v.chars().count() > 256
            || k.starts_with("aws:")
        {
            scope.report(Issue::new(
                "AccountFactory.Tag",
                "tags",
                crate::error::shorten(k),
                "a tag key has 1 to 128 characters and does not start with aws:; a value has at most 256",
            ));
        }
    }
}

/// Accounts sharing a root email (any `AWS::Organizations::Account`, compared without case):
/// each factory-made account after the first of its email is reported at its factory's path,
/// naming the first.
fn duplicate_emails(tree: &Tree) -> Vec<Issue> {
    let mut first: HashMap<String, NodeId> = HashMap::new();
    let mut issues = Vec::new();
    for id in tree.ids() {
        let Some(email) = tree.node(id).resource().and_then(|r| {
            (r.type_name() == "AWS::Organizations::Account")
                .then(|| r.properties().get("Email").and_then(Value::as_str))
                .flatten()
        }) else {
            continue;
        };
        let Some(&other) = first.get(&email.to_ascii_lowercase()) else {
            first.insert(email.to_ascii_lowercase(), id);
            continue;
        };
        let factory = tree
            .node(id)
            .parent()
            .filter(|&p| matches!(tree.node(p).kind(), NodeKind::Construct("AccountFactory")));
        if let Some(factory) = factory {
            issues.push(
                Issue::new(
                    "AccountFactory.DuplicateEmail",
                    "email",
                    email,
                    format!(
                        "every account has its own root email; {} uses it too",
                        tree.path(other)
                    ),
                )
                .at(tree.path(factory)),
            );
        }
    }
    issues
}

impl Account {
    /// The account id, resolved when the account exists.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let m = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(m, "Organization");
    /// let a = AccountFactory::new(&mut app.scope(stack), "Dev", AccountFactoryProps { account_name: "dev".into(), email: "aws+dev@example.com".into(), ..Default::default() });
    /// assert!(a.account_id().as_literal().is_none());
    /// ```
    pub fn account_id(&self) -> Token<kinds::AccountId> {
        self.handle.att_token("AccountId")
    }
    /// The account as an SCP target.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let m = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(m, "Organization");
    /// let a = AccountFactory::new(&mut app.scope(stack), "Dev", AccountFactoryProps { account_name: "dev".into(), email: "aws+dev@example.com".into(), ..Default::default() });
    /// assert_eq!(a.target().value(), &a.resource().get_att("AccountId"));
    /// ```
    pub fn target(&self) -> PolicyTarget {
        PolicyTarget {
            value: self.handle.get_att("AccountId"),
        }
    }
    /// The stage deploying into the account; add stacks with `app.scope(stage)`.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let m = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(m, "Organization");
    /// let a = AccountFactory::new(&mut app.scope(stack), "Dev", AccountFactoryProps { account_name: "dev".into(), email: "aws+dev@example.com".into(), ..Default::default() });
    /// assert_eq!(app.tree().path(a.stage()).to_string(), "App/Dev");
    /// ```
    pub fn stage(&self) -> NodeId {
        self.stage
    }
    /// The `Baseline` stack, when a baseline or budget was asked for.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let m = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(m, "Organization");
    /// let a = AccountFactory::new(&mut app.scope(stack), "Dev", AccountFactoryProps { account_name: "dev".into(), email: "aws+dev@example.com".into(), ..Default::default() });
    /// assert!(a.baseline_stack().is_none());
    /// ```
    pub fn baseline_stack(&self) -> Option<NodeId> {
        self.baseline_stack
    }
    /// The `AWS::Organizations::Account` resource.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let m = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(m, "Organization");
    /// let a = AccountFactory::new(&mut app.scope(stack), "Dev", AccountFactoryProps { account_name: "dev".into(), email: "aws+dev@example.com".into(), ..Default::default() });
    /// assert_eq!(app.tree().node(a.resource().node()).resource().unwrap().type_name(), "AWS::Organizations::Account");
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
    /// # let m = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(m, "Organization");
    /// let a = AccountFactory::new(&mut app.scope(stack), "Dev", AccountFactoryProps { account_name: "dev".into(), email: "aws+dev@example.com".into(), ..Default::default() });
    /// assert_eq!(app.tree().path(a.node()).to_string(), "App/Management/Organization/Dev");
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}

/// An account that exists already (the management account, a log archive made by Control
/// Tower, an account from before Landform): its own stage deploys into it, and it is an SCP
/// target, like an account the [`AccountFactory`] creates. The app never creates or closes
/// it; deploys reach it with the same member-account role, and refuse up front when it is
/// not in the organization.
///
/// ```
/// use landform_constructs::*;
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let m = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(m, "Organization");
/// let logs = Account::existing(&mut app.scope(stack), "LogArchive", "222222222222", "us-east-1");
/// assert_eq!(logs.account_id().as_literal(), Some("222222222222"));
/// assert_eq!(logs.target().value().as_str(), Some("222222222222"));
/// let trail = app.add_stack(logs.stage(), "Trail");
/// assert_eq!(app.tree().path(trail).to_string(), "App/LogArchive/Trail");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingAccount {
    id: Token<kinds::AccountId>,
    stage: NodeId,
}

impl Account {
    /// The existing account `account_id`, with a stage `id` in `region` that deploys into
    /// it. An id that is not 12 digits is reported at `scope` (`ExistingAccount.Id`).
    pub fn existing(
        scope: &mut Scope<'_>,
        id: &str,
        account_id: &str,
        region: &str,
    ) -> ExistingAccount {
        if !landform_core::identifiers::is_account_id(account_id) {
            scope.report(Issue::new(
                "ExistingAccount.Id",
                "account_id",
                account_id,
                "an AWS account id is 12 digits (aws organizations list-accounts)",
            ));
        }
        let stage = scope.add_stage(id, Environment::new(account_id, region));
        ExistingAccount {
            id: Token::literal(account_id),
            stage,
        }
    }
}

impl ExistingAccount {
    /// The account id (a literal).
    pub fn account_id(&self) -> Token<kinds::AccountId> {
        self.id.clone()
    }
    /// The account as an SCP target.
    pub fn target(&self) -> PolicyTarget {
        PolicyTarget {
            value: self.id.value().clone(),
        }
    }
    /// The stage deploying into the account; add stacks with `app.scope(stage)`.
    pub fn stage(&self) -> NodeId {
        self.stage
    }
}
