//! CI deploy roles assumed through OIDC (GitLab, GitHub or another issuer), with the trust
//! pinned to one project and one ref and to the audience.

use landform_cfn::iam;
use landform_core::iam::{PolicyDocument, Principal, Statement};
use landform_core::{kinds, Issue, NodeId, ResourceHandle, Scope, Token, Value};

use crate::names::{Reason, RoleName};
use crate::util::parse_or_report;

/// The most characters of minified JSON a role trust policy can have in any account: IAM's
/// "Role trust policy length" quota raised to its maximum. Past its default (2,048) the lint
/// warns (LF-QUOTA-001): ask for the increase before deploying.
pub const MAX_TRUST_POLICY_CHARS: usize = 4_096;
/// The role's maximum session: one hour, the shortest IAM allows for the setting.
pub const MAX_SESSION_SECONDS: u32 = 3_600;

/// Who issues the CI tokens.
///
/// ```
/// use landform_constructs::OidcIssuer;
/// assert_eq!(OidcIssuer::GitLab.url(), "https://gitlab.com");
/// assert_eq!(OidcIssuer::GitHub.default_audience(), "sts.amazonaws.com");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcIssuer {
    /// gitlab.com.
    GitLab,
    /// GitHub Actions.
    GitHub,
    /// Another issuer (self-managed GitLab, ...): its `https://` URL without trailing slash.
    Custom {
        /// The issuer URL.
        url: String,
        /// The audience its tokens carry by default.
        audience: String,
    },
}

impl OidcIssuer {
    /// The issuer URL.
    ///
    /// ```
    /// use landform_constructs::OidcIssuer;
    /// assert_eq!(OidcIssuer::GitHub.url(), "https://token.actions.githubusercontent.com");
    /// ```
    pub fn url(&self) -> &str {
        match self {
            OidcIssuer::GitLab => "https://gitlab.com",
            OidcIssuer::GitHub => "https://token.actions.githubusercontent.com",
            OidcIssuer::Custom { url, .. } => url,
        }
    }
    /// The audience the issuer's tokens carry unless configured otherwise.
    ///
    /// ```
    /// use landform_constructs::OidcIssuer;
    /// assert_eq!(OidcIssuer::GitLab.default_audience(), "https://gitlab.com");
    /// ```
    pub fn default_audience(&self) -> &str {
        match self {
            OidcIssuer::GitLab => "https://gitlab.com",
            OidcIssuer::GitHub => "sts.amazonaws.com",
            OidcIssuer::Custom { audience, .. } => audience,
        }
    }
    fn host(&self) -> &str {
        let url = self.url();
        url.strip_prefix("https://").unwrap_or(url)
    }
}

/// Which audience the trust policy pins.
///
/// ```
/// use landform_constructs::Audience;
/// assert_eq!(Audience::default(), Audience::IssuerDefault);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Audience {
    /// The issuer's default audience.
    #[default]
    IssuerDefault,
    /// This audience.
    Value(String),
    /// No `aud` condition (refused unless `allow_missing_audience` gives a reason).
    Unpinned,
}

/// How the `sub` condition matches.
///
/// ```
/// use landform_constructs::SubjectMatch;
/// assert_eq!(SubjectMatch::default(), SubjectMatch::Single);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectMatch {
    /// `StringEquals` (or `StringLike` when a wildcard was allowed).
    #[default]
    Single,
    /// `ForAllValues:` on `sub` (refused unless `allow_for_all_values_subject` gives a reason:
    /// a request without the key at all matches ForAllValues).
    ForAllValues,
}

/// A GitLab ref for [`gitlab_subject`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitLabRef {
    /// A branch name.
    Branch(String),
    /// A tag name.
    Tag(String),
}

/// The `sub` claim of a GitLab CI job token.
///
/// ```
/// use landform_constructs::{gitlab_subject, GitLabRef};
/// assert_eq!(
///     gitlab_subject("group/infrastructure", &GitLabRef::Branch("main".into())),
///     "project_path:group/infrastructure:ref_type:branch:ref:main"
/// );
/// ```
pub fn gitlab_subject(project_path: &str, git_ref: &GitLabRef) -> String {
    let (kind, name) = match git_ref {
        GitLabRef::Branch(n) => ("branch", n),
        GitLabRef::Tag(n) => ("tag", n),
    };
    format!("project_path:{project_path}:ref_type:{kind}:ref:{name}")
}

/// A GitHub ref or environment for [`github_subject`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitHubRef {
    /// A branch name.
    Branch(String),
    /// A tag name.
    Tag(String),
    /// A deployment environment: any ref whose job names it (needs
    /// `allow_environment_subject` on a deploy role).
    Environment(String),
    /// Any pull request (needs `allow_pull_request_subject` on a deploy role).
    PullRequest,
}

/// The `sub` claim of a GitHub Actions token.
///
/// ```
/// use landform_constructs::{github_subject, GitHubRef};
/// assert_eq!(github_subject("org/repo", &GitHubRef::Branch("main".into())), "repo:org/repo:ref:refs/heads/main");
/// assert_eq!(github_subject("org/repo", &GitHubRef::Environment("prod".into())), "repo:org/repo:environment:prod");
/// ```
pub fn github_subject(repository: &str, git_ref: &GitHubRef) -> String {
    match git_ref {
        GitHubRef::Branch(n) => format!("repo:{repository}:ref:refs/heads/{n}"),
        GitHubRef::Tag(n) => format!("repo:{repository}:ref:refs/tags/{n}"),
        GitHubRef::Environment(n) => format!("repo:{repository}:environment:{n}"),
        GitHubRef::PullRequest => format!("repo:{repository}:pull_request"),
    }
}

/// Options of an [`OidcDeployRole`].
///
/// ```
/// use landform_constructs::*;
/// let props = OidcDeployRoleProps {
///     subject: Some(gitlab_subject("group/infrastructure", &GitLabRef::Branch("main".into()))),
///     ..Default::default()
/// };
/// assert_eq!(props.issuer, OidcIssuer::GitLab);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcDeployRoleProps {
    /// The token issuer.
    pub issuer: OidcIssuer,
    /// Use this account's existing provider instead of creating one.
    pub existing_provider_arn: Option<Token<kinds::Arn>>,
    /// The one `sub` the role trusts (see [`gitlab_subject`], [`github_subject`]).
    pub subject: Option<String>,
    /// How `sub` matches.
    pub subject_match: SubjectMatch,
    /// Which `aud` the role trusts.
    pub audience: Audience,
    /// The role name (at most 64 characters); CloudFormation picks one when `None`.
    pub role_name: Option<String>,
    /// AWS managed or customer managed policy ARNs attached to the role.
    pub managed_policy_arns: Vec<String>,
    /// An inline policy.
    pub inline_policy: Option<PolicyDocument>,
    /// Opt-out: accept `*` or `?` in `sub`, with the reason.
    pub allow_wildcard_subject: Option<Reason>,
    /// Opt-out: accept no `sub` condition at all, with the reason.
    pub allow_missing_subject: Option<Reason>,
    /// Opt-out: accept no `aud` condition, with the reason.
    pub allow_missing_audience: Option<Reason>,
    /// Opt-out: accept `ForAllValues:` on `sub`, with the reason.
    pub allow_for_all_values_subject: Option<Reason>,
    /// Opt-out: trust a GitHub environment (`repo:O/R:environment:NAME`), with the reason:
    /// any branch whose job names the environment can deploy, unless the environment's
    /// protection rules say otherwise.
    pub allow_environment_subject: Option<Reason>,
    /// Opt-out: trust pull requests (`repo:O/R:pull_request`), with the reason: code nobody
    /// has reviewed yet can deploy.
    pub allow_pull_request_subject: Option<Reason>,
    /// Opt-out: a GitHub or GitLab subject in a format other than the issuer's default (a
    /// customised GitHub subject template), with the reason.
    pub allow_custom_subject_format: Option<Reason>,
}

impl Default for OidcDeployRoleProps {
    fn default() -> Self {
        OidcDeployRoleProps {
            issuer: OidcIssuer::GitLab,
            existing_provider_arn: None,
            subject: None,
            subject_match: SubjectMatch::Single,
            audience: Audience::IssuerDefault,
            role_name: None,
            managed_policy_arns: Vec::new(),
            inline_policy: None,
            allow_wildcard_subject: None,
            allow_missing_subject: None,
            allow_missing_audience: None,
            allow_for_all_values_subject: None,
            allow_environment_subject: None,
            allow_pull_request_subject: None,
            allow_custom_subject_format: None,
        }
    }
}

/// An OIDC provider (unless one is given) and a deploy role trusting one CI subject.
///
/// ```
/// use landform_constructs::*;
/// use landform_core::{App, Environment};
/// let mut app = App::new();
/// let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
/// let stack = app.add_stack(stage, "Deploy");
/// let role = OidcDeployRole::new(&mut app.scope(stack), "Deploy", OidcDeployRoleProps {
///     issuer: OidcIssuer::GitHub,
///     subject: Some(github_subject("org/infra", &GitHubRef::Branch("main".into()))),
///     role_name: Some("github-deploy".into()),
///     ..Default::default()
/// });
/// assert!(role.trust_policy_chars() < 2048);
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct OidcDeployRole {
    node: NodeId,
    role: ResourceHandle,
    trust_chars: usize,
}

fn check_reason(scope: &mut Scope<'_>, field: &str, reason: Option<Reason>) -> bool {
    match reason {
        Some(Reason(text)) if text.trim().is_empty() => {
            scope.report(Issue::new(
                "OidcDeployRole.EmptyReason",
                field,
                "",
                "an opt-out carries the reason a reviewer reads: write why",
            ));
            true
        }
        Some(_) => true,
        None => false,
    }
}

/// The rule an issuer URL breaks, if any: what OpenID Connect Discovery requires of an
/// issuer identifier (an `https` URL with no query or fragment) and what IAM's
/// CreateOpenIDConnectProvider accepts (at most 255 characters, no port, no credentials); no
/// trailing slash, since the token's `iss` must match the URL exactly.
pub(crate) fn issuer_url_rule(url: &str) -> Option<&'static str> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Some("an OIDC issuer URL starts with https:// (OpenID Connect Discovery and IAM refuse any other scheme)");
    };
    if url.len() > 255 {
        return Some("IAM accepts an OIDC provider URL of at most 255 characters");
    }
    if url.contains('?') || url.contains('#') {
        return Some("an OIDC issuer identifier has no query or fragment (OpenID Connect Discovery 1.0, section 3)");
    }
    if url.ends_with('/') {
        return Some(
            "an OIDC issuer URL has no trailing slash: the token's iss claim must match it exactly",
        );
    }
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || rest.contains(char::is_whitespace) {
        return Some("an OIDC issuer URL names a host after https://, with no spaces");
    }
    if host.contains('@') {
        return Some("an OIDC issuer URL carries no user name or password");
    }
    if host.contains(':') {
        return Some(
            "IAM refuses an OIDC provider URL with a port number: serve the issuer on 443",
        );
    }
    None
}

impl OidcDeployRole {
    /// Create the provider and role under `scope` (a stack of the account deployed to).
    pub fn new(scope: &mut Scope<'_>, id: &str, props: OidcDeployRoleProps) -> Self {
        let mut inner = scope.child(id, "OidcDeployRole");
        let allow_wildcard = check_reason(
            &mut inner,
            "allow_wildcard_subject",
            props.allow_wildcard_subject,
        );
        let allow_missing_sub = check_reason(
            &mut inner,
            "allow_missing_subject",
            props.allow_missing_subject,
        );
        let allow_missing_aud = check_reason(
            &mut inner,
            "allow_missing_audience",
            props.allow_missing_audience,
        );
        let allow_for_all = check_reason(
            &mut inner,
            "allow_for_all_values_subject",
            props.allow_for_all_values_subject,
        );
        let allow_environment = check_reason(
            &mut inner,
            "allow_environment_subject",
            props.allow_environment_subject,
        );
        let allow_pull_request = check_reason(
            &mut inner,
            "allow_pull_request_subject",
            props.allow_pull_request_subject,
        );
        let allow_custom_format = check_reason(
            &mut inner,
            "allow_custom_subject_format",
            props.allow_custom_subject_format,
        );
        if let Some(subject) = props.subject.as_deref().filter(|s| !s.is_empty()) {
            let parsed = match &props.issuer {
                OidcIssuer::GitHub => Some(crate::oidc_subject::github(subject)),
                OidcIssuer::GitLab => Some(crate::oidc_subject::gitlab(subject)),
                OidcIssuer::Custom { .. } => None,
            };
            use crate::oidc_subject::SubjectKind;
            match parsed {
                Some(Err(rule)) if !allow_custom_format => inner.report(Issue::new(
                    "OidcDeployRole.SubjectFormat",
                    "subject",
                    crate::error::shorten(subject),
                    format!("{rule}; a subject the issuer never emits matches no token (set allow_custom_subject_format with a reason for a customised subject template)"),
                )),
                Some(Ok(SubjectKind::Environment)) if !allow_environment => inner.report(Issue::new(
                    "OidcDeployRole.EnvironmentSubject",
                    "subject",
                    subject,
                    "an environment subject lets any branch whose job names the environment deploy; pin a branch, or set allow_environment_subject with a reason (the environment's protection rules)",
                )),
                Some(Ok(SubjectKind::PullRequest)) if !allow_pull_request => inner.report(Issue::new(
                    "OidcDeployRole.PullRequestSubject",
                    "subject",
                    subject,
                    "a pull_request subject lets unreviewed code deploy; pin a branch, or set allow_pull_request_subject with a reason",
                )),
                _ => {}
            }
        }
        if let OidcIssuer::Custom { url, audience } = &props.issuer {
            if let Some(rule) = issuer_url_rule(url) {
                inner.report(Issue::new(
                    "OidcDeployRole.IssuerUrl",
                    "issuer.url",
                    crate::error::shorten(url),
                    rule,
                ));
            }
            if audience.is_empty() {
                inner.report(Issue::new(
                    "OidcDeployRole.AudienceEmpty",
                    "issuer.audience",
                    "",
                    "a custom issuer names the audience its tokens carry",
                ));
            }
        }
        if let Some(name) = &props.role_name {
            parse_or_report(&mut inner, "OidcDeployRole", "role_name", name, |v| {
                RoleName::try_from(v)
            });
        }
        let host = props.issuer.host().to_owned();
        let audience = match &props.audience {
            Audience::IssuerDefault => Some(props.issuer.default_audience().to_owned()),
            Audience::Value(v) => Some(v.clone()),
            Audience::Unpinned => None,
        };
        if audience.as_deref() == Some("") {
            inner.report(Issue::new(
                "OidcDeployRole.AudienceEmpty",
                "audience",
                "",
                "the pinned audience is not empty",
            ));
        }
        if audience.is_none() && !allow_missing_aud {
            inner.report(Issue::new(
                "OidcDeployRole.MissingAudience",
                "audience",
                "Unpinned",
                "the trust policy pins aud, or any token of the issuer for another audience is accepted; set allow_missing_audience with a reason to override",
            ));
        }
        let wildcard = props
            .subject
            .as_deref()
            .is_some_and(|s| s.contains('*') || s.contains('?'));
        match &props.subject {
            None if !allow_missing_sub => inner.report(Issue::new(
                "OidcDeployRole.MissingSubject",
                "subject",
                "None",
                "the trust policy pins sub to one project and ref, or every pipeline of the issuer can deploy; set allow_missing_subject with a reason to override",
            )),
            Some(s) if s.is_empty() => inner.report(Issue::new(
                "OidcDeployRole.MissingSubject",
                "subject",
                "",
                "the subject is not empty",
            )),
            Some(s) if wildcard && !allow_wildcard => inner.report(Issue::new(
                "OidcDeployRole.WildcardSubject",
                "subject",
                s,
                "a wildcard in sub lets other projects or refs deploy; pin one project and ref, or set allow_wildcard_subject with a reason",
            )),
            _ => {}
        }
        if props.subject_match == SubjectMatch::ForAllValues && !allow_for_all {
            inner.report(Issue::new(
                "OidcDeployRole.ForAllValuesSubject",
                "subject_match",
                "ForAllValues",
                "ForAllValues on the single-valued sub also matches a token without sub; use Single, or set allow_for_all_values_subject with a reason",
            ));
        }

        let provider_arn: Value = match &props.existing_provider_arn {
            Some(arn) => arn.into(),
            None => {
                let provider = inner.add_resource(
                    "Provider",
                    iam::OIDCProvider::default()
                        .url(props.issuer.url())
                        .client_id_list([audience
                            .clone()
                            .unwrap_or_else(|| props.issuer.default_audience().to_owned())]),
                );
                provider.ref_value()
            }
        };
        let mut trust = Statement::allow()
            .principal(Principal::federated(provider_arn))
            .actions(["sts:AssumeRoleWithWebIdentity"]);
        let prefix = if props.subject_match == SubjectMatch::ForAllValues {
            "ForAllValues:"
        } else {
            ""
        };
        let sub_op = format!(
            "{prefix}{}",
            if wildcard {
                "StringLike"
            } else {
                "StringEquals"
            }
        );
        if let Some(aud) = &audience {
            trust = trust
                .clone()
                .condition("StringEquals", &format!("{host}:aud"), [aud.as_str()])
                .unwrap_or(trust);
        }
        if let Some(sub) = props.subject.as_deref().filter(|s| !s.is_empty()) {
            trust = trust
                .clone()
                .condition(&sub_op, &format!("{host}:sub"), [sub])
                .unwrap_or(trust);
        }
        let trust = PolicyDocument::new().statement(trust);
        let trust_chars = trust.minified_len();
        // Its length against IAM's quota is core's check (Quota.TrustPolicyLength, over every
        // role) and the lint's (LF-QUOTA-001 past the default).
        let mut role = iam::Role::default()
            .assume_role_policy_document(trust)
            .max_session_duration(MAX_SESSION_SECONDS)
            .description(role_description(
                props.subject.as_deref().unwrap_or("any subject"),
            ));
        if let Some(name) = &props.role_name {
            role = role.role_name(name.as_str());
        }
        if !props.managed_policy_arns.is_empty() {
            role = role.managed_policy_arns(props.managed_policy_arns.clone());
        }
        if let Some(policy) = &props.inline_policy {
            role = role.policies([iam::role::Policy::default()
                .policy_name("deploy")
                .policy_document(policy.to_value())]);
        }
        let role = inner.add_resource("Role", role);
        OidcDeployRole {
            node: inner.node(),
            role,
            trust_chars,
        }
    }

    /// The role's ARN.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Deploy");
    /// let role = OidcDeployRole::new(&mut app.scope(stack), "Deploy", OidcDeployRoleProps {
    ///     subject: Some(gitlab_subject("g/p", &GitLabRef::Branch("main".into()))), ..Default::default() });
    /// assert!(role.role_arn().as_literal().is_none());
    /// ```
    pub fn role_arn(&self) -> Token<kinds::Arn> {
        self.role.att_token("Arn")
    }
    /// Characters of the minified trust policy (references estimated).
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Deploy");
    /// let role = OidcDeployRole::new(&mut app.scope(stack), "Deploy", OidcDeployRoleProps {
    ///     subject: Some(gitlab_subject("g/p", &GitLabRef::Branch("main".into()))), ..Default::default() });
    /// assert!(role.trust_policy_chars() > 100);
    /// ```
    pub fn trust_policy_chars(&self) -> usize {
        self.trust_chars
    }
    /// The construct's node.
    ///
    /// ```
    /// # use landform_constructs::*;
    /// # use landform_core::{App, Environment};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Deploy");
    /// let role = OidcDeployRole::new(&mut app.scope(stack), "Deploy", OidcDeployRoleProps {
    ///     subject: Some(gitlab_subject("g/p", &GitLabRef::Branch("main".into()))), ..Default::default() });
    /// assert_eq!(app.tree().path(role.node()).to_string(), "App/Prod/Deploy/Deploy");
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}

/// IAM's limit on a role description (`Description`: 0 to 1000 characters).
const ROLE_DESCRIPTION_LIMIT: usize = 1000;

/// The deploy role's description, naming its subject, cut to IAM's limit (a subject long
/// enough to pass it is reported by the trust policy's own checks, not here).
fn role_description(subject: &str) -> String {
    let description = format!("Landform: CI deploy role for {subject}");
    if description.chars().count() <= ROLE_DESCRIPTION_LIMIT {
        description
    } else {
        let cut: String = description
            .chars()
            .take(ROLE_DESCRIPTION_LIMIT - 3)
            .collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod quota_tests {
    #[test]
    fn the_trust_policy_limit_is_the_quota_ceiling() {
        assert_eq!(
            landform_core::quotas::ROLE_TRUST_POLICY_LENGTH.ceiling(),
            Some(super::MAX_TRUST_POLICY_CHARS)
        );
    }
}
