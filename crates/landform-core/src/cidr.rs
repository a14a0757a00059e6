//! CIDR blocks, IPv4 and IPv6, parsed once (by the `ipnet` crate) and compared for overlap
//! and containment, or split into subnets: the one CIDR type the constructs and the lint
//! pack share.

use std::fmt;
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Serialize, Serializer};

/// Why a text is not a CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a CIDR block: {rule}")]
pub struct CidrError {
    /// The text.
    pub value: String,
    /// The rule it breaks.
    pub rule: &'static str,
}

/// A CIDR block whose host bits are zero: `10.20.0.0/16`, `2600:1f18:abcd:1200::/56`.
///
/// ```
/// use landform_core::cidr::Cidr;
/// let vpc = Cidr::try_from("10.20.0.0/16").unwrap();
/// assert!(vpc.overlaps(&Cidr::try_from("10.20.128.0/17").unwrap()));
/// assert_eq!(vpc.split(4).unwrap()[1].to_string(), "10.20.64.0/18");
/// let v6 = Cidr::try_from("2600:1f18:abcd:1200::/56").unwrap();
/// assert!(v6.is_ipv6() && !v6.overlaps(&vpc));
/// assert_eq!(v6.split(2).unwrap()[1].to_string(), "2600:1f18:abcd:1280::/57");
/// assert!(Cidr::try_from("10.20.0.1/16").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr(IpNet);

const RULE: &str = "a CIDR block is an IPv4 a.b.c.d/n (n from 0 to 32) or IPv6 address/n (n from 0 to 128) with the host bits zero, such as 10.20.0.0/16";

impl Cidr {
    /// A block from text with host bits set too (`10.0.0.1/16` reads as `10.0.0.0/16`), as a
    /// reader of someone else's template takes it; `None` when it is no CIDR at all.
    ///
    /// ```
    /// use landform_core::cidr::Cidr;
    /// assert_eq!(Cidr::parse_lenient("10.0.0.1/16").unwrap().to_string(), "10.0.0.0/16");
    /// ```
    pub fn parse_lenient(text: &str) -> Option<Cidr> {
        IpNet::from_str(text).ok().map(|n| Cidr(n.trunc()))
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.0.prefix_len()
    }

    /// Whether it is an IPv6 block.
    pub fn is_ipv6(&self) -> bool {
        matches!(self.0, IpNet::V6(_))
    }

    /// True when the two blocks share an address (never across IPv4 and IPv6).
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0.network()) || other.0.contains(&self.0.network())
    }

    /// True when `other` lies inside this block.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0)
    }

    /// The first and last addresses, as numbers (IPv4 widened), for sorting and sweeps.
    pub fn range(&self) -> (u128, u128) {
        match self.0 {
            IpNet::V4(n) => (
                u128::from(u32::from(n.network())),
                u128::from(u32::from(n.broadcast())),
            ),
            IpNet::V6(n) => (u128::from(n.network()), u128::from(n.broadcast())),
        }
    }

    /// Split into `count` equal blocks (the smallest power of two at least `count`, the first
    /// `count` returned); `None` when they would be smaller than AWS's smallest subnet (an
    /// IPv4 /28, an IPv6 /64).
    pub fn split(&self, count: usize) -> Option<Vec<Cidr>> {
        if count == 0 {
            return Some(Vec::new());
        }
        let bits = if count == 1 {
            0
        } else {
            (usize::BITS - (count - 1).leading_zeros()) as u8
        };
        let prefix = self.prefix().checked_add(bits)?;
        let smallest = if self.is_ipv6() { 64 } else { 28 };
        if prefix > smallest {
            return None;
        }
        let subnets = self.0.subnets(prefix).ok()?;
        Some(subnets.take(count).map(Cidr).collect())
    }
}

impl TryFrom<&str> for Cidr {
    type Error = CidrError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let bad = || CidrError {
            value: value.to_owned(),
            rule: RULE,
        };
        let net = IpNet::from_str(value).map_err(|_| bad())?;
        // One spelling: no `/08`, no host bits, and IPv4 as AWS writes it (no `01.`).
        let prefix_text = value.rsplit_once('/').map_or("", |p| p.1);
        let ipv4_spelt_otherwise = matches!(net, IpNet::V4(_)) && net.to_string() != value;
        if net.trunc() != net || prefix_text != net.prefix_len().to_string() || ipv4_spelt_otherwise
        {
            return Err(bad());
        }
        Ok(Cidr(net))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl From<&Cidr> for crate::Value {
    fn from(c: &Cidr) -> Self {
        crate::Value::from(c.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        for ok in [
            "0.0.0.0/0",
            "10.0.0.0/8",
            "192.168.1.16/28",
            "1.2.3.4/32",
            "2600:1f18::/56",
            "::/0",
        ] {
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
            "2600:1f18::1/56",
            "2600:1f18::/129",
        ] {
            assert!(Cidr::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn overlap_is_symmetric_and_never_crosses_families() {
        let a = Cidr::try_from("10.0.0.0/16").unwrap();
        let b = Cidr::try_from("10.0.255.0/24").unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(a.contains(&b) && !b.contains(&a));
        let v6 = Cidr::try_from("::/0").unwrap();
        assert!(!v6.overlaps(&a) && !a.overlaps(&v6));
        let c = Cidr::try_from("2600:1f18:0:100::/56").unwrap();
        assert!(v6.overlaps(&c) && v6.contains(&c));
    }

    #[test]
    fn split_refuses_subnets_smaller_than_aws_allows() {
        let v4 = |t| Cidr::try_from(t).unwrap();
        assert!(v4("10.0.0.0/28").split(2).is_none());
        assert_eq!(
            v4("10.0.0.0/27").split(2).unwrap()[1].to_string(),
            "10.0.0.16/28"
        );
        assert_eq!(v4("10.0.0.0/16").split(1).unwrap()[0].prefix(), 16);
        assert_eq!(
            v4("10.0.0.0/24").split(3).unwrap()[2].to_string(),
            "10.0.0.128/26"
        );
        assert!(v4("2600:1f18::/64").split(2).is_none());
        assert_eq!(v4("2600:1f18::/56").split(256).unwrap().len(), 256);
    }
}
