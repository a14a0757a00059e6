//! Landform: typed building blocks for multi-account AWS landing zones.
//!
//! This facade re-exports the workspace's crates.
#![doc = include_str!("../README.md")]
pub use landform_core as core;
pub use landform_constructs as constructs;
