//! Landform constructs: the typed building blocks of a multi-account AWS landing zone.
//!
//! Each construct is created under a [`Scope`](landform_core::Scope) with an id and a props
//! struct, reports problems as [`Issue`](landform_core::Issue)s with stable codes
//! (`TransitHub.CidrOverlap`) at its construct path, and never panics on user input.
//!
//! ```
//! use landform_constructs::layouts::{docustack, DocuStackOptions};
//! let app = docustack(&DocuStackOptions::default());
//! let assembly = app.synth().unwrap();
//! assert!(assembly.stacks().len() > 5);
//! ```
#![warn(missing_docs)]

pub mod account;
pub mod baseline;
pub mod central;
pub mod cidr;
pub mod error;
pub mod layouts;
pub mod names;
pub mod network;
pub mod oidc;
pub mod oidc_subject;
pub mod organization;
pub mod scp;
pub mod scp_library;
pub mod settings;
pub mod state;
pub mod transit;
mod util;

pub use account::{
    Account, AccountFactory, AccountFactoryProps, BaselineLevel, BudgetProps, ExistingAccount,
};
pub use baseline::{SecurityBaseline, SecurityBaselineProps, DEFAULT_CONFIG_RULES};
pub use central::{CentralSecurity, CentralSecurityProps};
pub use cidr::Cidr;
pub use error::ConstructsError;
pub use names::Reason;
pub use network::{WorkloadNetwork, WorkloadNetworkProps};
pub use oidc::{
    github_subject, gitlab_subject, Audience, GitHubRef, GitLabRef, OidcDeployRole,
    OidcDeployRoleProps, OidcIssuer, SubjectMatch,
};
pub use organization::{
    ExistingOrganizationalUnit, Organization, OrganizationProps, OrganizationalUnit,
    OrganizationalUnitProps, Parent, PolicyTarget,
};
pub use scp::{ServiceControlPolicy, ServiceControlPolicyProps};
pub use state::{StateBackend, StateBackendProps, StateEncryption, StateMode, StateWorkload};
pub use transit::{AttachmentRole, TransitHub, TransitHubProps};
