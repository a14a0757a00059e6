//! AWS::Organizations::OrganizationalUnit, ::Policy (attached to its targets) and ::Account
//! (CreateAccount polled with DescribeCreateAccountStatus, idempotent by email).

use std::collections::BTreeMap;

use landform_deploy::{CreateRequest, ProviderError, ResourceState, UpdateRequest};
use serde_json::{json, Value as Json};

use super::guardduty::{has_tags, ordered_tags, refuse_unsupported, tag_changes};
use super::{document, document_value, name_of, required, string, strings, tags};
use crate::api::{
    AccountInfo, CreateAccountState, OrganizationalUnitInfo, OrganizationsApi, PolicyInfo,
};
use crate::error::ErrorCode;

/// Why AWS Organizations refused to create an account (its `FailureReason`), typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CreateAccountFailure {
    /// Another account already uses the email.
    #[error("an account with this email already exists: use another email, or import the account")]
    EmailAlreadyExists,
    /// The organization reached its account quota.
    #[error("the organization reached its account limit: ask AWS Support for a higher quota")]
    AccountLimitExceeded,
    /// Another account change ran at the same time.
    #[error("another account change was in progress: retry")]
    ConcurrentAccountModification,
    /// The email, name or other input was refused.
    #[error("AWS refused the account details ({0}): fix the email or name")]
    Invalid(String),
    /// AWS failed.
    #[error("AWS Organizations failed internally: retry later")]
    InternalFailure,
    /// Any other reason, as AWS named it.
    #[error("account creation failed: {0}")]
    Other(String),
}

impl CreateAccountFailure {
    /// The failure of an AWS `FailureReason`.
    pub fn from_reason(reason: &str) -> Self {
        match reason {
            "EMAIL_ALREADY_EXISTS" => Self::EmailAlreadyExists,
            "ACCOUNT_LIMIT_EXCEEDED" => Self::AccountLimitExceeded,
            "CONCURRENT_ACCOUNT_MODIFICATION" => Self::ConcurrentAccountModification,
            "INTERNAL_FAILURE" => Self::InternalFailure,
            r if r.starts_with("INVALID_") || r.starts_with("MISSING_") => {
                Self::Invalid(r.to_owned())
            }
            r => Self::Other(r.to_owned()),
        }
    }
    /// The handler code the engine acts on (retries the concurrent case).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::EmailAlreadyExists => ErrorCode::AlreadyExists,
            Self::AccountLimitExceeded => ErrorCode::ServiceLimitExceeded,
            Self::ConcurrentAccountModification => ErrorCode::ConcurrentModification,
            Self::Invalid(_) => ErrorCode::InvalidRequest,
            Self::InternalFailure => ErrorCode::ServiceInternal,
            Self::Other(_) => ErrorCode::GeneralServiceException,
        }
    }
    fn into_error(self, reason: &str) -> ProviderError {
        ProviderError::new(self.code(), self.to_string()).with_service_code(reason)
    }
}

const UNIT_SUPPORTED: &[&str] = &["Name", "ParentId", "Tags"];
const POLICY_SUPPORTED: &[&str] = &["Name", "Description", "Type", "Content", "TargetIds"];
const ACCOUNT_SUPPORTED: &[&str] = &["AccountName", "Email", "ParentIds", "RoleName", "Tags"];

/// Add the `Tags` of `id` to read-back `props`, Landform's own tags left out, in the order
/// of the `hint` properties.
async fn read_tags(
    orgs: &dyn OrganizationsApi,
    id: &str,
    hint: &Json,
    props: &mut Json,
) -> Result<(), ProviderError> {
    let tags = ordered_tags(&orgs.list_tags_for_resource(id).await?, hint);
    if has_tags(&tags, hint) {
        props["Tags"] = tags;
    }
    Ok(())
}

/// Set the tags `next` adds or changes, remove those `prev` had and `next` has not: tags
/// set outside the template are left alone.
async fn update_tags(
    orgs: &dyn OrganizationsApi,
    id: &str,
    prev: &Json,
    next: &Json,
) -> Result<(), ProviderError> {
    let (set, remove) = tag_changes(&tags(prev), &tags(next));
    if !set.is_empty() {
        orgs.tag_resource(id, set).await?;
    }
    if !remove.is_empty() {
        orgs.untag_resource(id, remove.into_iter().map(|(k, _)| k).collect())
            .await?;
    }
    Ok(())
}

fn unit_state(ou: &OrganizationalUnitInfo, properties: Json) -> ResourceState {
    let attributes: BTreeMap<String, Json> = [
        ("Id".to_owned(), json!(ou.id)),
        ("Arn".to_owned(), json!(ou.arn)),
    ]
    .into_iter()
    .collect();
    ResourceState::ready(ou.id.clone(), attributes, properties)
}

async fn parent(orgs: &dyn OrganizationsApi, props: &Json) -> Result<String, ProviderError> {
    match string(props, "ParentId") {
        Some(p) => Ok(p),
        None => orgs.root_id().await,
    }
}

pub(super) async fn create_unit(
    orgs: &dyn OrganizationsApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse_unsupported(&request.type_name, p, UNIT_SUPPORTED)?;
    let name = string(p, "Name").ok_or_else(|| required(&request.type_name, "Name"))?;
    let parent = parent(orgs, p).await?;
    let ou = orgs
        .create_organizational_unit(&parent, &name, tags(p))
        .await?;
    Ok(unit_state(&ou, p.clone()))
}

pub(super) async fn read_unit(
    orgs: &dyn OrganizationsApi,
    id: &str,
    hint: &Json,
) -> Result<ResourceState, ProviderError> {
    let ou = orgs.describe_organizational_unit(id).await?;
    let parent = orgs.parent_of(id).await?;
    let mut props = json!({"Name": ou.name, "ParentId": parent});
    read_tags(orgs, id, hint, &mut props).await?;
    Ok(unit_state(&ou, props))
}

pub(super) async fn update_unit(
    orgs: &dyn OrganizationsApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    refuse_unsupported(&request.type_name, &request.properties, UNIT_SUPPORTED)?;
    let name =
        string(&request.properties, "Name").ok_or_else(|| required(&request.type_name, "Name"))?;
    if string(&request.previous, "Name").as_deref() != Some(name.as_str()) {
        orgs.update_organizational_unit(&request.physical_id, &name)
            .await?;
    }
    update_tags(
        orgs,
        &request.physical_id,
        &request.previous,
        &request.properties,
    )
    .await?;
    let ou = orgs
        .describe_organizational_unit(&request.physical_id)
        .await?;
    Ok(unit_state(&ou, request.properties.clone()))
}

/// Unit names are unique under a parent.
pub(super) async fn find_unit(
    orgs: &dyn OrganizationsApi,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    let p = &request.properties;
    let name = string(p, "Name").ok_or_else(|| required(&request.type_name, "Name"))?;
    let parent = parent(orgs, p).await?;
    Ok(orgs
        .list_organizational_units_for_parent(&parent)
        .await?
        .into_iter()
        .find(|ou| ou.name == name)
        .map(|ou| unit_state(&ou, p.clone())))
}

fn policy_state(policy: &PolicyInfo, properties: Json) -> ResourceState {
    let attributes: BTreeMap<String, Json> = [
        ("Id".to_owned(), json!(policy.id)),
        ("Arn".to_owned(), json!(policy.arn)),
        ("AwsManaged".to_owned(), json!(false)),
    ]
    .into_iter()
    .collect();
    ResourceState::ready(policy.id.clone(), attributes, properties)
}

fn policy_type(props: &Json) -> String {
    string(props, "Type").unwrap_or_else(|| "SERVICE_CONTROL_POLICY".to_owned())
}

pub(super) async fn create_policy(
    orgs: &dyn OrganizationsApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse_unsupported(&request.type_name, p, POLICY_SUPPORTED)?;
    let name = name_of(request);
    let content = document(p, "Content").ok_or_else(|| required(&request.type_name, "Content"))?;
    let description = string(p, "Description").unwrap_or_default();
    let policy = orgs
        .create_policy(&name, &description, &policy_type(p), &content)
        .await?;
    for target in strings(p, "TargetIds") {
        orgs.attach_policy(&policy.id, &target).await?;
    }
    Ok(policy_state(&policy, p.clone()))
}

pub(super) async fn read_policy(
    orgs: &dyn OrganizationsApi,
    id: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let policy = orgs.describe_policy(id).await?;
    // AWS lists targets unordered: give them back in the template's order.
    let targets = super::ec2::ordered_like(
        orgs.list_targets_for_policy(id).await?,
        &strings(recorded, "TargetIds"),
    );
    Ok(policy_state(
        &policy,
        json!({
            "Name": policy.name,
            "Description": policy.description,
            "Type": policy.policy_type,
            "Content": document_value(&policy.content),
            "TargetIds": targets,
        }),
    ))
}

pub(super) async fn update_policy(
    orgs: &dyn OrganizationsApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let (prev, next, id) = (&request.previous, &request.properties, &request.physical_id);
    refuse_unsupported(&request.type_name, next, POLICY_SUPPORTED)?;
    let content =
        document(next, "Content").ok_or_else(|| required(&request.type_name, "Content"))?;
    let name = string(next, "Name").unwrap_or_default();
    let description = string(next, "Description").unwrap_or_default();
    if document(prev, "Content").as_deref() != Some(content.as_str())
        || string(prev, "Name").unwrap_or_default() != name
        || string(prev, "Description").unwrap_or_default() != description
    {
        let current = orgs.describe_policy(id).await?;
        let name = if name.is_empty() { current.name } else { name };
        orgs.update_policy(id, &name, &description, &content)
            .await?;
    }
    let (before, after) = (strings(prev, "TargetIds"), strings(next, "TargetIds"));
    for t in after.iter().filter(|t| !before.contains(t)) {
        orgs.attach_policy(id, t).await?;
    }
    for t in before.iter().filter(|t| !after.contains(t)) {
        orgs.detach_policy(id, t).await?;
    }
    let policy = orgs.describe_policy(id).await?;
    Ok(policy_state(&policy, next.clone()))
}

/// A policy attached anywhere cannot be deleted: detach it first.
pub(super) async fn delete_policy(
    orgs: &dyn OrganizationsApi,
    id: &str,
) -> Result<(), ProviderError> {
    for target in orgs.list_targets_for_policy(id).await? {
        orgs.detach_policy(id, &target).await?;
    }
    orgs.delete_policy(id).await
}

/// Policy names are unique per type in an organization.
pub(super) async fn find_policy(
    orgs: &dyn OrganizationsApi,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    let name = name_of(request);
    let found = orgs
        .list_policies(&policy_type(&request.properties))
        .await?
        .into_iter()
        .find(|p| p.name == name);
    match found {
        Some(p) => Ok(Some(policy_state(&p, request.properties.clone()))),
        None => Ok(None),
    }
}

fn account_state(account: &AccountInfo, properties: Json) -> ResourceState {
    let attributes: BTreeMap<String, Json> = [
        ("AccountId".to_owned(), json!(account.id)),
        ("Arn".to_owned(), json!(account.arn)),
        ("Status".to_owned(), json!(account.status)),
    ]
    .into_iter()
    .collect();
    ResourceState::ready(account.id.clone(), attributes, properties)
}

fn in_progress(request_id: &str, properties: &Json, poll_ms: u64) -> ResourceState {
    ResourceState {
        physical_id: request_id.to_owned(),
        attributes: BTreeMap::new(),
        properties: properties.clone(),
        in_progress_retry_ms: Some(poll_ms),
    }
}

/// Move a new account under the first of its `ParentIds` (it starts under the root).
async fn place(
    orgs: &dyn OrganizationsApi,
    account: &str,
    props: &Json,
) -> Result<(), ProviderError> {
    if let Some(wanted) = strings(props, "ParentIds").into_iter().next() {
        let current = orgs.parent_of(account).await?;
        if current != wanted {
            orgs.move_account(account, &current, &wanted).await?;
        }
    }
    Ok(())
}

async fn finish(
    orgs: &dyn OrganizationsApi,
    account_id: &str,
    props: &Json,
) -> Result<ResourceState, ProviderError> {
    place(orgs, account_id, props).await?;
    let account = orgs.describe_account(account_id).await?;
    Ok(account_state(&account, props.clone()))
}

pub(super) async fn create_account(
    orgs: &dyn OrganizationsApi,
    request: &CreateRequest,
    poll_ms: u64,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse_unsupported(&request.type_name, p, ACCOUNT_SUPPORTED)?;
    // Idempotent by email: AWS refuses a second account with the same email only after a
    // slow asynchronous failure (and moto not at all), so look first.
    if let Some(existing) = find_account(orgs, request).await? {
        if existing.in_progress_retry_ms.is_none() {
            return finish(orgs, &existing.physical_id, p).await;
        }
        return Ok(existing);
    }
    let email = string(p, "Email").ok_or_else(|| required(&request.type_name, "Email"))?;
    let name =
        string(p, "AccountName").ok_or_else(|| required(&request.type_name, "AccountName"))?;
    let status = orgs
        .create_account(&email, &name, string(p, "RoleName"), tags(p))
        .await?;
    settle(orgs, &status.id, status.state, p, poll_ms).await
}

async fn settle(
    orgs: &dyn OrganizationsApi,
    request_id: &str,
    state: CreateAccountState,
    props: &Json,
    poll_ms: u64,
) -> Result<ResourceState, ProviderError> {
    match state {
        CreateAccountState::InProgress => Ok(in_progress(request_id, props, poll_ms)),
        CreateAccountState::Succeeded(id) => finish(orgs, &id, props).await,
        CreateAccountState::Failed(reason) => {
            Err(CreateAccountFailure::from_reason(&reason).into_error(&reason))
        }
    }
}

/// Read an account, or poll its creation while the physical id is a `car-` request id.
pub(super) async fn read_account(
    orgs: &dyn OrganizationsApi,
    id: &str,
    properties: &Json,
    poll_ms: u64,
) -> Result<ResourceState, ProviderError> {
    if id.starts_with("car-") {
        let status = orgs.describe_create_account_status(id).await?;
        return settle(orgs, id, status.state, properties, poll_ms).await;
    }
    let account = orgs.describe_account(id).await?;
    let parent = orgs.parent_of(id).await?;
    let mut props = json!({
        "AccountName": account.name,
        "Email": account.email,
        "ParentIds": [parent],
    });
    // RoleName is only used at creation: AWS does not tell it back.
    if let Some(role) = properties.get("RoleName") {
        props["RoleName"] = role.clone();
    }
    read_tags(orgs, id, properties, &mut props).await?;
    Ok(account_state(&account, props))
}

pub(super) async fn update_account(
    orgs: &dyn OrganizationsApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    refuse_unsupported(&request.type_name, &request.properties, ACCOUNT_SUPPORTED)?;
    if string(&request.previous, "AccountName") != string(&request.properties, "AccountName") {
        return Err(ProviderError::new(
            ErrorCode::NotUpdatable,
            format!(
                "account {}: renaming an account is not supported by this provider",
                request.physical_id
            ),
        ));
    }
    update_tags(
        orgs,
        &request.physical_id,
        &request.previous,
        &request.properties,
    )
    .await?;
    finish(orgs, &request.physical_id, &request.properties).await
}

/// An account is found by its email (unique across AWS).
pub(super) async fn find_account(
    orgs: &dyn OrganizationsApi,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    let email = string(&request.properties, "Email")
        .ok_or_else(|| required(&request.type_name, "Email"))?;
    Ok(orgs
        .list_accounts()
        .await?
        .into_iter()
        .find(|a| a.email.eq_ignore_ascii_case(&email))
        .map(|a| account_state(&a, request.properties.clone())))
}

/// [`find_account`] for many requests: the organization's accounts listed once, matched by
/// email (case-insensitive, as AWS compares them).
pub(super) async fn find_accounts(
    orgs: &dyn OrganizationsApi,
    requests: &[CreateRequest],
) -> Result<Vec<Option<ResourceState>>, ProviderError> {
    let accounts = orgs.list_accounts().await?;
    let by_email: std::collections::HashMap<String, &AccountInfo> = accounts
        .iter()
        .map(|a| (a.email.to_ascii_lowercase(), a))
        .collect();
    requests
        .iter()
        .map(|r| {
            let email = string(&r.properties, "Email")
                .ok_or_else(|| required(&r.type_name, "Email"))?
                .to_ascii_lowercase();
            Ok(by_email
                .get(&email)
                .map(|a| account_state(a, r.properties.clone())))
        })
        .collect()
}

/// [`find_policy`] for many requests: each policy type listed once.
pub(super) async fn find_policies(
    orgs: &dyn OrganizationsApi,
    requests: &[CreateRequest],
) -> Result<Vec<Option<ResourceState>>, ProviderError> {
    let mut listed: BTreeMap<String, Vec<PolicyInfo>> = BTreeMap::new();
    let mut found = Vec::with_capacity(requests.len());
    for r in requests {
        let kind = policy_type(&r.properties);
        if !listed.contains_key(&kind) {
            let policies = orgs.list_policies(&kind).await?;
            listed.insert(kind.clone(), policies);
        }
        let name = name_of(r);
        found.push(
            listed[&kind]
                .iter()
                .find(|p| p.name == name)
                .map(|p| policy_state(p, r.properties.clone())),
        );
    }
    Ok(found)
}

/// [`find_unit`] for many requests: each parent's OUs listed once.
pub(super) async fn find_units(
    orgs: &dyn OrganizationsApi,
    requests: &[CreateRequest],
) -> Result<Vec<Option<ResourceState>>, ProviderError> {
    let mut listed: BTreeMap<String, Vec<OrganizationalUnitInfo>> = BTreeMap::new();
    let mut found = Vec::with_capacity(requests.len());
    for r in requests {
        let p = &r.properties;
        let name = string(p, "Name").ok_or_else(|| required(&r.type_name, "Name"))?;
        let parent = parent(orgs, p).await?;
        if !listed.contains_key(&parent) {
            let units = orgs.list_organizational_units_for_parent(&parent).await?;
            listed.insert(parent.clone(), units);
        }
        found.push(
            listed[&parent]
                .iter()
                .find(|ou| ou.name == name)
                .map(|ou| unit_state(ou, p.clone())),
        );
    }
    Ok(found)
}

/// The organization's OUs (every level, from the root down), accounts or service control
/// policies, each with its natural key in its properties (`Name` and `ParentId`, `Email`,
/// `Name`); `None` for another type.
pub(super) async fn list(
    orgs: &dyn OrganizationsApi,
    type_name: &str,
) -> Result<Option<Vec<ResourceState>>, ProviderError> {
    Ok(Some(match type_name {
        "AWS::Organizations::OrganizationalUnit" => {
            let mut out = Vec::new();
            let mut parents = vec![orgs.root_id().await?];
            while let Some(parent) = parents.pop() {
                for ou in orgs.list_organizational_units_for_parent(&parent).await? {
                    parents.push(ou.id.clone());
                    out.push(unit_state(
                        &ou,
                        json!({"Name": ou.name, "ParentId": parent}),
                    ));
                }
            }
            out
        }
        "AWS::Organizations::Account" => orgs
            .list_accounts()
            .await?
            .iter()
            .map(|a| account_state(a, json!({"AccountName": a.name, "Email": a.email})))
            .collect(),
        "AWS::Organizations::Policy" => orgs
            .list_policies("SERVICE_CONTROL_POLICY")
            .await?
            .iter()
            .map(|p| policy_state(p, json!({"Name": p.name, "Type": "SERVICE_CONTROL_POLICY"})))
            .collect(),
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{CreateAccountStatus, MockOrganizationsApi};

    #[tokio::test]
    async fn many_accounts_are_found_with_one_listing() {
        let mut orgs = MockOrganizationsApi::new();
        orgs.expect_list_accounts().times(1).returning(|| {
            Ok((0..3)
                .map(|i| AccountInfo {
                    id: format!("11111111111{i}"),
                    arn: format!("arn:aws:organizations::000000000000:account/o-x/11111111111{i}"),
                    email: format!("Team{i}@Example.com"),
                    name: format!("team{i}"),
                    status: "ACTIVE".into(),
                })
                .collect())
        });
        let requests: Vec<CreateRequest> = [
            "team2@example.com",
            "nobody@example.com",
            "TEAM0@example.com",
        ]
        .iter()
        .map(|email| CreateRequest {
            properties: json!({"AccountName": "x", "Email": email}),
            ..request()
        })
        .collect();
        let found = find_accounts(&orgs, &requests).await.unwrap();
        let ids: Vec<Option<&str>> = found
            .iter()
            .map(|f| f.as_ref().map(|s| s.physical_id.as_str()))
            .collect();
        assert_eq!(ids, [Some("111111111112"), None, Some("111111111110")]);
    }

    fn request() -> CreateRequest {
        CreateRequest {
            type_name: "AWS::Organizations::Account".into(),
            stack: "Org".into(),
            logical_id: "Prod".into(),
            properties: json!({"AccountName": "prod", "Email": "prod@example.com"}),
            physical_name: "Org-Prod-0000".into(),
            idempotency_key: "k".into(),
        }
    }

    #[tokio::test]
    async fn a_failed_creation_is_a_typed_error_with_the_aws_reason() {
        let mut orgs = MockOrganizationsApi::new();
        orgs.expect_list_accounts().returning(|| Ok(vec![]));
        orgs.expect_create_account()
            .times(1)
            .returning(|_, _, _, _| {
                Ok(CreateAccountStatus {
                    id: "car-1".into(),
                    state: CreateAccountState::InProgress,
                })
            });
        let state = create_account(&orgs, &request(), 10).await.unwrap();
        assert_eq!(state.physical_id, "car-1");
        assert_eq!(state.in_progress_retry_ms, Some(10));
        orgs.expect_describe_create_account_status().returning(|_| {
            Ok(CreateAccountStatus {
                id: "car-1".into(),
                state: CreateAccountState::Failed("EMAIL_ALREADY_EXISTS".into()),
            })
        });
        let err = read_account(&orgs, "car-1", &request().properties, 10)
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::AlreadyExists);
        assert_eq!(err.service_code.as_deref(), Some("EMAIL_ALREADY_EXISTS"));
        assert!(
            CreateAccountFailure::from_reason("CONCURRENT_ACCOUNT_MODIFICATION")
                .code()
                .is_retryable()
        );
    }

    #[tokio::test]
    async fn an_existing_email_is_not_created_again() {
        let mut orgs = MockOrganizationsApi::new();
        orgs.expect_list_accounts().returning(|| {
            Ok(vec![AccountInfo {
                id: "222222222222".into(),
                arn: "arn".into(),
                email: "Prod@Example.com".into(),
                name: "prod".into(),
                status: "ACTIVE".into(),
            }])
        });
        orgs.expect_create_account().never();
        orgs.expect_describe_account().returning(|_| {
            Ok(AccountInfo {
                id: "222222222222".into(),
                ..AccountInfo::default()
            })
        });
        let state = create_account(&orgs, &request(), 10).await.unwrap();
        assert_eq!(state.physical_id, "222222222222");
    }

    #[tokio::test]
    async fn account_tags_are_created_read_back_and_updated_without_touching_others() {
        let mut orgs = MockOrganizationsApi::new();
        let mut p = request().properties;
        p["Tags"] =
            json!([{"Key": "product", "Value": "house-escort"}, {"Key": "env", "Value": "prod"}]);
        let mut req = request();
        req.properties = p.clone();
        orgs.expect_list_accounts().returning(|| Ok(vec![]));
        orgs.expect_create_account()
            .withf(|_, _, _, tags| {
                *tags
                    == [
                        ("product".to_owned(), "house-escort".to_owned()),
                        ("env".to_owned(), "prod".to_owned()),
                    ]
            })
            .times(1)
            .returning(|_, _, _, _| {
                Ok(CreateAccountStatus {
                    id: "car-1".into(),
                    state: CreateAccountState::InProgress,
                })
            });
        create_account(&orgs, &req, 10).await.unwrap();

        orgs.expect_describe_account().returning(|_| {
            Ok(AccountInfo {
                id: "222222222222".into(),
                email: "prod@example.com".into(),
                name: "prod".into(),
                ..AccountInfo::default()
            })
        });
        orgs.expect_parent_of().returning(|_| Ok("r-root".into()));
        orgs.expect_list_tags_for_resource().returning(|_| {
            Ok(vec![
                ("env".into(), "prod".into()),
                ("landform:internal".into(), "x".into()),
                ("product".into(), "house-escort".into()),
            ])
        });
        let read = read_account(&orgs, "222222222222", &p, 10).await.unwrap();
        assert_eq!(read.properties["Tags"], p["Tags"]);

        let mut next = p.clone();
        next["Tags"] = json!([{"Key": "product", "Value": "house-escort-2"}]);
        orgs.expect_tag_resource()
            .withf(|id, tags| {
                id == "222222222222"
                    && *tags == [("product".to_owned(), "house-escort-2".to_owned())]
            })
            .times(1)
            .returning(|_, _| Ok(()));
        orgs.expect_untag_resource()
            .withf(|id, keys| id == "222222222222" && *keys == ["env".to_owned()])
            .times(1)
            .returning(|_, _| Ok(()));
        let update = UpdateRequest {
            type_name: "AWS::Organizations::Account".into(),
            physical_id: "222222222222".into(),
            previous: p,
            properties: next,
        };
        update_account(&orgs, &update).await.unwrap();
    }

    #[tokio::test]
    async fn unit_policy_and_account_refuse_properties_they_would_ignore() {
        let orgs = MockOrganizationsApi::new();
        let mut req = request();
        req.properties["IamUserAccessToBilling"] = json!("ALLOW");
        let e = create_account(&orgs, &req, 10).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        req.type_name = "AWS::Organizations::Policy".into();
        req.properties = json!({"Name": "p", "Content": "{}", "Tags": []});
        let e = create_policy(&orgs, &req).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        req.type_name = "AWS::Organizations::OrganizationalUnit".into();
        req.properties = json!({"Name": "u", "Description": "x"});
        let e = create_unit(&orgs, &req).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
    }
}
