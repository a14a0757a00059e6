//! The account-wide settings the baseline's custom resources stand for (IAM password policy,
//! S3 account public access block), made directly: the direct path does not invoke the
//! baseline's Lambda function, it makes the same calls itself. `ServiceToken` is ignored but
//! read back as recorded, so it never shows as drift.

use std::collections::BTreeMap;

use async_trait::async_trait;
use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::{json, Value as Json};

use super::kms::{like, only_in_place};
use super::{boolean, integer, unknown, ClientSource, Family};
use crate::api::{AccountPasswordPolicy, IamApi, PublicAccessBlock, S3ControlApi};
use crate::error::ErrorCode;

/// The account-wide settings of the baseline, made directly.
pub(super) struct Account;

const PASSWORD_POLICY: &str = "Custom::AccountPasswordPolicy";
const PUBLIC_ACCESS_BLOCK: &str = "Custom::AccountPublicAccessBlock";

/// The four switches on, as the baseline's function sets them.
const BLOCK_ALL: PublicAccessBlock = PublicAccessBlock {
    block_public_acls: true,
    ignore_public_acls: true,
    block_public_policy: true,
    restrict_public_buckets: true,
};

#[async_trait]
impl Family for Account {
    fn types(&self) -> &'static [&'static str] {
        &[PASSWORD_POLICY, PUBLIC_ACCESS_BLOCK]
    }
    fn permissions(&self, type_name: &str) -> &'static [&'static str] {
        match type_name {
            PASSWORD_POLICY => &[
                "iam:UpdateAccountPasswordPolicy",
                "iam:GetAccountPasswordPolicy",
                "iam:DeleteAccountPasswordPolicy",
            ],
            // S3 Control's Get/Put/DeletePublicAccessBlock are authorised by these two.
            PUBLIC_ACCESS_BLOCK => &[
                "s3:GetAccountPublicAccessBlock",
                "s3:PutAccountPublicAccessBlock",
            ],
            _ => &[],
        }
    }
    async fn create(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let p = &request.properties;
        match request.type_name.as_str() {
            PASSWORD_POLICY => {
                let iam = clients.iam(session).await?;
                iam.update_account_password_policy(&password_policy(p)?)
                    .await?;
                Ok(ready(password_policy_id(session), p.clone()))
            }
            PUBLIC_ACCESS_BLOCK => {
                let s3control = clients.s3control(session).await?;
                s3control
                    .put_public_access_block(&session.account_id, BLOCK_ALL)
                    .await?;
                Ok(ready(public_access_block_id(session), p.clone()))
            }
            other => Err(unknown(other)),
        }
    }
    async fn read(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        match type_name {
            PASSWORD_POLICY => {
                let iam = clients.iam(session).await?;
                read_password_policy(&*iam, physical_id, properties).await
            }
            PUBLIC_ACCESS_BLOCK => {
                let s3control = clients.s3control(session).await?;
                read_public_access_block(&*s3control, session, physical_id, properties).await
            }
            other => Err(unknown(other)),
        }
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let p = &request.properties;
        match request.type_name.as_str() {
            PASSWORD_POLICY => {
                only_in_place(request, &["Policy", "ServiceToken"])?;
                if request.previous.get("Policy") != p.get("Policy") {
                    let iam = clients.iam(session).await?;
                    iam.update_account_password_policy(&password_policy(p)?)
                        .await?;
                }
                Ok(ready(request.physical_id.clone(), p.clone()))
            }
            PUBLIC_ACCESS_BLOCK => {
                // AccountId is the session's account whatever the template says; the
                // block has nothing else to change.
                only_in_place(request, &["AccountId", "ServiceToken"])?;
                let s3control = clients.s3control(session).await?;
                s3control
                    .put_public_access_block(&session.account_id, BLOCK_ALL)
                    .await?;
                Ok(ready(request.physical_id.clone(), p.clone()))
            }
            other => Err(unknown(other)),
        }
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        _physical_id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        match type_name {
            // NoSuchEntity (NotFound) when the account has no policy.
            PASSWORD_POLICY => {
                clients
                    .iam(session)
                    .await?
                    .delete_account_password_policy()
                    .await
            }
            PUBLIC_ACCESS_BLOCK => {
                let s3control = clients.s3control(session).await?;
                // Look first: deleting a block that is not there succeeds.
                s3control
                    .get_public_access_block(&session.account_id)
                    .await?;
                s3control
                    .delete_public_access_block(&session.account_id)
                    .await
            }
            other => Err(unknown(other)),
        }
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        // One per account: whatever is there is this resource (adopted; a differing
        // setting then reads back as a difference).
        let id = match request.type_name.as_str() {
            PASSWORD_POLICY => password_policy_id(session),
            PUBLIC_ACCESS_BLOCK => public_access_block_id(session),
            other => return Err(unknown(other)),
        };
        match self
            .read(
                clients,
                session,
                &request.type_name,
                &id,
                &request.properties,
            )
            .await
        {
            Ok(state) => Ok(Some(state)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn password_policy_id(session: &Session) -> String {
    format!("password-policy-{}", session.account_id)
}

fn public_access_block_id(session: &Session) -> String {
    format!("public-access-block-{}", session.account_id)
}

/// A custom resource's state: its attributes echo its properties without `ServiceToken`,
/// as the in-memory cloud's custom resources do.
fn ready(id: String, props: Json) -> ResourceState {
    let attributes: BTreeMap<String, Json> = props
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k != "ServiceToken")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    ResourceState::ready(id, attributes, props)
}

/// The policy the baseline's function would set for `Policy` (users may change their own
/// password; MaxPasswordAge 0 or absent for never expire).
fn password_policy(props: &Json) -> Result<AccountPasswordPolicy, ProviderError> {
    let p = props
        .get("Policy")
        .ok_or_else(|| super::required(PASSWORD_POLICY, "Policy"))?;
    let int = |key: &str| integer(p.get(key)).and_then(|v| i32::try_from(v).ok());
    let flag = |key: &str| boolean(p.get(key)).unwrap_or(false);
    Ok(AccountPasswordPolicy {
        minimum_password_length: int("MinimumPasswordLength"),
        require_symbols: flag("RequireSymbols"),
        require_numbers: flag("RequireNumbers"),
        require_uppercase_characters: flag("RequireUppercaseCharacters"),
        require_lowercase_characters: flag("RequireLowercaseCharacters"),
        allow_users_to_change_password: true,
        max_password_age: int("MaxPasswordAge").filter(|age| *age > 0),
        password_reuse_prevention: int("PasswordReusePrevention"),
        hard_expiry: None,
    })
}

async fn read_password_policy(
    iam: &dyn IamApi,
    id: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let actual = iam.get_account_password_policy().await?;
    let was = recorded.get("Policy");
    let mut policy = serde_json::Map::new();
    let mut put = |key: &str, value: Json| {
        policy.insert(key.to_owned(), like(was.and_then(|w| w.get(key)), value));
    };
    if let Some(v) = actual.minimum_password_length {
        put("MinimumPasswordLength", json!(v));
    }
    put("RequireSymbols", json!(actual.require_symbols));
    put("RequireNumbers", json!(actual.require_numbers));
    put(
        "RequireUppercaseCharacters",
        json!(actual.require_uppercase_characters),
    );
    put(
        "RequireLowercaseCharacters",
        json!(actual.require_lowercase_characters),
    );
    if let Some(v) = actual.password_reuse_prevention {
        put("PasswordReusePrevention", json!(v));
    }
    match actual.max_password_age {
        Some(v) => put("MaxPasswordAge", json!(v)),
        // The template's 0 means never expire, as IAM's absent age.
        None if was.and_then(|w| integer(w.get("MaxPasswordAge"))) == Some(0) => {
            put("MaxPasswordAge", json!(0))
        }
        None => {}
    }
    let mut props = serde_json::Map::new();
    if let Some(token) = recorded.get("ServiceToken") {
        props.insert("ServiceToken".into(), token.clone());
    }
    props.insert("Policy".into(), Json::Object(policy));
    Ok(ready(id.to_owned(), Json::Object(props)))
}

async fn read_public_access_block(
    s3control: &dyn S3ControlApi,
    session: &Session,
    id: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let block = s3control
        .get_public_access_block(&session.account_id)
        .await?;
    // The resource stands for "all four on": a block with a switch off is not it, and reads
    // as gone so the next apply puts it back.
    if block != BLOCK_ALL {
        return Err(ProviderError::new(
            ErrorCode::NotFound,
            format!(
                "the public access block of account {} is not fully on: {block:?}",
                session.account_id
            ),
        ));
    }
    let mut props = serde_json::Map::new();
    if let Some(token) = recorded.get("ServiceToken") {
        props.insert("ServiceToken".into(), token.clone());
    }
    props.insert("AccountId".into(), json!(session.account_id));
    Ok(ready(id.to_owned(), Json::Object(props)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{MockIamApi, MockS3ControlApi};

    fn baseline_policy() -> Json {
        json!({
            "ServiceToken": "arn:aws:lambda:us-east-1:1:function:settings",
            "Policy": {
                "MaxPasswordAge": 90,
                "MinimumPasswordLength": 14,
                "PasswordReusePrevention": 24,
                "RequireLowercaseCharacters": true,
                "RequireNumbers": true,
                "RequireSymbols": true,
                "RequireUppercaseCharacters": true
            }
        })
    }

    #[test]
    fn the_policy_is_the_one_the_baseline_function_sets() {
        let p = password_policy(&baseline_policy()).unwrap();
        assert_eq!(p.minimum_password_length, Some(14));
        assert_eq!(p.password_reuse_prevention, Some(24));
        assert_eq!(p.max_password_age, Some(90));
        assert!(p.require_symbols && p.require_numbers && p.allow_users_to_change_password);
        let never =
            password_policy(&json!({"Policy": {"MaxPasswordAge": "0", "RequireSymbols": "false"}}))
                .unwrap();
        assert_eq!(never.max_password_age, None);
        assert!(!never.require_symbols);
        assert_eq!(
            password_policy(&json!({})).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }

    #[tokio::test]
    async fn the_policy_reads_back_as_the_template_wrote_it() {
        let mut iam = MockIamApi::new();
        let sent = password_policy(&baseline_policy()).unwrap();
        iam.expect_get_account_password_policy()
            .returning(move || Ok(sent.clone()));
        let state = read_password_policy(&iam, "password-policy-1", &baseline_policy())
            .await
            .unwrap();
        assert_eq!(state.properties, baseline_policy());
        assert!(!state.attributes.contains_key("ServiceToken"));
    }

    #[tokio::test]
    async fn a_block_with_a_switch_off_reads_as_gone() {
        let mut s3control = MockS3ControlApi::new();
        s3control.expect_get_public_access_block().returning(|_| {
            Ok(PublicAccessBlock {
                block_public_policy: false,
                ..BLOCK_ALL
            })
        });
        let session = Session::new("111111111111", "us-east-1");
        let err = read_public_access_block(&s3control, &session, "x", &json!({}))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);

        let mut s3control = MockS3ControlApi::new();
        s3control
            .expect_get_public_access_block()
            .withf(|account| account == "111111111111")
            .returning(|_| Ok(BLOCK_ALL));
        let recorded = json!({"ServiceToken": "t", "AccountId": "111111111111"});
        let state = read_public_access_block(&s3control, &session, "x", &recorded)
            .await
            .unwrap();
        assert_eq!(state.properties, recorded);
    }
}
