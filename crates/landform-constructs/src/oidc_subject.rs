//! The `sub` claims GitHub Actions and GitLab CI put in their OIDC tokens, so a deploy role's
//! trust names a subject the issuer actually emits.
//!
//! GitHub ("About security hardening with OpenID Connect", default subject format):
//! `repo:OWNER/REPO:ref:refs/heads/BRANCH`, `repo:OWNER/REPO:ref:refs/tags/TAG`,
//! `repo:OWNER/REPO:environment:NAME` (a job that names an environment) and
//! `repo:OWNER/REPO:pull_request` (a workflow run by a pull request). An owner is letters,
//! digits and single hyphens; a repository name is letters, digits, `.`, `-` and `_`.
//! GitLab ("OpenID Connect (OIDC) authentication using ID tokens", `sub`):
//! `project_path:GROUP/PROJECT:ref_type:branch|tag:ref:NAME`, the project path with its
//! subgroups.

/// What a subject lets deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// One branch.
    Branch,
    /// One tag.
    Tag,
    /// Any ref whose job names this environment.
    Environment,
    /// Any pull request of the repository.
    PullRequest,
}

fn github_owner(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 39
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn github_repo(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// A git ref name as git allows it (`git check-ref-format`), wildcards aside (checked by
/// the caller).
fn ref_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('/')
        && !s.ends_with('/')
        && !s.ends_with('.')
        && !s.contains("..")
        && !s.contains("//")
        && !s.contains("@{")
        && !s
            .chars()
            .any(|c| c.is_ascii_control() || " ~^:\\[".contains(c))
}

/// What a GitHub subject lets deploy, or the rule it breaks.
pub fn github(subject: &str) -> Result<SubjectKind, &'static str> {
    const RULE: &str = "GitHub's sub is repo:OWNER/REPO:ref:refs/heads/BRANCH, repo:OWNER/REPO:ref:refs/tags/TAG, repo:OWNER/REPO:environment:NAME or repo:OWNER/REPO:pull_request (github_subject builds them)";
    let rest = subject.strip_prefix("repo:").ok_or(RULE)?;
    let (repository, claim) = rest.split_once(':').ok_or(RULE)?;
    let (owner, repo) = repository.split_once('/').ok_or(RULE)?;
    let wild = |s: &str| s.replace(['*', '?'], "x");
    if !github_owner(&wild(owner)) || !github_repo(&wild(repo)) {
        return Err("a GitHub repository is OWNER/REPO: an owner of letters, digits and single inner hyphens (at most 39), a name of letters, digits, '.', '-' and '_' (at most 100)");
    }
    if claim == "pull_request" {
        return Ok(SubjectKind::PullRequest);
    }
    if let Some(name) = claim.strip_prefix("environment:") {
        return if name.is_empty() || name.len() > 255 {
            Err("a GitHub environment name is 1 to 255 characters")
        } else {
            Ok(SubjectKind::Environment)
        };
    }
    let git_ref = claim.strip_prefix("ref:").ok_or(RULE)?;
    let (kind, name) = if let Some(n) = git_ref.strip_prefix("refs/heads/") {
        (SubjectKind::Branch, n)
    } else if let Some(n) = git_ref.strip_prefix("refs/tags/") {
        (SubjectKind::Tag, n)
    } else {
        return Err("GitHub names a ref in sub as refs/heads/BRANCH or refs/tags/TAG");
    };
    if !ref_name(&wild(name)) {
        return Err("a branch or tag name is what git accepts: no spaces, '..', '~', '^', ':', '\\', '[' or control characters, no leading or trailing '/'");
    }
    Ok(kind)
}

/// What a GitLab subject lets deploy, or the rule it breaks.
pub fn gitlab(subject: &str) -> Result<SubjectKind, &'static str> {
    const RULE: &str = "GitLab's sub is project_path:GROUP/PROJECT:ref_type:branch:ref:NAME or project_path:GROUP/PROJECT:ref_type:tag:ref:NAME (gitlab_subject builds them)";
    let rest = subject.strip_prefix("project_path:").ok_or(RULE)?;
    let (path, rest) = rest.split_once(":ref_type:").ok_or(RULE)?;
    let (kind, name) = rest.split_once(":ref:").ok_or(RULE)?;
    let kind = match kind {
        "branch" => SubjectKind::Branch,
        "tag" => SubjectKind::Tag,
        _ => return Err("GitLab's ref_type is branch or tag"),
    };
    let segment = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '*' | '?'))
            && !s.starts_with(['-', '.'])
    };
    if path.split('/').count() < 2 || !path.split('/').all(segment) {
        return Err("a GitLab project path is GROUP[/SUBGROUP...]/PROJECT: segments of letters, digits, '.', '-' and '_', not starting with '-' or '.'");
    }
    if !ref_name(&name.replace(['*', '?'], "x")) {
        return Err("a branch or tag name is what git accepts: no spaces, '..', '~', '^', ':', '\\', '[' or control characters, no leading or trailing '/'");
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_subjects() {
        assert_eq!(
            github("repo:org/infra:ref:refs/heads/main"),
            Ok(SubjectKind::Branch)
        );
        assert_eq!(
            github("repo:org/infra:ref:refs/tags/v1.2.3"),
            Ok(SubjectKind::Tag)
        );
        assert_eq!(
            github("repo:org/my.repo_x:environment:prod"),
            Ok(SubjectKind::Environment)
        );
        assert_eq!(
            github("repo:org/infra:pull_request"),
            Ok(SubjectKind::PullRequest)
        );
        assert_eq!(
            github("repo:org/infra:ref:refs/heads/release/*"),
            Ok(SubjectKind::Branch)
        );
        for bad in [
            "org/infra:ref:refs/heads/main",
            "repo:org/infra:ref:main",
            "repo:org/infra:branch:main",
            "repo:org:ref:refs/heads/main",
            "repo:-org/infra:ref:refs/heads/main",
            "repo:org/in fra:ref:refs/heads/main",
            "repo:org/infra:ref:refs/heads/a..b",
            "repo:org/infra:environment:",
            "repo:org/infra:pull-request",
        ] {
            assert!(github(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gitlab_subjects() {
        assert_eq!(
            gitlab("project_path:group/sub/infra:ref_type:branch:ref:main"),
            Ok(SubjectKind::Branch)
        );
        assert_eq!(
            gitlab("project_path:g/p:ref_type:tag:ref:v1"),
            Ok(SubjectKind::Tag)
        );
        for bad in [
            "project_path:infra:ref_type:branch:ref:main",
            "project_path:g/p:ref_type:merge_request:ref:main",
            "project_path:g/p:ref:main",
            "repo:g/p:ref:refs/heads/main",
            "project_path:g/p:ref_type:branch:ref:",
        ] {
            assert!(gitlab(bad).is_err(), "{bad}");
        }
    }
}
