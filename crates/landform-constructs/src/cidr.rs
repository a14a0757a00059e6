//! IPv4 CIDR blocks: parsed once, compared for overlap, split into subnets.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::error::ConstructsError;

/// An IPv4 CIDR block whose host bits are zero (`10.20.0.0/16`).
///
/// ```
/// use landform_constructs::Cidr;
/// let vpc = Cidr::try_from("10.20.0.0/16").unwrap();
/// let other = Cidr::try_from("10.20.128.0/17").unwrap();
/// assert!(vpc.overlaps(&other));
/// assert_eq!(vpc.split(4).unwrap()[1].to_string(), "10.20.64.0/18");
/// assert_eq!(Cidr::try_from("10.20.0.1/16").unwrap_err().rule(), "Cidr");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    address: u32,
    prefix: u8,
}

impl Cidr {
    /// The prefix length.
    ///
    /// ```
    /// use landform_constructs::Cidr;
    /// assert_eq!(Cidr::try_from("10.0.0.0/8").unwrap().prefix(), 8);
    /// ```
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    fn mask(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix))
        }
    }

    /// True when the two blocks share at least one address.
    ///
    /// ```
    /// use landform_constructs::Cidr;
    /// let a = Cidr::try_from("10.0.0.0/16").unwrap();
    /// assert!(!a.overlaps(&Cidr::try_from("10.1.0.0/16").unwrap()));
    /// ```
    pub fn overlaps(&self, other: &Cidr) -> bool {
        let prefix = self.prefix.min(other.prefix);
        let mask = Self::mask(prefix);
        self.address & mask == other.address & mask
    }

    /// True when `other` lies entirely inside this block.
    ///
    /// ```
    /// use landform_constructs::Cidr;
    /// let a = Cidr::try_from("10.0.0.0/16").unwrap();
    /// assert!(a.contains(&Cidr::try_from("10.0.4.0/24").unwrap()));
    /// ```
    pub fn contains(&self, other: &Cidr) -> bool {
        other.prefix >= self.prefix && other.address & Self::mask(self.prefix) == self.address
    }

    /// Split into `count` equal blocks (the smallest power of two at least `count`, first
    /// `count` returned); `None` when they would be smaller than a /28 (AWS's smallest subnet).
    ///
    /// ```
    /// use landform_constructs::Cidr;
    /// let parts = Cidr::try_from("10.0.0.0/24").unwrap().split(3).unwrap();
    /// assert_eq!(parts.len(), 3);
    /// assert_eq!(parts[2].to_string(), "10.0.0.128/26");
    /// ```
    pub fn split(&self, count: usize) -> Option<Vec<Cidr>> {
        if count == 0 {
            return Some(Vec::new());
        }
        let bits = usize::BITS - (count - 1).leading_zeros();
        let prefix = u32::from(self.prefix) + if count == 1 { 0 } else { bits };
        if prefix > 28 {
            return None;
        }
        let size = 1u64 << (32 - prefix);
        Some(
            (0..count as u64)
                .map(|n| Cidr {
                    address: (u64::from(self.address) + n * size) as u32,
                    prefix: prefix as u8,
                })
                .collect(),
        )
    }
}

impl TryFrom<&str> for Cidr {
    type Error = ConstructsError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let bad = || {
            ConstructsError::invalid(
                "Cidr",
                value,
                "a CIDR block is a.b.c.d/n with n from 0 to 32 and the host bits zero (10.20.0.0/16)",
            )
        };
        let (ip, prefix) = value.split_once('/').ok_or_else(bad)?;
        let prefix: u8 = prefix.parse().map_err(|_| bad())?;
        if prefix > 32 || prefix.to_string() != value.split_once('/').map_or("", |p| p.1) {
            return Err(bad());
        }
        let octets: Vec<&str> = ip.split('.').collect();
        if octets.len() != 4 {
            return Err(bad());
        }
        let mut address = 0u32;
        for octet in octets {
            if octet.is_empty() || octet.len() > 3 || (octet.len() > 1 && octet.starts_with('0')) {
                return Err(bad());
            }
            let n: u8 = octet.parse().map_err(|_| bad())?;
            address = (address << 8) | u32::from(n);
        }
        if address & !Self::mask(prefix) != 0 {
            return Err(bad());
        }
        Ok(Cidr { address, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.address.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}/{}", self.prefix)
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl From<&Cidr> for landform_core::Value {
    fn from(c: &Cidr) -> Self {
        landform_core::Value::from(c.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        for ok in ["0.0.0.0/0", "10.0.0.0/8", "192.168.1.16/28", "1.2.3.4/32"] {
            assert_eq!(Cidr::try_from(ok).unwrap().to_string(), ok);
        }
        for bad in [
            "",
            "10.0.0.0",
            "10.0.0/8",
            "10.0.0.0/33",
            "256.0.0.0/8",
            "10.0.0.1/8",
            "01.0.0.0/8",
            "10.0.0.0/+8",
            "10.0.0.0/08",
        ] {
            assert!(Cidr::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn overlap_is_symmetric() {
        let a = Cidr::try_from("10.0.0.0/16").unwrap();
        let b = Cidr::try_from("10.0.255.0/24").unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(a.contains(&b) && !b.contains(&a));
    }

    #[test]
    fn split_refuses_tiny_subnets() {
        assert!(Cidr::try_from("10.0.0.0/28").unwrap().split(2).is_none());
        assert_eq!(
            Cidr::try_from("10.0.0.0/27").unwrap().split(2).unwrap()[1].to_string(),
            "10.0.0.16/28"
        );
        assert_eq!(
            Cidr::try_from("10.0.0.0/16").unwrap().split(1).unwrap()[0].prefix(),
            16
        );
    }
}
