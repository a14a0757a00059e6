//! CloudFormation quotas checked at synth.

/// Resources in one template.
pub const MAX_RESOURCES: usize = 500;
/// Parameters in one template.
pub const MAX_PARAMETERS: usize = 200;
/// Outputs in one template.
pub const MAX_OUTPUTS: usize = 200;
/// Template body size in bytes when uploaded through S3 (what cfn-lint checks, E1002).
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;
/// Stack name length.
pub const MAX_STACK_NAME_LEN: usize = 128;
