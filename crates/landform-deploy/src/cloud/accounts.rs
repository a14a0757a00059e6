//! Accounts of the in-memory organization: `CreateAccount`, answered "in progress" and
//! finished by status polls, and an account's state as Organizations describes it.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use super::data::{digits, err, hex, s, AccountRequest, CloudAccount, CloudData};
use crate::error::{ErrorCode, ProviderError};
use crate::provider::{CreateRequest, ResourceState, Session};

impl CloudData {
    pub(super) fn account_state(&self, id: &str) -> Result<ResourceState, ProviderError> {
        let a = self.accounts.get(id).ok_or_else(|| {
            err(
                ErrorCode::NotFound,
                "AccountNotFoundException",
                format!("account {id} is not in the organization"),
            )
        })?;
        let attributes = BTreeMap::from([
            ("AccountId".to_owned(), json!(a.id)),
            ("Arn".to_owned(), json!(self.org_arn("account", &a.id))),
            ("JoinedMethod".to_owned(), json!("CREATED")),
            ("JoinedTimestamp".to_owned(), json!("2024-01-01T00:00:00Z")),
            ("Status".to_owned(), json!("ACTIVE")),
        ]);
        let mut props =
            json!({"AccountName": a.name, "Email": a.email, "ParentIds": [a.parent_id]});
        if let Some(tags) = &a.tags {
            props["Tags"] = tags.clone();
        }
        Ok(ResourceState::ready(a.id.clone(), attributes, props))
    }

    pub(super) fn poll_account(
        &mut self,
        mut req: AccountRequest,
    ) -> Result<ResourceState, ProviderError> {
        if req.done {
            return self.account_state(&req.account_id);
        }
        if req.polls_left > 0 {
            req.polls_left -= 1;
            let id = req.id.clone();
            self.set_request(req);
            return Ok(self.in_progress(&id));
        }
        let mut finished = req.clone();
        finished.done = true;
        self.set_request(finished);
        self.set_account(CloudAccount {
            id: req.account_id.clone(),
            name: req.name,
            email: req.email,
            parent_id: req.parent_id,
            tags: req.properties.get("Tags").cloned(),
        });
        self.account_state(&req.account_id)
    }

    pub(super) fn create_account(
        &mut self,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let props = &request.properties;
        if session.account_id != self.management_account {
            return Err(err(
                ErrorCode::AccessDenied,
                "AccessDeniedException",
                "only the management account creates accounts",
            ));
        }
        let email = s(props, "Email").ok_or_else(|| {
            err(
                ErrorCode::InvalidRequest,
                "InvalidInputException",
                "Email is required",
            )
        })?;
        let name = s(props, "AccountName").ok_or_else(|| {
            err(
                ErrorCode::InvalidRequest,
                "InvalidInputException",
                "AccountName is required",
            )
        })?;
        if !email.contains('@') || email.len() > 64 {
            return Err(err(
                ErrorCode::InvalidRequest,
                "InvalidInputException",
                format!("{email} is not a valid email"),
            ));
        }
        if self.accounts.values().any(|a| a.email == email)
            || self
                .account_requests
                .values()
                .any(|r| r.email == email && !r.done)
        {
            return Err(err(
                ErrorCode::AlreadyExists,
                "EMAIL_ALREADY_EXISTS",
                format!("an account with email {email} already exists"),
            ));
        }
        let parent_id = props
            .get("ParentIds")
            .and_then(Json::as_array)
            .and_then(|a| a.first())
            .and_then(Json::as_str)
            .unwrap_or(&self.root_id)
            .to_owned();
        super::rules::check_org_target(self, &parent_id)?;
        let seq = self.next_seq(&session.account_id, &request.type_name, &email);
        let id = format!("car-{}", hex(&format!("{email}|{seq}"), 32));
        let req = AccountRequest {
            id: id.clone(),
            email: email.clone(),
            name,
            parent_id,
            polls_left: self.account_polls,
            account_id: digits(&format!("account|{email}|{seq}"), 12),
            properties: props.clone(),
            key: request.idempotency_key.clone(),
            done: false,
        };
        self.set_request(req);
        Ok(self.in_progress(&id))
    }

    pub(super) fn in_progress(&self, request_id: &str) -> ResourceState {
        ResourceState {
            physical_id: request_id.to_owned(),
            attributes: BTreeMap::new(),
            properties: Json::Null,
            in_progress_retry_ms: Some(self.poll_ms),
        }
    }
}
