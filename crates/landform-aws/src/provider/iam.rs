//! AWS::IAM::Role and AWS::IAM::OIDCProvider.

use std::collections::BTreeMap;

use landform_deploy::{CreateRequest, ProviderError, ResourceState, UpdateRequest};
use serde_json::{json, Value as Json};

use super::guardduty::{has_tags, ordered_tags, refuse_unsupported, tag_changes};
use super::{document, document_value, integer, name_of, required, string, strings, tags};
use crate::api::{IamApi, RoleInfo, RoleSpec};
use crate::error::ErrorCode;

fn role_state(role: &RoleInfo, properties: Json) -> ResourceState {
    let attributes: BTreeMap<String, Json> = [
        ("Arn".to_owned(), json!(role.arn)),
        ("RoleId".to_owned(), json!(role.role_id)),
    ]
    .into_iter()
    .collect();
    ResourceState::ready(role.name.clone(), attributes, properties)
}

fn max_session(props: &Json) -> Option<i32> {
    integer(props.get("MaxSessionDuration")).and_then(|v| i32::try_from(v).ok())
}

const ROLE: &str = "AWS::IAM::Role";
const ROLE_SUPPORTED: &[&str] = &[
    "RoleName",
    "Path",
    "AssumeRolePolicyDocument",
    "Description",
    "MaxSessionDuration",
    "ManagedPolicyArns",
    "Policies",
    "PermissionsBoundary",
    "Tags",
];
const OIDC: &str = "AWS::IAM::OIDCProvider";
const OIDC_SUPPORTED: &[&str] = &["Url", "ClientIdList", "ThumbprintList"];

/// The inline `Policies`: (name, document as compact JSON), in the template's order.
fn inline_policies(props: &Json) -> Result<Vec<(String, String)>, ProviderError> {
    let Some(list) = props.get("Policies") else {
        return Ok(Vec::new());
    };
    let list = list.as_array().ok_or_else(|| {
        ProviderError::new(
            ErrorCode::InvalidRequest,
            format!("{ROLE}: Policies must be a list"),
        )
    })?;
    list.iter()
        .map(|p| {
            let name =
                string(p, "PolicyName").ok_or_else(|| required(ROLE, "Policies[].PolicyName"))?;
            let doc = document(p, "PolicyDocument")
                .ok_or_else(|| required(ROLE, "Policies[].PolicyDocument"))?;
            Ok((name, doc))
        })
        .collect()
}

/// `names` in the order the `hint` list gives them (by `key` where the hint items are
/// objects), the others after, sorted.
fn in_hint_order(mut names: Vec<String>, hint: &[String]) -> Vec<String> {
    names.sort_by_key(|n| {
        (
            hint.iter().position(|h| h == n).unwrap_or(usize::MAX),
            n.clone(),
        )
    });
    names
}

pub(super) async fn create_role(
    iam: &dyn IamApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse_unsupported(ROLE, p, ROLE_SUPPORTED)?;
    let policies = inline_policies(p)?;
    let spec = RoleSpec {
        name: name_of(request),
        path: string(p, "Path"),
        assume_role_policy: document(p, "AssumeRolePolicyDocument")
            .ok_or_else(|| required(ROLE, "AssumeRolePolicyDocument"))?,
        description: string(p, "Description"),
        max_session_duration: max_session(p),
        permissions_boundary: string(p, "PermissionsBoundary"),
        tags: tags(p),
    };
    let role = iam.create_role(&spec).await?;
    for arn in strings(p, "ManagedPolicyArns") {
        iam.attach_role_policy(&role.name, &arn).await?;
    }
    for (policy, doc) in &policies {
        iam.put_role_policy(&role.name, policy, doc).await?;
    }
    Ok(role_state(&role, p.clone()))
}

/// Read a role as CloudFormation writes it; `hint` (the last known properties) orders the
/// lists IAM answers in its own order and says which optional properties to show empty.
pub(super) async fn read_role(
    iam: &dyn IamApi,
    name: &str,
    hint: &Json,
) -> Result<ResourceState, ProviderError> {
    let role = iam.get_role(name).await?;
    let managed = iam.list_attached_role_policies(name).await?;
    let inline = iam.list_role_policies(name).await?;
    let mut props = serde_json::Map::new();
    props.insert("RoleName".into(), json!(role.name));
    props.insert("Path".into(), json!(role.path));
    props.insert(
        "AssumeRolePolicyDocument".into(),
        document_value(&role.assume_role_policy),
    );
    if let Some(d) = &role.description {
        props.insert("Description".into(), json!(d));
    }
    if let Some(m) = role.max_session_duration {
        props.insert("MaxSessionDuration".into(), json!(m));
    }
    if let Some(b) = &role.permissions_boundary {
        props.insert("PermissionsBoundary".into(), json!(b));
    }
    if !managed.is_empty() || hint.get("ManagedPolicyArns").is_some() {
        let order = strings(hint, "ManagedPolicyArns");
        props.insert(
            "ManagedPolicyArns".into(),
            json!(in_hint_order(managed, &order)),
        );
    }
    if !inline.is_empty() || hint.get("Policies").is_some() {
        let order: Vec<String> = inline_policies(hint)
            .unwrap_or_default()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let mut policies = Vec::new();
        for policy in in_hint_order(inline, &order) {
            let doc = iam.get_role_policy(name, &policy).await?;
            policies.push(json!({"PolicyName": policy, "PolicyDocument": document_value(&doc)}));
        }
        props.insert("Policies".into(), Json::Array(policies));
    }
    let tags = ordered_tags(&role.tags, hint);
    if has_tags(&tags, hint) {
        props.insert("Tags".into(), tags);
    }
    Ok(role_state(&role, Json::Object(props)))
}

pub(super) async fn update_role(
    iam: &dyn IamApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let (prev, next, name) = (&request.previous, &request.properties, &request.physical_id);
    refuse_unsupported(ROLE, next, ROLE_SUPPORTED)?;
    let trust = document(next, "AssumeRolePolicyDocument")
        .ok_or_else(|| required(ROLE, "AssumeRolePolicyDocument"))?;
    let (old_policies, new_policies) = (inline_policies(prev)?, inline_policies(next)?);
    if document(prev, "AssumeRolePolicyDocument").as_deref() != Some(trust.as_str()) {
        iam.update_assume_role_policy(name, &trust).await?;
    }
    if string(prev, "Description") != string(next, "Description")
        || max_session(prev) != max_session(next)
    {
        iam.update_role(name, string(next, "Description"), max_session(next))
            .await?;
    }
    match (
        string(prev, "PermissionsBoundary"),
        string(next, "PermissionsBoundary"),
    ) {
        (before, Some(after)) if before.as_deref() != Some(after.as_str()) => {
            iam.put_role_permissions_boundary(name, &after).await?;
        }
        (Some(_), None) => iam.delete_role_permissions_boundary(name).await?,
        _ => {}
    }
    let (before, after) = (
        strings(prev, "ManagedPolicyArns"),
        strings(next, "ManagedPolicyArns"),
    );
    for arn in after.iter().filter(|a| !before.contains(a)) {
        iam.attach_role_policy(name, arn).await?;
    }
    for arn in before.iter().filter(|a| !after.contains(a)) {
        iam.detach_role_policy(name, arn).await?;
    }
    for (policy, doc) in new_policies.iter().filter(|p| !old_policies.contains(p)) {
        iam.put_role_policy(name, policy, doc).await?;
    }
    for (policy, _) in old_policies
        .iter()
        .filter(|(n, _)| !new_policies.iter().any(|(m, _)| m == n))
    {
        iam.delete_role_policy(name, policy).await?;
    }
    let (set, remove) = tag_changes(&tags(prev), &tags(next));
    if !set.is_empty() {
        iam.tag_role(name, set).await?;
    }
    if !remove.is_empty() {
        iam.untag_role(name, remove.into_iter().map(|(k, _)| k).collect())
            .await?;
    }
    let role = iam.get_role(name).await?;
    Ok(role_state(&role, next.clone()))
}

/// IAM refuses to delete a role with policies: detach and delete them first.
pub(super) async fn delete_role(iam: &dyn IamApi, name: &str) -> Result<(), ProviderError> {
    for arn in iam.list_attached_role_policies(name).await? {
        iam.detach_role_policy(name, &arn).await?;
    }
    for policy in iam.list_role_policies(name).await? {
        iam.delete_role_policy(name, &policy).await?;
    }
    iam.delete_role(name).await
}

fn oidc_state(arn: &str, properties: Json) -> ResourceState {
    let attributes = [("Arn".to_owned(), json!(arn))].into_iter().collect();
    ResourceState::ready(arn, attributes, properties)
}

/// `https://token.actions.githubusercontent.com` as IAM names it in ARNs.
fn host_path(url: &str) -> &str {
    url.trim_start_matches("https://").trim_end_matches('/')
}

pub(super) async fn create_oidc(
    iam: &dyn IamApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse_unsupported(OIDC, p, OIDC_SUPPORTED)?;
    let url = string(p, "Url").ok_or_else(|| required(OIDC, "Url"))?;
    let arn = iam
        .create_open_id_connect_provider(
            &url,
            strings(p, "ClientIdList"),
            strings(p, "ThumbprintList"),
        )
        .await?;
    Ok(oidc_state(&arn, p.clone()))
}

pub(super) async fn read_oidc(iam: &dyn IamApi, arn: &str) -> Result<ResourceState, ProviderError> {
    let info = iam.get_open_id_connect_provider(arn).await?;
    let url = if info.url.starts_with("https://") {
        info.url.clone()
    } else {
        format!("https://{}", info.url)
    };
    Ok(oidc_state(
        arn,
        json!({
            "Url": url,
            "ClientIdList": info.client_ids,
            "ThumbprintList": info.thumbprints,
        }),
    ))
}

pub(super) async fn update_oidc(
    iam: &dyn IamApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let (prev, next, arn) = (&request.previous, &request.properties, &request.physical_id);
    refuse_unsupported(OIDC, next, OIDC_SUPPORTED)?;
    let (before, after) = (strings(prev, "ClientIdList"), strings(next, "ClientIdList"));
    for id in after.iter().filter(|a| !before.contains(a)) {
        iam.add_client_id(arn, id).await?;
    }
    for id in before.iter().filter(|a| !after.contains(a)) {
        iam.remove_client_id(arn, id).await?;
    }
    if strings(prev, "ThumbprintList") != strings(next, "ThumbprintList") {
        iam.update_thumbprints(arn, strings(next, "ThumbprintList"))
            .await?;
    }
    Ok(oidc_state(arn, next.clone()))
}

/// An OIDC provider's ARN ends in its URL's host and path: one per URL per account.
pub(super) async fn find_oidc(
    iam: &dyn IamApi,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    let url = string(&request.properties, "Url")
        .ok_or_else(|| required("AWS::IAM::OIDCProvider", "Url"))?;
    let suffix = format!(":oidc-provider/{}", host_path(&url));
    for arn in iam.list_open_id_connect_providers().await? {
        if arn.ends_with(&suffix) {
            return read_oidc(iam, &arn).await.map(Some);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use mockall::predicate::eq;

    use super::*;
    use crate::api::MockIamApi;

    fn doc(action: &str) -> Json {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
    }

    fn props() -> Json {
        json!({
            "RoleName": "r",
            "AssumeRolePolicyDocument": doc("sts:AssumeRole"),
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            "Policies": [
                {"PolicyName": "b", "PolicyDocument": doc("s3:GetObject")},
                {"PolicyName": "a", "PolicyDocument": doc("s3:PutObject")}
            ],
            "Tags": [{"Key": "product", "Value": "house-escort"}]
        })
    }

    fn request(properties: Json) -> CreateRequest {
        CreateRequest {
            type_name: ROLE.into(),
            stack: "S".into(),
            logical_id: "Role".into(),
            properties,
            physical_name: "S-Role-0000".into(),
            idempotency_key: "k".into(),
        }
    }

    fn role() -> RoleInfo {
        RoleInfo {
            name: "r".into(),
            arn: "arn:aws:iam::111111111111:role/r".into(),
            role_id: "AROA1".into(),
            path: "/".into(),
            assume_role_policy: doc("sts:AssumeRole").to_string(),
            tags: vec![
                ("landform:x".into(), "y".into()),
                ("product".into(), "house-escort".into()),
            ],
            ..RoleInfo::default()
        }
    }

    #[tokio::test]
    async fn create_puts_each_inline_policy_as_compact_json() {
        let mut iam = MockIamApi::new();
        iam.expect_create_role()
            .withf(|s| s.name == "r" && s.tags == vec![("product".into(), "house-escort".into())])
            .times(1)
            .returning(|_| Ok(role()));
        iam.expect_attach_role_policy()
            .with(eq("r"), eq("arn:aws:iam::aws:policy/ReadOnlyAccess"))
            .times(1)
            .returning(|_, _| Ok(()));
        let b = doc("s3:GetObject").to_string();
        let a = doc("s3:PutObject").to_string();
        iam.expect_put_role_policy()
            .with(eq("r"), eq("b"), eq(b))
            .times(1)
            .returning(|_, _, _| Ok(()));
        iam.expect_put_role_policy()
            .with(eq("r"), eq("a"), eq(a))
            .times(1)
            .returning(|_, _, _| Ok(()));
        let state = create_role(&iam, &request(props())).await.unwrap();
        assert_eq!(state.physical_id, "r");
    }

    #[tokio::test]
    async fn handlers_refuse_properties_they_would_ignore() {
        let iam = MockIamApi::new();
        let mut p = props();
        p["PolicyNames"] = json!(["x"]);
        let e = create_role(&iam, &request(p)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.message.contains("PolicyNames"), "{}", e.message);
        let mut oidc = request(json!({"Url": "https://x", "Tags": []}));
        oidc.type_name = OIDC.into();
        let e = create_oidc(&iam, &oidc).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
    }

    #[tokio::test]
    async fn read_gives_back_the_template_in_its_order_without_landform_tags() {
        let mut iam = MockIamApi::new();
        iam.expect_get_role().returning(|_| Ok(role()));
        iam.expect_list_attached_role_policies()
            .returning(|_| Ok(vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()]));
        iam.expect_list_role_policies()
            .returning(|_| Ok(vec!["a".into(), "b".into()]));
        iam.expect_get_role_policy()
            .returning(|_, p| {
                let action = if p == "a" {
                    "s3:PutObject"
                } else {
                    "s3:GetObject"
                };
                // The SDK layer URL-decodes.
                Ok(doc(action).to_string())
            })
            .times(2);
        let read = read_role(&iam, "r", &props()).await.unwrap();
        let mut expected = props();
        expected["Path"] = json!("/");
        assert_eq!(read.properties, expected);
    }

    #[tokio::test]
    async fn update_puts_changed_and_new_policies_and_deletes_removed_ones() {
        let mut iam = MockIamApi::new();
        let prev = props();
        let mut next = props();
        next["Policies"] = json!([
            {"PolicyName": "b", "PolicyDocument": doc("s3:ListBucket")},
            {"PolicyName": "c", "PolicyDocument": doc("s3:GetObject")}
        ]);
        next["Tags"] = json!([{"Key": "env", "Value": "prod"}]);
        next["PermissionsBoundary"] = json!("arn:aws:iam::111111111111:policy/boundary");
        iam.expect_update_assume_role_policy().never();
        iam.expect_update_role().never();
        iam.expect_attach_role_policy().never();
        iam.expect_detach_role_policy().never();
        iam.expect_put_role_permissions_boundary()
            .with(eq("r"), eq("arn:aws:iam::111111111111:policy/boundary"))
            .times(1)
            .returning(|_, _| Ok(()));
        let listed = doc("s3:ListBucket").to_string();
        iam.expect_put_role_policy()
            .with(eq("r"), eq("b"), eq(listed))
            .times(1)
            .returning(|_, _, _| Ok(()));
        let get = doc("s3:GetObject").to_string();
        iam.expect_put_role_policy()
            .with(eq("r"), eq("c"), eq(get))
            .times(1)
            .returning(|_, _, _| Ok(()));
        iam.expect_delete_role_policy()
            .with(eq("r"), eq("a"))
            .times(1)
            .returning(|_, _| Ok(()));
        iam.expect_tag_role()
            .withf(|n, t| n == "r" && *t == [("env".to_owned(), "prod".to_owned())])
            .times(1)
            .returning(|_, _| Ok(()));
        iam.expect_untag_role()
            .withf(|n, k| n == "r" && *k == ["product".to_owned()])
            .times(1)
            .returning(|_, _| Ok(()));
        iam.expect_get_role().returning(|_| Ok(role()));
        let request = UpdateRequest {
            type_name: ROLE.into(),
            physical_id: "r".into(),
            previous: prev,
            properties: next,
        };
        update_role(&iam, &request).await.unwrap();
    }
}
