//! Landform: typed building blocks for multi-account AWS landing zones.
//!
//! This facade re-exports the workspace's crates.
pub use landform_core as core;
