//! Landform's deploy engine: deploys a synthesised [`landform_core::Assembly`] without
//! CloudFormation, through pluggable [`Provider`]s, and ships [`InMemoryCloud`], a full
//! in-memory AWS used as the embedded default.
//!
//! - [`Engine`]: plan, apply, destroy and drift, with bounded concurrency across resources
//!   and stacks, a journal for crash recovery, and a lock.
//! - [`Provider`] / [`ProviderRegistry`] / [`Sessions`]: the seams a real AWS provider plugs
//!   into; [`Retry`] and [`RateLimit`] wrap providers as layers.
//! - [`StateStore`] and [`Lock`], each with a file and an in-memory backend.
#![warn(missing_docs)]

mod adopt;
pub mod bound;
pub mod cloud;
mod engine;
pub mod error;
pub mod fixtures;
pub mod intrinsics;
pub mod layer;
pub mod limits;
mod live;
pub mod lock;
mod model;
mod ops;
pub mod plan;
pub mod provider;
mod refresh;
pub mod report;
mod resolver;
pub mod state;

pub use adopt::{AdoptReport, AdoptedResource, OwnedElsewhere, Unmanaged};
/// The attribute a [`Provider`] implementation goes under (`#[landform_deploy::async_trait]`),
/// so a crate with handlers of its own needs no dependency of its own on `async-trait`.
pub use async_trait::async_trait;
pub use bound::critical_path;
pub use cloud::{
    CallRecord, FaultMode, InMemoryCloud, InMemorySessions, Inventory, OrganizationSeed,
};
pub use engine::{physical_name, Engine};
pub use error::{DeployError, ErrorCode, ProviderError, Taken};
pub use layer::{Clock, Observe, Retry, RetryPolicy, TokioClock};
pub use limits::{CallKind, RateLimit, RateLimits, RequestRate};
pub use live::{LiveAccount, LiveOrganization, LivePolicy, LiveUnit};
pub use lock::{lock_conformance, FileLock, Lock, LockInfo, MemoryLock};
pub use model::refuse_stack_sets;
pub use plan::{Action, After, Plan, PropertyChange, ResourceChange};
pub use provider::{
    replacement_properties, AnyAccountSessions, CreateRequest, Provider, ProviderRegistry,
    ResourceState, Session, Sessions, UpdateRequest,
};
pub use report::{ApplyReport, Drift, DriftReport, ResourceDrift};
pub use state::{
    state_store_conformance, FileStateStore, MemoryStateStore, PendingChange, Placement,
    RetainedResource, State, StateChange, StateStore,
};
