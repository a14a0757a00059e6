//! The least-privilege IAM policies a deployer needs for one assembly, generated from the
//! actions each handler of [`crate::AwsProvider`] calls ([`crate::permissions`]).
//!
//! Two documents, because the work happens under two identities:
//! - the **caller** (in the management account, where the deployer's credentials live): the
//!   actions of the stacks deployed there, `sts:AssumeRole` into the member accounts' role,
//!   and the state bucket and lock table when they are used;
//! - the **member role** assumed in every other account (by default
//!   `OrganizationAccountAccessRole`, which has AdministratorAccess): the actions of the
//!   stacks deployed in member accounts, to scope that role down.

use std::collections::BTreeSet;

use landform_core::synth::AccountSpec;
use landform_core::Assembly;
use serde_json::{json, Value as Json};

/// Where the engine keeps its state, when it is in AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateLocation {
    /// The state bucket.
    pub bucket: String,
    /// The state object's key.
    pub key: String,
    /// The DynamoDB lock table; None locks with an S3 object beside the state (the key
    /// with `.lock` appended, see [`crate::S3Lock`]).
    pub lock_table: Option<String>,
}

impl StateLocation {
    /// The key of the S3 lock object when there is no lock table.
    pub fn lock_key(&self) -> String {
        format!("{}.lock", self.key)
    }
}

/// The two policies of a deployment (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct DeployerPolicies {
    /// For the caller's identity in the management account.
    pub caller: Json,
    /// For the role assumed in member accounts.
    pub member_role: Json,
    /// Types no handler serves (the deploy would fail on them): empty when all are served.
    pub unsupported: Vec<String>,
}

fn statement(sid: &str, actions: &BTreeSet<&str>, resources: Json) -> Json {
    json!({
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions.iter().collect::<Vec<_>>(),
        "Resource": resources,
    })
}

/// The policies deploying `assembly` needs, the caller being in `management_account`;
/// `state` when the engine's state lives in S3 and DynamoDB.
///
/// ```
/// use landform_aws::policy::deployer_policies;
/// use landform_core::{App, Environment, Resource};
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "State");
/// app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table")
///     .property("KeySchema", serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]))
///     .property("AttributeDefinitions", serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}])));
/// let p = deployer_policies(&app.synth().unwrap(), "111111111111", "OrganizationAccountAccessRole", None);
/// assert!(p.caller.to_string().contains("dynamodb:CreateTable"));
/// assert!(p.unsupported.is_empty());
/// ```
pub fn deployer_policies(
    assembly: &Assembly,
    management_account: &str,
    assume_role_name: &str,
    state: Option<&StateLocation>,
) -> DeployerPolicies {
    let mut caller: BTreeSet<&'static str> = BTreeSet::new();
    let mut member: BTreeSet<&'static str> = BTreeSet::new();
    let mut unsupported = BTreeSet::new();
    let mut member_accounts = BTreeSet::new();
    for stack in assembly.stacks() {
        let in_management = matches!(
            &stack.environment.account,
            AccountSpec::Literal(a) if a == management_account
        );
        if !in_management {
            member_accounts.insert(match &stack.environment.account {
                AccountSpec::Literal(a) => a.clone(),
                AccountSpec::FromOutput(_) => "*".to_owned(),
            });
        }
        for info in stack.resources.values() {
            let actions = crate::permissions(&info.type_name);
            if actions.is_empty() {
                unsupported.insert(info.type_name.to_string());
            }
            let into = if in_management {
                &mut caller
            } else {
                &mut member
            };
            into.extend(actions.iter().copied());
        }
    }
    let mut statements = vec![];
    if !caller.is_empty() {
        statements.push(statement("LandformManagementStacks", &caller, json!("*")));
    }
    if !member_accounts.is_empty() {
        let roles: Vec<String> = member_accounts
            .iter()
            .map(|a| format!("arn:aws:iam::{a}:role/{assume_role_name}"))
            .collect();
        statements.push(statement(
            "LandformAssumeMemberRole",
            &BTreeSet::from(["sts:AssumeRole"]),
            json!(roles),
        ));
    }
    statements.push(statement(
        "LandformWhoAmI",
        &BTreeSet::from(["sts:GetCallerIdentity"]),
        json!("*"),
    ));
    if let Some(s) = state {
        statements.push(statement(
            "LandformState",
            &BTreeSet::from(["s3:GetObject", "s3:PutObject"]),
            json!(format!("arn:aws:s3:::{}/{}", s.bucket, s.key)),
        ));
        statements.push(match &s.lock_table {
            Some(table) => statement(
                "LandformLock",
                &BTreeSet::from([
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:UpdateItem",
                ]),
                json!(format!(
                    "arn:aws:dynamodb:*:{management_account}:table/{table}"
                )),
            ),
            None => statement(
                "LandformLock",
                &BTreeSet::from(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]),
                json!(format!("arn:aws:s3:::{}/{}", s.bucket, s.lock_key())),
            ),
        });
    }
    let member_role = if member.is_empty() {
        json!({"Version": "2012-10-17", "Statement": []})
    } else {
        json!({
            "Version": "2012-10-17",
            "Statement": [statement("LandformMemberStacks", &member, json!("*"))],
        })
    };
    DeployerPolicies {
        caller: json!({"Version": "2012-10-17", "Statement": statements}),
        member_role,
        unsupported: unsupported.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use landform_constructs::layouts::{
        docustack, house_escort, DocuStackOptions, HouseEscortOptions,
    };

    use super::*;

    fn actions(policy: &Json) -> BTreeSet<String> {
        policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["Action"].as_array().unwrap().clone())
            .map(|a| a.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn both_layouts_are_fully_served_and_split_by_identity() {
        for assembly in [
            house_escort(&HouseEscortOptions::default())
                .synth()
                .unwrap(),
            docustack(&DocuStackOptions::default()).synth().unwrap(),
        ] {
            let state = StateLocation {
                bucket: "state".into(),
                key: "landform/state.json".into(),
                lock_table: Some("locks".into()),
            };
            let p = deployer_policies(
                &assembly,
                "111111111111",
                "OrganizationAccountAccessRole",
                Some(&state),
            );
            assert_eq!(p.unsupported, Vec::<String>::new());
            let caller = actions(&p.caller);
            let member = actions(&p.member_role);
            // Accounts and SCPs are made from the management account only.
            assert!(caller.contains("organizations:CreateAccount"));
            assert!(!member.contains("organizations:CreateAccount"));
            assert!(!member.contains("organizations:CreatePolicy"));
            // Member stacks hold the baseline.
            assert!(member.contains("guardduty:CreateDetector"), "{member:?}");
            assert!(caller.contains("sts:AssumeRole"));
            assert!(caller.contains("s3:PutObject") && caller.contains("dynamodb:PutItem"));
            // No wildcard action anywhere.
            assert!(!caller.iter().chain(&member).any(|a| a.contains('*')));
            // Every policy fits IAM's 6,144-character managed policy limit when minified.
            for doc in [&p.caller, &p.member_role] {
                let size = serde_json::to_string(doc).unwrap().len();
                assert!(size <= 6_144, "policy of {size} characters");
            }
        }
    }

    #[test]
    fn a_type_no_handler_serves_is_reported() {
        let mut app = landform_core::App::new();
        let stage = app.add_stage(
            "M",
            landform_core::Environment::new("111111111111", "us-east-1"),
        );
        let stack = app.add_stack(stage, "S");
        // A queue goes through Cloud Control; a wait condition handle has no registry
        // handlers, so nothing serves it.
        app.scope(stack)
            .add_resource("Q", landform_core::Resource::new("AWS::SQS::Queue"));
        app.scope(stack).add_resource(
            "X",
            landform_core::Resource::new("AWS::CloudFormation::WaitConditionHandle"),
        );
        let p = deployer_policies(&app.synth().unwrap(), "111111111111", "R", None);
        assert_eq!(
            p.unsupported,
            vec!["AWS::CloudFormation::WaitConditionHandle".to_owned()]
        );
        assert!(actions(&p.caller).contains("cloudformation:CreateResource"));
    }

    #[test]
    fn without_a_lock_table_the_lock_object_beside_the_state_is_granted() {
        let assembly = docustack(&DocuStackOptions::default()).synth().unwrap();
        let state = StateLocation {
            bucket: "state".into(),
            key: "org/state.json".into(),
            lock_table: None,
        };
        let p = deployer_policies(&assembly, "111111111111", "R", Some(&state));
        let lock = p.caller["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == "LandformLock")
            .expect("a lock statement");
        assert_eq!(lock["Resource"], "arn:aws:s3:::state/org/state.json.lock");
        assert_eq!(
            lock["Action"],
            json!(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"])
        );
        assert!(!actions(&p.caller).contains("dynamodb:PutItem"));
    }
}
