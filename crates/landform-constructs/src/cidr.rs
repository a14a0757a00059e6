//! CIDR blocks: the core's [`Cidr`] (IPv4 and IPv6, parsed by `ipnet`), and its parse as the
//! constructs report it.

pub use landform_core::cidr::Cidr;

use crate::error::ConstructsError;

/// Parse a CIDR block, as a constructs error (`Cidr`) when it is not one.
///
/// ```
/// use landform_constructs::Cidr;
/// let vpc = Cidr::try_from("10.20.0.0/16").unwrap();
/// assert!(vpc.overlaps(&Cidr::try_from("10.20.128.0/17").unwrap()));
/// ```
pub(crate) fn parse(value: &str) -> Result<Cidr, ConstructsError> {
    Cidr::try_from(value).map_err(|e| ConstructsError::invalid("Cidr", value, e.rule))
}
