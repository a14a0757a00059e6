//! CloudFormation quotas checked at synth (their names and kinds are in [`crate::quotas`]).

use crate::quotas;

/// Resources in one template.
pub const MAX_RESOURCES: usize = quotas::RESOURCES_PER_TEMPLATE.default;
/// Parameters in one template.
pub const MAX_PARAMETERS: usize = quotas::PARAMETERS_PER_TEMPLATE.default;
/// Outputs in one template.
pub const MAX_OUTPUTS: usize = quotas::OUTPUTS_PER_TEMPLATE.default;
/// Template body size in bytes when uploaded through S3 (what cfn-lint checks, E1002).
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;
/// Stack name length.
pub const MAX_STACK_NAME_LEN: usize = 128;
