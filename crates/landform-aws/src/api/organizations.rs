//! The Organizations calls the unit, policy and account providers make.

use async_trait::async_trait;
use aws_sdk_organizations::types::{CreateAccountState as SdkState, PolicyType};
use landform_deploy::ProviderError;

use super::Tag;
use crate::error::{sdk_error, ErrorCode};

/// An organizational unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationalUnitInfo {
    /// `ou-...`.
    pub id: String,
    /// The ARN.
    pub arn: String,
    /// The name.
    pub name: String,
}

/// A policy with its content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyInfo {
    /// `p-...`.
    pub id: String,
    /// The ARN.
    pub arn: String,
    /// The name.
    pub name: String,
    /// The description.
    pub description: String,
    /// `SERVICE_CONTROL_POLICY`...
    pub policy_type: String,
    /// The document.
    pub content: String,
}

/// A member account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountInfo {
    /// The 12-digit id.
    pub id: String,
    /// The ARN.
    pub arn: String,
    /// The root email.
    pub email: String,
    /// The name.
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
}

/// Where a CreateAccount request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateAccountState {
    /// Still running.
    InProgress,
    /// Done: the account id.
    Succeeded(String),
    /// Failed: AWS's failure reason (`EMAIL_ALREADY_EXISTS`, `ACCOUNT_LIMIT_EXCEEDED`...).
    Failed(String),
}

/// A CreateAccount request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateAccountStatus {
    /// `car-...`.
    pub id: String,
    /// Its state.
    pub state: CreateAccountState,
}

/// The Organizations calls of the unit, policy and account providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait OrganizationsApi: Send + Sync {
    /// ListRoots: the root id.
    async fn root_id(&self) -> Result<String, ProviderError>;
    /// CreateOrganizationalUnit.
    async fn create_organizational_unit(
        &self,
        parent: &str,
        name: &str,
        tags: Vec<Tag>,
    ) -> Result<OrganizationalUnitInfo, ProviderError>;
    /// DescribeOrganizationalUnit.
    async fn describe_organizational_unit(
        &self,
        id: &str,
    ) -> Result<OrganizationalUnitInfo, ProviderError>;
    /// UpdateOrganizationalUnit (rename).
    async fn update_organizational_unit(&self, id: &str, name: &str) -> Result<(), ProviderError>;
    /// DeleteOrganizationalUnit.
    async fn delete_organizational_unit(&self, id: &str) -> Result<(), ProviderError>;
    /// ListOrganizationalUnitsForParent (all pages).
    async fn list_organizational_units_for_parent(
        &self,
        parent: &str,
    ) -> Result<Vec<OrganizationalUnitInfo>, ProviderError>;
    /// ListParents: the parent id.
    async fn parent_of(&self, child: &str) -> Result<String, ProviderError>;
    /// CreatePolicy.
    async fn create_policy(
        &self,
        name: &str,
        description: &str,
        policy_type: &str,
        content: &str,
    ) -> Result<PolicyInfo, ProviderError>;
    /// DescribePolicy.
    async fn describe_policy(&self, id: &str) -> Result<PolicyInfo, ProviderError>;
    /// UpdatePolicy.
    async fn update_policy(
        &self,
        id: &str,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<(), ProviderError>;
    /// DeletePolicy.
    async fn delete_policy(&self, id: &str) -> Result<(), ProviderError>;
    /// ListPolicies of a type (all pages), without content.
    async fn list_policies(&self, policy_type: &str) -> Result<Vec<PolicyInfo>, ProviderError>;
    /// AttachPolicy.
    async fn attach_policy(&self, policy: &str, target: &str) -> Result<(), ProviderError>;
    /// DetachPolicy.
    async fn detach_policy(&self, policy: &str, target: &str) -> Result<(), ProviderError>;
    /// ListTargetsForPolicy (all pages): the target ids.
    async fn list_targets_for_policy(&self, policy: &str) -> Result<Vec<String>, ProviderError>;
    /// CreateAccount.
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        role_name: Option<String>,
        tags: Vec<Tag>,
    ) -> Result<CreateAccountStatus, ProviderError>;
    /// DescribeCreateAccountStatus.
    async fn describe_create_account_status(
        &self,
        request_id: &str,
    ) -> Result<CreateAccountStatus, ProviderError>;
    /// ListAccounts (all pages).
    async fn list_accounts(&self) -> Result<Vec<AccountInfo>, ProviderError>;
    /// DescribeAccount.
    async fn describe_account(&self, id: &str) -> Result<AccountInfo, ProviderError>;
    /// MoveAccount.
    async fn move_account(
        &self,
        account: &str,
        source: &str,
        destination: &str,
    ) -> Result<(), ProviderError>;
    /// CloseAccount.
    async fn close_account(&self, account: &str) -> Result<(), ProviderError>;
    /// ListTagsForResource (all pages) of an account, unit, policy or root.
    async fn list_tags_for_resource(&self, id: &str) -> Result<Vec<Tag>, ProviderError>;
    /// TagResource.
    async fn tag_resource(&self, id: &str, tags: Vec<Tag>) -> Result<(), ProviderError>;
    /// UntagResource.
    async fn untag_resource(&self, id: &str, keys: Vec<String>) -> Result<(), ProviderError>;
}

/// [`OrganizationsApi`] over the SDK.
#[derive(Debug, Clone)]
pub struct SdkOrganizations(pub(crate) aws_sdk_organizations::Client);

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ProviderError> {
    r.map_err(|e| ProviderError::new(ErrorCode::InvalidRequest, e.to_string()))
}

fn ou(o: aws_sdk_organizations::types::OrganizationalUnit) -> OrganizationalUnitInfo {
    OrganizationalUnitInfo {
        id: o.id.unwrap_or_default(),
        arn: o.arn.unwrap_or_default(),
        name: o.name.unwrap_or_default(),
    }
}

fn status(s: aws_sdk_organizations::types::CreateAccountStatus) -> CreateAccountStatus {
    let state = match s.state {
        Some(SdkState::Succeeded) => {
            CreateAccountState::Succeeded(s.account_id.unwrap_or_default())
        }
        Some(SdkState::Failed) => CreateAccountState::Failed(
            s.failure_reason
                .map(|r| r.as_str().to_owned())
                .unwrap_or_else(|| "UNKNOWN".to_owned()),
        ),
        _ => CreateAccountState::InProgress,
    };
    CreateAccountStatus {
        id: s.id.unwrap_or_default(),
        state,
    }
}

fn account(a: aws_sdk_organizations::types::Account) -> AccountInfo {
    AccountInfo {
        id: a.id.unwrap_or_default(),
        arn: a.arn.unwrap_or_default(),
        email: a.email.unwrap_or_default(),
        name: a.name.unwrap_or_default(),
        status: a.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
    }
}

#[async_trait]
impl OrganizationsApi for SdkOrganizations {
    async fn root_id(&self) -> Result<String, ProviderError> {
        let out = self
            .0
            .list_roots()
            .send()
            .await
            .map_err(|e| sdk_error("ListRoots", e))?;
        out.roots
            .unwrap_or_default()
            .into_iter()
            .find_map(|r| r.id)
            .ok_or_else(|| crate::error::missing("ListRoots", "Roots"))
    }
    async fn create_organizational_unit(
        &self,
        parent: &str,
        name: &str,
        tags: Vec<Tag>,
    ) -> Result<OrganizationalUnitInfo, ProviderError> {
        let mut call = self
            .0
            .create_organizational_unit()
            .parent_id(parent)
            .name(name);
        for (k, v) in tags {
            call = call.tags(build(
                aws_sdk_organizations::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build(),
            )?);
        }
        let out = call
            .send()
            .await
            .map_err(|e| sdk_error("CreateOrganizationalUnit", e))?;
        out.organizational_unit
            .map(ou)
            .ok_or_else(|| crate::error::missing("CreateOrganizationalUnit", "OrganizationalUnit"))
    }
    async fn describe_organizational_unit(
        &self,
        id: &str,
    ) -> Result<OrganizationalUnitInfo, ProviderError> {
        let out = self
            .0
            .describe_organizational_unit()
            .organizational_unit_id(id)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeOrganizationalUnit", e))?;
        out.organizational_unit.map(ou).ok_or_else(|| {
            crate::error::missing("DescribeOrganizationalUnit", "OrganizationalUnit")
        })
    }
    async fn update_organizational_unit(&self, id: &str, name: &str) -> Result<(), ProviderError> {
        self.0
            .update_organizational_unit()
            .organizational_unit_id(id)
            .name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UpdateOrganizationalUnit", e))
    }
    async fn delete_organizational_unit(&self, id: &str) -> Result<(), ProviderError> {
        self.0
            .delete_organizational_unit()
            .organizational_unit_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteOrganizationalUnit", e))
    }
    async fn list_organizational_units_for_parent(
        &self,
        parent: &str,
    ) -> Result<Vec<OrganizationalUnitInfo>, ProviderError> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .list_organizational_units_for_parent()
                .parent_id(parent)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| sdk_error("ListOrganizationalUnitsForParent", e))?;
            all.extend(
                out.organizational_units
                    .unwrap_or_default()
                    .into_iter()
                    .map(ou),
            );
            token = out.next_token;
            if token.is_none() {
                return Ok(all);
            }
        }
    }
    async fn parent_of(&self, child: &str) -> Result<String, ProviderError> {
        let out = self
            .0
            .list_parents()
            .child_id(child)
            .send()
            .await
            .map_err(|e| sdk_error("ListParents", e))?;
        out.parents
            .unwrap_or_default()
            .into_iter()
            .find_map(|p| p.id)
            .ok_or_else(|| crate::error::missing("ListParents", "Parents"))
    }
    async fn create_policy(
        &self,
        name: &str,
        description: &str,
        policy_type: &str,
        content: &str,
    ) -> Result<PolicyInfo, ProviderError> {
        let out = self
            .0
            .create_policy()
            .name(name)
            .description(description)
            .r#type(PolicyType::from(policy_type))
            .content(content)
            .send()
            .await
            .map_err(|e| sdk_error("CreatePolicy", e))?;
        let summary = out
            .policy
            .and_then(|p| p.policy_summary)
            .ok_or_else(|| crate::error::missing("CreatePolicy", "PolicySummary"))?;
        Ok(PolicyInfo {
            id: summary.id.unwrap_or_default(),
            arn: summary.arn.unwrap_or_default(),
            name: name.to_owned(),
            description: description.to_owned(),
            policy_type: policy_type.to_owned(),
            content: content.to_owned(),
        })
    }
    async fn describe_policy(&self, id: &str) -> Result<PolicyInfo, ProviderError> {
        let out = self
            .0
            .describe_policy()
            .policy_id(id)
            .send()
            .await
            .map_err(|e| sdk_error("DescribePolicy", e))?;
        let policy = out
            .policy
            .ok_or_else(|| crate::error::missing("DescribePolicy", "Policy"))?;
        let summary = policy
            .policy_summary
            .ok_or_else(|| crate::error::missing("DescribePolicy", "PolicySummary"))?;
        Ok(PolicyInfo {
            id: summary.id.unwrap_or_default(),
            arn: summary.arn.unwrap_or_default(),
            name: summary.name.unwrap_or_default(),
            description: summary.description.unwrap_or_default(),
            policy_type: summary
                .r#type
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            content: policy.content.unwrap_or_default(),
        })
    }
    async fn update_policy(
        &self,
        id: &str,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .update_policy()
            .policy_id(id)
            .name(name)
            .description(description)
            .content(content)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UpdatePolicy", e))
    }
    async fn delete_policy(&self, id: &str) -> Result<(), ProviderError> {
        self.0
            .delete_policy()
            .policy_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeletePolicy", e))
    }
    async fn list_policies(&self, policy_type: &str) -> Result<Vec<PolicyInfo>, ProviderError> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .list_policies()
                .filter(PolicyType::from(policy_type))
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| sdk_error("ListPolicies", e))?;
            all.extend(
                out.policies
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| PolicyInfo {
                        id: s.id.unwrap_or_default(),
                        arn: s.arn.unwrap_or_default(),
                        name: s.name.unwrap_or_default(),
                        description: s.description.unwrap_or_default(),
                        policy_type: policy_type.to_owned(),
                        content: String::new(),
                    }),
            );
            token = out.next_token;
            if token.is_none() {
                return Ok(all);
            }
        }
    }
    async fn attach_policy(&self, policy: &str, target: &str) -> Result<(), ProviderError> {
        self.0
            .attach_policy()
            .policy_id(policy)
            .target_id(target)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("AttachPolicy", e))
    }
    async fn detach_policy(&self, policy: &str, target: &str) -> Result<(), ProviderError> {
        self.0
            .detach_policy()
            .policy_id(policy)
            .target_id(target)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DetachPolicy", e))
    }
    async fn list_targets_for_policy(&self, policy: &str) -> Result<Vec<String>, ProviderError> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .list_targets_for_policy()
                .policy_id(policy)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| sdk_error("ListTargetsForPolicy", e))?;
            all.extend(
                out.targets
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|t| t.target_id),
            );
            token = out.next_token;
            if token.is_none() {
                return Ok(all);
            }
        }
    }
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        role_name: Option<String>,
        tags: Vec<Tag>,
    ) -> Result<CreateAccountStatus, ProviderError> {
        let mut call = self
            .0
            .create_account()
            .email(email)
            .account_name(name)
            .set_role_name(role_name);
        for (k, v) in tags {
            call = call.tags(build(
                aws_sdk_organizations::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build(),
            )?);
        }
        let out = call
            .send()
            .await
            .map_err(|e| sdk_error("CreateAccount", e))?;
        out.create_account_status
            .map(status)
            .ok_or_else(|| crate::error::missing("CreateAccount", "CreateAccountStatus"))
    }
    async fn describe_create_account_status(
        &self,
        request_id: &str,
    ) -> Result<CreateAccountStatus, ProviderError> {
        let out = self
            .0
            .describe_create_account_status()
            .create_account_request_id(request_id)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeCreateAccountStatus", e))?;
        out.create_account_status.map(status).ok_or_else(|| {
            crate::error::missing("DescribeCreateAccountStatus", "CreateAccountStatus")
        })
    }
    async fn list_accounts(&self) -> Result<Vec<AccountInfo>, ProviderError> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .list_accounts()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| sdk_error("ListAccounts", e))?;
            all.extend(out.accounts.unwrap_or_default().into_iter().map(account));
            token = out.next_token;
            if token.is_none() {
                return Ok(all);
            }
        }
    }
    async fn describe_account(&self, id: &str) -> Result<AccountInfo, ProviderError> {
        let out = self
            .0
            .describe_account()
            .account_id(id)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeAccount", e))?;
        out.account
            .map(account)
            .ok_or_else(|| crate::error::missing("DescribeAccount", "Account"))
    }
    async fn move_account(
        &self,
        account: &str,
        source: &str,
        destination: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .move_account()
            .account_id(account)
            .source_parent_id(source)
            .destination_parent_id(destination)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("MoveAccount", e))
    }
    async fn close_account(&self, account: &str) -> Result<(), ProviderError> {
        self.0
            .close_account()
            .account_id(account)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("CloseAccount", e))
    }
    async fn list_tags_for_resource(&self, id: &str) -> Result<Vec<Tag>, ProviderError> {
        let mut pages = self
            .0
            .list_tags_for_resource()
            .resource_id(id)
            .into_paginator()
            .send();
        let mut tags = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("ListTagsForResource", e))?;
            tags.extend(
                page.tags
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| (t.key, t.value)),
            );
        }
        Ok(tags)
    }
    async fn tag_resource(&self, id: &str, tags: Vec<Tag>) -> Result<(), ProviderError> {
        let tags = tags
            .into_iter()
            .map(|(k, v)| {
                build(
                    aws_sdk_organizations::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.0
            .tag_resource()
            .resource_id(id)
            .set_tags(Some(tags))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("TagResource", e))
    }
    async fn untag_resource(&self, id: &str, keys: Vec<String>) -> Result<(), ProviderError> {
        self.0
            .untag_resource()
            .resource_id(id)
            .set_tag_keys(Some(keys))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UntagResource", e))
    }
}
