//! The live organization as the providers list and read it (its root, OUs, accounts and
//! service control policies with their content and targets): what `adopt --print-rust`
//! writes a Landform program from, as org-formation's `init` writes its template.

use serde::Serialize;
use serde_json::Value as Json;

use crate::engine::Engine;
use crate::error::{DeployError, ProviderError};
use crate::provider::ResourceState;

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveUnit {
    /// `ou-...`.
    pub id: String,
    /// The name.
    pub name: String,
    /// The root or OU it sits in.
    pub parent: String,
}

/// A member account.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveAccount {
    /// The 12-digit id.
    pub id: String,
    /// The account name.
    pub name: String,
    /// The root email.
    pub email: String,
    /// The root or OU it sits in.
    pub parent: String,
}

/// A service control policy the organization made (not the AWS managed `FullAWSAccess`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LivePolicy {
    /// `p-...`.
    pub id: String,
    /// The name.
    pub name: String,
    /// The description, when set.
    pub description: Option<String>,
    /// The policy document.
    pub content: Json,
    /// The roots, OUs and accounts it is attached to.
    pub targets: Vec<String>,
}

/// An organization as it lives: OUs parents first (by name within a level), accounts and
/// policies by name, so the same organization reads the same whatever the listing order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveOrganization {
    /// The management account.
    pub management_account: String,
    /// The root id.
    pub root_id: String,
    /// The OUs, each after its parent.
    pub units: Vec<LiveUnit>,
    /// The member accounts (not the management account).
    pub accounts: Vec<LiveAccount>,
    /// The service control policies.
    pub policies: Vec<LivePolicy>,
}

fn text(state: &ResourceState, key: &str) -> Option<String> {
    state
        .properties
        .get(key)
        .and_then(Json::as_str)
        .map(str::to_owned)
}

/// A failed listing or read of the organization, for no resource of the app.
pub(crate) fn listing_error(
    type_name: &str,
    operation: &'static str,
    e: ProviderError,
) -> DeployError {
    DeployError::Provider {
        stack: String::new(),
        logical_id: String::new(),
        type_name: type_name.to_owned(),
        operation,
        source: Box::new(e),
    }
}

impl Engine {
    /// Read the organization managed from `management_account` (listing its OUs, accounts
    /// and service control policies, then reading each account's parent and each policy's
    /// content and targets). `root_id` is used when the organization has no OU to show it.
    pub async fn live_organization(
        &self,
        management_account: &str,
        region: &str,
        root_id: &str,
    ) -> Result<LiveOrganization, DeployError> {
        let session = self.sessions().session(management_account, region).await?;
        let list = |type_name: &'static str| {
            let session = &session;
            async move {
                let provider = self.provider_for(type_name, "", "", "")?;
                let listed = provider
                    .list(session, type_name)
                    .await
                    .map_err(|e| listing_error(type_name, "list", e))?;
                listed
                    .ok_or_else(|| {
                        listing_error(
                            type_name,
                            "list",
                            ProviderError::new(
                                crate::ErrorCode::InvalidRequest,
                                "the provider cannot list this type",
                            ),
                        )
                    })
                    .map(|l| (provider, l))
            }
        };
        let (_, units) = list("AWS::Organizations::OrganizationalUnit").await?;
        let mut units: Vec<LiveUnit> = units
            .iter()
            .map(|u| LiveUnit {
                id: u.physical_id.clone(),
                name: text(u, "Name").unwrap_or_default(),
                parent: text(u, "ParentId").unwrap_or_default(),
            })
            .collect();
        let root = units
            .iter()
            .map(|u| u.parent.clone())
            .find(|p| p.starts_with("r-"))
            .unwrap_or_else(|| root_id.to_owned());
        order_parents_first(&mut units, &root);

        let (accounts_provider, accounts) = list("AWS::Organizations::Account").await?;
        let mut live_accounts = Vec::new();
        for a in accounts
            .iter()
            .filter(|a| a.physical_id != management_account)
        {
            let read = accounts_provider
                .read(
                    &session,
                    "AWS::Organizations::Account",
                    &a.physical_id,
                    &a.properties,
                )
                .await
                .map_err(|e| listing_error("AWS::Organizations::Account", "read", e))?;
            let parent = read
                .properties
                .get("ParentIds")
                .and_then(|p| p.get(0))
                .and_then(Json::as_str)
                .unwrap_or(&root)
                .to_owned();
            live_accounts.push(LiveAccount {
                id: a.physical_id.clone(),
                name: text(&read, "AccountName")
                    .or(text(a, "AccountName"))
                    .unwrap_or_default(),
                email: text(&read, "Email")
                    .or(text(a, "Email"))
                    .unwrap_or_default(),
                parent,
            });
        }

        let (policy_provider, policies) = list("AWS::Organizations::Policy").await?;
        let mut live_policies = Vec::new();
        for p in &policies {
            let name = text(p, "Name").unwrap_or_default();
            if landform_core::reserved_owner(&name).is_some()
                || landform_core::reserved_owner(&p.physical_id).is_some()
            {
                continue;
            }
            let read = policy_provider
                .read(
                    &session,
                    "AWS::Organizations::Policy",
                    &p.physical_id,
                    &p.properties,
                )
                .await
                .map_err(|e| listing_error("AWS::Organizations::Policy", "read", e))?;
            let content = match read.properties.get("Content") {
                Some(Json::String(s)) => serde_json::from_str(s).unwrap_or(Json::String(s.clone())),
                Some(other) => other.clone(),
                None => Json::Null,
            };
            live_policies.push(LivePolicy {
                id: p.physical_id.clone(),
                name,
                description: text(&read, "Description").filter(|d| !d.is_empty()),
                content,
                targets: read
                    .properties
                    .get("TargetIds")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .map(str::to_owned)
                    .collect(),
            });
        }
        // The same organization reads the same whatever the listing order.
        live_accounts.sort_by(|a, b| (&a.name, &a.email).cmp(&(&b.name, &b.email)));
        live_policies.sort_by(|a, b| a.name.cmp(&b.name));
        for p in &mut live_policies {
            p.targets.sort();
        }
        Ok(LiveOrganization {
            management_account: management_account.to_owned(),
            root_id: root,
            units,
            accounts: live_accounts,
            policies: live_policies,
        })
    }
}

/// Sort `units` so each comes after its parent (breadth first from `root`); units whose
/// parent is not found keep their place at the end.
fn order_parents_first(units: &mut Vec<LiveUnit>, root: &str) {
    let mut ordered: Vec<LiveUnit> = Vec::with_capacity(units.len());
    let mut frontier = vec![root.to_owned()];
    let mut rest = std::mem::take(units);
    while !frontier.is_empty() {
        let (mut now, later): (Vec<LiveUnit>, Vec<LiveUnit>) =
            rest.into_iter().partition(|u| frontier.contains(&u.parent));
        now.sort_by(|a, b| (&a.name, &a.parent).cmp(&(&b.name, &b.parent)));
        rest = later;
        frontier = now.iter().map(|u| u.id.clone()).collect();
        ordered.extend(now);
    }
    ordered.extend(rest);
    *units = ordered;
}
