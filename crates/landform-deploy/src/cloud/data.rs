//! The in-memory cloud's data and the AWS rules it enforces. Synchronous: the async shell in
//! `mod.rs` adds latency, failures, counting and persistence.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::table::{ResourceTable, StoredResource};
use super::types::{spec_of, NameScope, TypeSpec};
use crate::error::{ErrorCode, ProviderError};
use crate::provider::{CreateRequest, ResourceState, Session};

/// An account of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudAccount {
    /// The 12-digit id.
    pub id: String,
    /// The account name.
    pub name: String,
    /// The root email.
    pub email: String,
    /// The parent (root or OU id).
    pub parent_id: String,
    /// `Tags` as set (CloudFormation's shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Json>,
}

/// A `CreateAccount` request in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AccountRequest {
    pub id: String,
    pub email: String,
    pub name: String,
    pub parent_id: String,
    pub polls_left: u32,
    pub account_id: String,
    pub properties: Json,
    pub key: String,
    /// Set once the account exists; the request stays so a status poll still answers.
    #[serde(default)]
    pub done: bool,
}

/// One resource held by the cloud.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudResource {
    /// The owning account.
    pub account: String,
    /// The region.
    pub region: String,
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The physical id.
    pub physical_id: String,
    /// The name, for named types.
    pub name: Option<String>,
    /// The `landform:resource` tag: the idempotency key of the create.
    pub tag: String,
    /// The properties as last written.
    pub properties: Json,
    /// The attributes.
    pub attributes: BTreeMap<String, Json>,
    /// Objects in a bucket.
    #[serde(default)]
    pub objects: Vec<String>,
}

/// Everything the cloud holds; persisted as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CloudData {
    pub management_account: String,
    pub organization_id: String,
    pub root_id: String,
    pub accounts: BTreeMap<String, CloudAccount>,
    pub account_requests: BTreeMap<String, AccountRequest>,
    /// Resources by `account/region/type/physicalId`.
    pub resources: ResourceTable,
    /// Creates per `(account, type, tag)`, so a duplicate create gets a new id.
    pub creates: BTreeMap<String, u64>,
    pub calls: u64,
    pub writes: u64,
    pub account_polls: u32,
    /// How long the engine waits between account status polls.
    pub poll_ms: u64,
    /// What changed outside `resources` since the last persisted delta.
    #[serde(skip)]
    pub dirty: Dirty,
}

/// Keys of the small maps changed since the last persisted delta (the resource table tracks
/// its own).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Dirty {
    pub accounts: BTreeSet<String>,
    pub requests: BTreeSet<String>,
    pub creates: BTreeSet<String>,
    pub settings: bool,
}

impl Dirty {
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
            && self.requests.is_empty()
            && self.creates.is_empty()
            && !self.settings
    }
}

pub(crate) fn err(code: ErrorCode, service: &str, message: impl Into<String>) -> ProviderError {
    ProviderError::new(code, message).with_service_code(service)
}

pub(crate) fn hex(seed: &str, len: usize) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .take(len)
        .collect()
}

pub(crate) fn digits(seed: &str, len: usize) -> String {
    Sha256::digest(seed.as_bytes())
        .iter()
        .map(|b| char::from(b'0' + b % 10))
        .take(len)
        .collect()
}

pub(crate) fn s(props: &Json, key: &str) -> Option<String> {
    props.get(key).and_then(Json::as_str).map(str::to_owned)
}

pub(crate) fn res_key(account: &str, region: &str, type_name: &str, id: &str) -> String {
    format!("{account}/{region}/{type_name}/{id}")
}

/// The schema of a type served generically.
fn generic_schema(spec: &TypeSpec) -> Option<&'static landform_core::schema::TypeSchema> {
    spec.generic
        .then(|| landform_core::schema::lookup(spec.type_name))
        .flatten()
}

/// Global services keep one namespace per account, whatever the region.
fn is_global(type_name: &str) -> bool {
    type_name.starts_with("AWS::IAM::")
        || type_name.starts_with("AWS::Organizations::")
        || type_name == "AWS::S3::Bucket"
}

impl CloudData {
    pub fn new(management_account: &str, root_id: &str) -> Self {
        let mut data = CloudData {
            management_account: management_account.to_owned(),
            organization_id: format!("o-{}", hex(management_account, 10)),
            root_id: root_id.to_owned(),
            account_polls: 1,
            poll_ms: 1000,
            ..CloudData::default()
        };
        data.accounts.insert(
            management_account.to_owned(),
            CloudAccount {
                id: management_account.to_owned(),
                name: "Management".into(),
                email: "management@example.com".into(),
                parent_id: data.root_id.clone(),
                tags: None,
            },
        );
        data
    }

    /// The organization `seed` describes: its management account, root and existing members.
    pub fn seeded(seed: &super::OrganizationSeed) -> Self {
        let mut data = CloudData::new(&seed.management_account, &seed.root_id);
        for id in &seed.members {
            data.accounts.insert(
                id.clone(),
                CloudAccount {
                    id: id.clone(),
                    name: format!("Member {id}"),
                    email: format!("member-{id}@example.com"),
                    parent_id: data.root_id.clone(),
                    tags: None,
                },
            );
        }
        data
    }

    pub fn is_member(&self, account: &str) -> bool {
        self.accounts.contains_key(account)
    }

    pub(super) fn org_arn(&self, kind: &str, id: &str) -> String {
        format!(
            "arn:aws:organizations::{}:{kind}/{}/{id}",
            self.management_account, self.organization_id
        )
    }

    fn lookup_type(type_name: &str) -> Result<&'static TypeSpec, ProviderError> {
        spec_of(type_name).ok_or_else(|| {
            err(
                ErrorCode::InvalidRequest,
                "UnsupportedType",
                format!("the in-memory cloud does not support {type_name}"),
            )
        })
    }

    fn region_of(session: &Session, type_name: &str) -> String {
        if is_global(type_name) {
            "global".into()
        } else {
            session.region.clone()
        }
    }

    /// The resource's name, explicit or generated.
    fn name_for(spec: &TypeSpec, request: &CreateRequest) -> Option<String> {
        let prop = spec.name_property?;
        let name = s(&request.properties, prop).unwrap_or_else(|| request.physical_name.clone());
        Some(if spec.scope == NameScope::Global {
            name.to_lowercase()
        } else {
            name
        })
    }

    fn find_named(
        &self,
        spec: &TypeSpec,
        account: &str,
        region: &str,
        name: &str,
    ) -> Option<&StoredResource> {
        self.resources.named(
            spec.type_name,
            spec.scope == NameScope::Global,
            account,
            region,
            name,
        )
    }

    /// Put an account (noting it for the persisted delta).
    pub fn set_account(&mut self, account: CloudAccount) {
        self.dirty.accounts.insert(account.id.clone());
        self.accounts.insert(account.id.clone(), account);
    }

    pub(super) fn set_request(&mut self, request: AccountRequest) {
        self.dirty.requests.insert(request.id.clone());
        self.account_requests.insert(request.id.clone(), request);
    }

    pub fn find(
        &self,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        let spec = Self::lookup_type(&request.type_name)?;
        if request.type_name == "AWS::Organizations::Account" {
            let email = s(&request.properties, "Email").unwrap_or_default();
            if let Some(a) = self.accounts.values().find(|a| a.email == email) {
                return self.account_state(&a.id).map(Some);
            }
            if let Some(r) = self
                .account_requests
                .values()
                .find(|r| r.email == email && !r.done)
            {
                return Ok(Some(self.in_progress(&r.id)));
            }
            return Ok(None);
        }
        let region = Self::region_of(session, &request.type_name);
        // Natural keys of types without a name property, as the AWS provider finds them: an
        // OU by its name under its parent, one detector per account and region, and the
        // region's only Config recorder or channel when the template names none.
        let singleton = || {
            self.resources
                .of_account(&session.account_id, &request.type_name)
                .find(|r| r.region == region)
        };
        let found = match request.type_name.as_str() {
            "AWS::Organizations::OrganizationalUnit" => {
                let (name, parent) = (
                    s(&request.properties, "Name"),
                    s(&request.properties, "ParentId"),
                );
                self.resources
                    .of_account(&session.account_id, &request.type_name)
                    .find(|ou| {
                        let p = ou.properties();
                        s(&p, "Name") == name && s(&p, "ParentId") == parent
                    })
            }
            "AWS::GuardDuty::Detector" => singleton(),
            "AWS::Config::ConfigurationRecorder" | "AWS::Config::DeliveryChannel"
                if s(&request.properties, "Name").is_none() =>
            {
                singleton()
            }
            _ => self.find_by_name_or_tag(spec, request, &session.account_id, &region),
        };
        Ok(found
            .filter(|r| r.account == session.account_id)
            .map(state_of))
    }

    fn find_by_name_or_tag(
        &self,
        spec: &TypeSpec,
        request: &CreateRequest,
        account: &str,
        region: &str,
    ) -> Option<&StoredResource> {
        match Self::name_for(spec, request) {
            Some(name) => self.find_named(spec, account, region, &name),
            None => self.resources.tagged(
                account,
                region,
                &request.type_name,
                &request.idempotency_key,
            ),
        }
    }

    /// The organization's accounts, OUs and policies, from its management account.
    pub fn list(&self, session: &Session, type_name: &str) -> Option<Vec<ResourceState>> {
        if session.account_id != self.management_account {
            return None;
        }
        match type_name {
            "AWS::Organizations::Account" => Some(
                self.accounts
                    .values()
                    .map(|a| {
                        ResourceState::ready(
                            a.id.clone(),
                            BTreeMap::new(),
                            serde_json::json!({"AccountName": a.name, "Email": a.email,
                                               "ParentIds": [a.parent_id]}),
                        )
                    })
                    .collect(),
            ),
            "AWS::Organizations::OrganizationalUnit" | "AWS::Organizations::Policy" => Some(
                self.resources
                    .of_account(&session.account_id, type_name)
                    .map(state_of)
                    .collect(),
            ),
            _ => None,
        }
    }

    pub fn read(
        &mut self,
        session: &Session,
        type_name: &str,
        id: &str,
    ) -> Result<ResourceState, ProviderError> {
        if type_name == "AWS::Organizations::Account" {
            if let Some(req) = self.account_requests.get(id).cloned() {
                return self.poll_account(req);
            }
            return self.account_state(id);
        }
        let region = Self::region_of(session, type_name);
        self.resources
            .get(&res_key(&session.account_id, &region, type_name, id))
            .map(state_of)
            .ok_or_else(|| {
                err(
                    ErrorCode::NotFound,
                    "NotFound",
                    format!("{type_name} {id} does not exist in {}", session.account_id),
                )
            })
    }

    pub(super) fn next_seq(&mut self, account: &str, type_name: &str, tag: &str) -> u64 {
        let key = format!("{account}|{type_name}|{tag}");
        let n = self.creates.entry(key.clone()).or_insert(0);
        *n += 1;
        let n = *n;
        self.dirty.creates.insert(key);
        n
    }

    pub fn create(
        &mut self,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let spec = Self::lookup_type(&request.type_name)?;
        let account = session.account_id.clone();
        if !self.is_member(&account) {
            return Err(err(
                ErrorCode::AccessDenied,
                "AccessDenied",
                format!("account {account} is not in the organization"),
            ));
        }
        let props = &request.properties;
        if request.type_name == "AWS::Organizations::Account" {
            return self.create_account(session, request);
        }
        let region = Self::region_of(session, &request.type_name);
        let name = Self::name_for(spec, request);
        if let Some(name) = &name {
            if self.find_named(spec, &account, &region, name).is_some() {
                let code = if spec.scope == NameScope::Global {
                    "BucketAlreadyExists"
                } else {
                    "AlreadyExists"
                };
                return Err(err(
                    ErrorCode::AlreadyExists,
                    code,
                    format!("{} {name} already exists", spec.type_name),
                ));
            }
        }
        super::rules::validate(
            self,
            session,
            &request.type_name,
            props,
            name.as_deref(),
            true,
        )?;
        let seq = self.next_seq(&account, &request.type_name, &request.idempotency_key);
        let seed = format!(
            "{account}|{}|{}|{seq}",
            request.type_name, request.idempotency_key
        );
        let (physical_id, attributes) = match generic_schema(spec) {
            Some(schema) => {
                super::generic::check_required(schema, props)?;
                let label = match &name {
                    Some(name) => name.clone(),
                    None => super::generic::label(schema, props, &request.physical_name),
                };
                let made = super::generic::Made {
                    schema,
                    session,
                    label: &label,
                    seed: &seed,
                };
                let physical_id = made.physical_id(props);
                let attributes = made.attributes(&physical_id);
                (physical_id, attributes)
            }
            None => {
                let physical_id = super::identity::physical_id(
                    self,
                    spec,
                    session,
                    props,
                    name.as_deref(),
                    &seed,
                );
                let attributes = super::identity::attributes(
                    self,
                    session,
                    &request.type_name,
                    &physical_id,
                    props,
                    &seed,
                );
                (physical_id, attributes)
            }
        };
        let resource = CloudResource {
            account: account.clone(),
            region: region.clone(),
            type_name: request.type_name.clone(),
            physical_id: physical_id.clone(),
            name,
            tag: request.idempotency_key.clone(),
            properties: props.clone(),
            attributes,
            objects: Vec::new(),
        };
        let state = ResourceState::ready(
            resource.physical_id.clone(),
            resource.attributes.clone(),
            resource.properties.clone(),
        );
        self.resources.insert(
            res_key(&account, &region, &request.type_name, &physical_id),
            resource.into(),
        );
        Ok(state)
    }

    pub fn update(
        &mut self,
        session: &Session,
        type_name: &str,
        id: &str,
        props: &Json,
    ) -> Result<ResourceState, ProviderError> {
        if type_name == "AWS::Organizations::Account" {
            let mut a = self.accounts.get(id).cloned().ok_or_else(|| {
                err(
                    ErrorCode::NotFound,
                    "AccountNotFoundException",
                    format!("account {id} not found"),
                )
            })?;
            if let Some(n) = s(props, "AccountName") {
                a.name = n;
            }
            a.tags = props.get("Tags").cloned();
            if let Some(p) = props
                .get("ParentIds")
                .and_then(Json::as_array)
                .and_then(|a| a.first())
                .and_then(Json::as_str)
            {
                a.parent_id = p.to_owned();
            }
            self.set_account(a);
            return self.account_state(id);
        }
        let region = Self::region_of(session, type_name);
        let key = res_key(&session.account_id, &region, type_name, id);
        let current = self.resources.get(&key).cloned().ok_or_else(|| {
            err(
                ErrorCode::NotFound,
                "NotFound",
                format!("{type_name} {id} does not exist"),
            )
        })?;
        if let Some(schema) = Self::lookup_type(type_name).ok().and_then(generic_schema) {
            super::generic::check_required(schema, props)?;
            super::generic::check_updatable(schema, &current.to_resource().properties, props)?;
            // What AWS made at create stays.
            let mut updated = current.to_resource();
            updated.properties = props.clone();
            let state = ResourceState::ready(
                updated.physical_id.clone(),
                updated.attributes.clone(),
                updated.properties.clone(),
            );
            self.resources.insert(key, updated.into());
            return Ok(state);
        }
        super::rules::validate(
            self,
            session,
            type_name,
            props,
            current.name.as_deref(),
            false,
        )?;
        let seed = format!("{}|{type_name}|{}|1", session.account_id, current.tag);
        let mut attributes =
            super::identity::attributes(self, session, type_name, id, props, &seed);
        // Ids made at create stay what they were.
        for (k, v) in current.attributes() {
            if k.ends_with("Id") || k == "Arn" {
                attributes.insert(k, v);
            }
        }
        let mut updated = current.to_resource();
        updated.properties = props.clone();
        updated.attributes = attributes;
        let state = ResourceState::ready(
            updated.physical_id.clone(),
            updated.attributes.clone(),
            updated.properties.clone(),
        );
        self.resources.insert(key, updated.into());
        Ok(state)
    }

    pub fn delete(
        &mut self,
        session: &Session,
        type_name: &str,
        id: &str,
    ) -> Result<(), ProviderError> {
        if type_name == "AWS::Organizations::Account" {
            // AWS closes an account with its resources; the engine deletes them first.
            return match self.accounts.remove(id) {
                Some(_) => {
                    self.dirty.accounts.insert(id.to_owned());
                    Ok(())
                }
                None => Err(err(
                    ErrorCode::NotFound,
                    "AccountNotFoundException",
                    format!("account {id} not found"),
                )),
            };
        }
        let region = Self::region_of(session, type_name);
        let key = res_key(&session.account_id, &region, type_name, id);
        let Some(current) = self.resources.get(&key) else {
            return Err(err(
                ErrorCode::NotFound,
                "NotFound",
                format!("{type_name} {id} does not exist"),
            ));
        };
        super::rules::check_delete(self, current)?;
        self.resources.remove(&key);
        Ok(())
    }
}

pub(crate) fn state_of(r: &StoredResource) -> ResourceState {
    ResourceState::ready(r.physical_id.clone(), r.attributes(), r.properties())
}

pub(crate) use hex as hex_id;
