//! The IAM calls the role and OIDC provider providers make.

use async_trait::async_trait;
use landform_deploy::ProviderError;

use super::Tag;
use crate::error::{sdk_error, ErrorCode};

/// What CreateRole takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSpec {
    /// The role name.
    pub name: String,
    /// The path (`/`).
    pub path: Option<String>,
    /// The trust policy, as sent.
    pub assume_role_policy: String,
    /// The description.
    pub description: Option<String>,
    /// MaxSessionDuration in seconds.
    pub max_session_duration: Option<i32>,
    /// The permissions boundary policy ARN.
    pub permissions_boundary: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// A role as GetRole answers (trust policy URL-decoded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleInfo {
    /// The name.
    pub name: String,
    /// The ARN.
    pub arn: String,
    /// The role id (`AROA...`).
    pub role_id: String,
    /// The path.
    pub path: String,
    /// The trust policy document.
    pub assume_role_policy: String,
    /// The description.
    pub description: Option<String>,
    /// MaxSessionDuration in seconds.
    pub max_session_duration: Option<i32>,
    /// The permissions boundary policy ARN.
    pub permissions_boundary: Option<String>,
    /// Tags, in IAM's order.
    pub tags: Vec<Tag>,
}

/// An OIDC provider as GetOpenIDConnectProvider answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OidcProviderInfo {
    /// The issuer URL (without `https://`, as IAM stores it).
    pub url: String,
    /// Audiences.
    pub client_ids: Vec<String>,
    /// Thumbprints.
    pub thumbprints: Vec<String>,
}

/// The IAM calls of the role and OIDC provider providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait IamApi: Send + Sync {
    /// CreateRole.
    async fn create_role(&self, spec: &RoleSpec) -> Result<RoleInfo, ProviderError>;
    /// GetRole.
    async fn get_role(&self, name: &str) -> Result<RoleInfo, ProviderError>;
    /// UpdateAssumeRolePolicy.
    async fn update_assume_role_policy(
        &self,
        name: &str,
        policy: &str,
    ) -> Result<(), ProviderError>;
    /// UpdateRole (description, MaxSessionDuration).
    async fn update_role(
        &self,
        name: &str,
        description: Option<String>,
        max_session_duration: Option<i32>,
    ) -> Result<(), ProviderError>;
    /// ListAttachedRolePolicies: the policy ARNs.
    async fn list_attached_role_policies(&self, name: &str) -> Result<Vec<String>, ProviderError>;
    /// AttachRolePolicy.
    async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> Result<(), ProviderError>;
    /// DetachRolePolicy.
    async fn detach_role_policy(&self, name: &str, policy_arn: &str) -> Result<(), ProviderError>;
    /// ListRolePolicies: the inline policy names.
    async fn list_role_policies(&self, name: &str) -> Result<Vec<String>, ProviderError>;
    /// DeleteRolePolicy.
    async fn delete_role_policy(&self, name: &str, policy: &str) -> Result<(), ProviderError>;
    /// PutRolePolicy (an inline policy, created or replaced).
    async fn put_role_policy(
        &self,
        name: &str,
        policy: &str,
        document: &str,
    ) -> Result<(), ProviderError>;
    /// GetRolePolicy: the inline policy's document, URL-decoded.
    async fn get_role_policy(&self, name: &str, policy: &str) -> Result<String, ProviderError>;
    /// TagRole.
    async fn tag_role(&self, name: &str, tags: Vec<Tag>) -> Result<(), ProviderError>;
    /// UntagRole.
    async fn untag_role(&self, name: &str, keys: Vec<String>) -> Result<(), ProviderError>;
    /// PutRolePermissionsBoundary.
    async fn put_role_permissions_boundary(
        &self,
        name: &str,
        policy_arn: &str,
    ) -> Result<(), ProviderError>;
    /// DeleteRolePermissionsBoundary.
    async fn delete_role_permissions_boundary(&self, name: &str) -> Result<(), ProviderError>;
    /// DeleteRole.
    async fn delete_role(&self, name: &str) -> Result<(), ProviderError>;
    /// CreateOpenIDConnectProvider: the ARN.
    async fn create_open_id_connect_provider(
        &self,
        url: &str,
        client_ids: Vec<String>,
        thumbprints: Vec<String>,
    ) -> Result<String, ProviderError>;
    /// GetOpenIDConnectProvider.
    async fn get_open_id_connect_provider(
        &self,
        arn: &str,
    ) -> Result<OidcProviderInfo, ProviderError>;
    /// ListOpenIDConnectProviders: the ARNs.
    async fn list_open_id_connect_providers(&self) -> Result<Vec<String>, ProviderError>;
    /// AddClientIDToOpenIDConnectProvider.
    async fn add_client_id(&self, arn: &str, client_id: &str) -> Result<(), ProviderError>;
    /// RemoveClientIDFromOpenIDConnectProvider.
    async fn remove_client_id(&self, arn: &str, client_id: &str) -> Result<(), ProviderError>;
    /// UpdateOpenIDConnectProviderThumbprint.
    async fn update_thumbprints(
        &self,
        arn: &str,
        thumbprints: Vec<String>,
    ) -> Result<(), ProviderError>;
    /// DeleteOpenIDConnectProvider.
    async fn delete_open_id_connect_provider(&self, arn: &str) -> Result<(), ProviderError>;
    /// UpdateAccountPasswordPolicy (replaces the whole policy).
    async fn update_account_password_policy(
        &self,
        policy: &AccountPasswordPolicy,
    ) -> Result<(), ProviderError>;
    /// GetAccountPasswordPolicy (NotFound when the account has none).
    async fn get_account_password_policy(&self) -> Result<AccountPasswordPolicy, ProviderError>;
    /// DeleteAccountPasswordPolicy.
    async fn delete_account_password_policy(&self) -> Result<(), ProviderError>;
}

/// [`IamApi`] over the SDK.
#[derive(Debug, Clone)]
pub struct SdkIam(pub(crate) aws_sdk_iam::Client);

/// Decode the `%XX` escapes of a URL-encoded policy document (IAM returns trust policies
/// so encoded).
pub(crate) fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn role_info(r: aws_sdk_iam::types::Role) -> RoleInfo {
    RoleInfo {
        name: r.role_name,
        arn: r.arn,
        role_id: r.role_id,
        path: r.path,
        assume_role_policy: r
            .assume_role_policy_document
            .map(|d| url_decode(&d))
            .unwrap_or_default(),
        description: r.description,
        max_session_duration: r.max_session_duration,
        permissions_boundary: r
            .permissions_boundary
            .and_then(|b| b.permissions_boundary_arn),
        tags: r
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect(),
    }
}

fn sdk_tags(tags: &[Tag]) -> Result<Vec<aws_sdk_iam::types::Tag>, ProviderError> {
    tags.iter()
        .map(|(k, v)| build(aws_sdk_iam::types::Tag::builder().key(k).value(v).build()))
        .collect()
}

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ProviderError> {
    r.map_err(|e| ProviderError::new(ErrorCode::InvalidRequest, e.to_string()))
}

#[async_trait]
impl IamApi for SdkIam {
    async fn create_role(&self, spec: &RoleSpec) -> Result<RoleInfo, ProviderError> {
        let mut call = self
            .0
            .create_role()
            .role_name(&spec.name)
            .assume_role_policy_document(&spec.assume_role_policy)
            .set_path(spec.path.clone())
            .set_description(spec.description.clone())
            .set_max_session_duration(spec.max_session_duration)
            .set_permissions_boundary(spec.permissions_boundary.clone());
        if !spec.tags.is_empty() {
            call = call.set_tags(Some(sdk_tags(&spec.tags)?));
        }
        let out = call.send().await.map_err(|e| sdk_error("CreateRole", e))?;
        out.role
            .map(role_info)
            .ok_or_else(|| crate::error::missing("CreateRole", "Role"))
    }
    async fn get_role(&self, name: &str) -> Result<RoleInfo, ProviderError> {
        let out = self
            .0
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| sdk_error("GetRole", e))?;
        out.role
            .map(role_info)
            .ok_or_else(|| crate::error::missing("GetRole", "Role"))
    }
    async fn update_assume_role_policy(
        &self,
        name: &str,
        policy: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(policy)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UpdateAssumeRolePolicy", e))
    }
    async fn update_role(
        &self,
        name: &str,
        description: Option<String>,
        max_session_duration: Option<i32>,
    ) -> Result<(), ProviderError> {
        self.0
            .update_role()
            .role_name(name)
            .set_description(description)
            .set_max_session_duration(max_session_duration)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UpdateRole", e))
    }
    async fn list_attached_role_policies(&self, name: &str) -> Result<Vec<String>, ProviderError> {
        let out = self
            .0
            .list_attached_role_policies()
            .role_name(name)
            .send()
            .await
            .map_err(|e| sdk_error("ListAttachedRolePolicies", e))?;
        Ok(out
            .attached_policies
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| p.policy_arn)
            .collect())
    }
    async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> Result<(), ProviderError> {
        self.0
            .attach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("AttachRolePolicy", e))
    }
    async fn detach_role_policy(&self, name: &str, policy_arn: &str) -> Result<(), ProviderError> {
        self.0
            .detach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DetachRolePolicy", e))
    }
    async fn list_role_policies(&self, name: &str) -> Result<Vec<String>, ProviderError> {
        let out = self
            .0
            .list_role_policies()
            .role_name(name)
            .send()
            .await
            .map_err(|e| sdk_error("ListRolePolicies", e))?;
        Ok(out.policy_names)
    }
    async fn delete_role_policy(&self, name: &str, policy: &str) -> Result<(), ProviderError> {
        self.0
            .delete_role_policy()
            .role_name(name)
            .policy_name(policy)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteRolePolicy", e))
    }
    async fn put_role_policy(
        &self,
        name: &str,
        policy: &str,
        document: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .put_role_policy()
            .role_name(name)
            .policy_name(policy)
            .policy_document(document)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutRolePolicy", e))
    }
    async fn get_role_policy(&self, name: &str, policy: &str) -> Result<String, ProviderError> {
        let out = self
            .0
            .get_role_policy()
            .role_name(name)
            .policy_name(policy)
            .send()
            .await
            .map_err(|e| sdk_error("GetRolePolicy", e))?;
        Ok(url_decode(&out.policy_document))
    }
    async fn tag_role(&self, name: &str, tags: Vec<Tag>) -> Result<(), ProviderError> {
        self.0
            .tag_role()
            .role_name(name)
            .set_tags(Some(sdk_tags(&tags)?))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("TagRole", e))
    }
    async fn untag_role(&self, name: &str, keys: Vec<String>) -> Result<(), ProviderError> {
        self.0
            .untag_role()
            .role_name(name)
            .set_tag_keys(Some(keys))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UntagRole", e))
    }
    async fn put_role_permissions_boundary(
        &self,
        name: &str,
        policy_arn: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .put_role_permissions_boundary()
            .role_name(name)
            .permissions_boundary(policy_arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutRolePermissionsBoundary", e))
    }
    async fn delete_role_permissions_boundary(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_role_permissions_boundary()
            .role_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteRolePermissionsBoundary", e))
    }
    async fn delete_role(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_role()
            .role_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteRole", e))
    }
    async fn create_open_id_connect_provider(
        &self,
        url: &str,
        client_ids: Vec<String>,
        thumbprints: Vec<String>,
    ) -> Result<String, ProviderError> {
        let mut call = self
            .0
            .create_open_id_connect_provider()
            .url(url)
            .set_client_id_list(Some(client_ids));
        if !thumbprints.is_empty() {
            call = call.set_thumbprint_list(Some(thumbprints));
        }
        let out = call
            .send()
            .await
            .map_err(|e| sdk_error("CreateOpenIDConnectProvider", e))?;
        out.open_id_connect_provider_arn
            .ok_or_else(|| crate::error::missing("CreateOpenIDConnectProvider", "Arn"))
    }
    async fn get_open_id_connect_provider(
        &self,
        arn: &str,
    ) -> Result<OidcProviderInfo, ProviderError> {
        let out = self
            .0
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| sdk_error("GetOpenIDConnectProvider", e))?;
        Ok(OidcProviderInfo {
            url: out.url.unwrap_or_default(),
            client_ids: out.client_id_list.unwrap_or_default(),
            thumbprints: out.thumbprint_list.unwrap_or_default(),
        })
    }
    async fn list_open_id_connect_providers(&self) -> Result<Vec<String>, ProviderError> {
        let out = self
            .0
            .list_open_id_connect_providers()
            .send()
            .await
            .map_err(|e| sdk_error("ListOpenIDConnectProviders", e))?;
        Ok(out
            .open_id_connect_provider_list
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| p.arn)
            .collect())
    }
    async fn add_client_id(&self, arn: &str, client_id: &str) -> Result<(), ProviderError> {
        self.0
            .add_client_id_to_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .client_id(client_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("AddClientIDToOpenIDConnectProvider", e))
    }
    async fn remove_client_id(&self, arn: &str, client_id: &str) -> Result<(), ProviderError> {
        self.0
            .remove_client_id_from_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .client_id(client_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("RemoveClientIDFromOpenIDConnectProvider", e))
    }
    async fn update_thumbprints(
        &self,
        arn: &str,
        thumbprints: Vec<String>,
    ) -> Result<(), ProviderError> {
        self.0
            .update_open_id_connect_provider_thumbprint()
            .open_id_connect_provider_arn(arn)
            .set_thumbprint_list(Some(thumbprints))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UpdateOpenIDConnectProviderThumbprint", e))
    }
    async fn delete_open_id_connect_provider(&self, arn: &str) -> Result<(), ProviderError> {
        self.0
            .delete_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteOpenIDConnectProvider", e))
    }
    async fn update_account_password_policy(
        &self,
        policy: &AccountPasswordPolicy,
    ) -> Result<(), ProviderError> {
        self.0
            .update_account_password_policy()
            .set_minimum_password_length(policy.minimum_password_length)
            .require_symbols(policy.require_symbols)
            .require_numbers(policy.require_numbers)
            .require_uppercase_characters(policy.require_uppercase_characters)
            .require_lowercase_characters(policy.require_lowercase_characters)
            .allow_users_to_change_password(policy.allow_users_to_change_password)
            .set_max_password_age(policy.max_password_age)
            .set_password_reuse_prevention(policy.password_reuse_prevention)
            .set_hard_expiry(policy.hard_expiry)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UpdateAccountPasswordPolicy", e))
    }
    async fn get_account_password_policy(&self) -> Result<AccountPasswordPolicy, ProviderError> {
        let out = self
            .0
            .get_account_password_policy()
            .send()
            .await
            .map_err(|e| sdk_error("GetAccountPasswordPolicy", e))?;
        let p = out
            .password_policy
            .ok_or_else(|| crate::error::missing("GetAccountPasswordPolicy", "PasswordPolicy"))?;
        Ok(AccountPasswordPolicy {
            minimum_password_length: p.minimum_password_length,
            require_symbols: p.require_symbols,
            require_numbers: p.require_numbers,
            require_uppercase_characters: p.require_uppercase_characters,
            require_lowercase_characters: p.require_lowercase_characters,
            allow_users_to_change_password: p.allow_users_to_change_password,
            max_password_age: p.max_password_age.filter(|age| *age > 0),
            password_reuse_prevention: p.password_reuse_prevention,
            hard_expiry: p.hard_expiry,
        })
    }
    async fn delete_account_password_policy(&self) -> Result<(), ProviderError> {
        self.0
            .delete_account_password_policy()
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteAccountPasswordPolicy", e))
    }
}

/// The account's IAM password policy, as UpdateAccountPasswordPolicy takes it and
/// GetAccountPasswordPolicy answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountPasswordPolicy {
    /// MinimumPasswordLength (IAM's default 8 when `None`).
    pub minimum_password_length: Option<i32>,
    /// RequireSymbols.
    pub require_symbols: bool,
    /// RequireNumbers.
    pub require_numbers: bool,
    /// RequireUppercaseCharacters.
    pub require_uppercase_characters: bool,
    /// RequireLowercaseCharacters.
    pub require_lowercase_characters: bool,
    /// AllowUsersToChangePassword.
    pub allow_users_to_change_password: bool,
    /// MaxPasswordAge in days; `None` for passwords that never expire.
    pub max_password_age: Option<i32>,
    /// PasswordReusePrevention.
    pub password_reuse_prevention: Option<i32>,
    /// HardExpiry.
    pub hard_expiry: Option<bool>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn url_decode_restores_the_document() {
        assert_eq!(
            super::url_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(super::url_decode("100%"), "100%");
    }
}
