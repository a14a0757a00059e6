//! Constrained strings, parsed once at the edge: each is a newtype with `TryFrom<&str>`,
//! `Display`, `Serialize` and a private field, so a value that exists is valid.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::error::ConstructsError;

macro_rules! constrained {
    ($(#[$doc:meta])* $name:ident, $check:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ConstructsError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                $check(value).map(|()| $name(value.to_owned()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl From<&$name> for landform_core::Value {
            fn from(v: &$name) -> Self {
                landform_core::Value::from(v.0.as_str())
            }
        }
    };
}

constrained!(
    /// The email address of an AWS account's root user (Organizations: 6 to 64 characters,
    /// one `@`, a domain with a dot, no spaces).
    ///
    /// ```
    /// use landform_constructs::names::AccountEmail;
    /// assert!(AccountEmail::try_from("aws+prod@example.com").is_ok());
    /// assert!(AccountEmail::try_from("aws prod@example").is_err());
    /// ```
    AccountEmail,
    check_email
);

constrained!(
    /// An account name: 1 to 50 printable ASCII characters.
    ///
    /// ```
    /// use landform_constructs::names::AccountName;
    /// assert!(AccountName::try_from("house-escort-prod").is_ok());
    /// assert!(AccountName::try_from("").is_err());
    /// ```
    AccountName,
    check_account_name
);

constrained!(
    /// An organizational unit name: 1 to 128 printable ASCII characters.
    ///
    /// ```
    /// use landform_constructs::names::OuName;
    /// assert!(OuName::try_from("Workloads").is_ok());
    /// assert!(OuName::try_from("tab\there").is_err());
    /// ```
    OuName,
    check_ou_name
);

constrained!(
    /// An organization root id, such as `r-abcd`.
    ///
    /// ```
    /// use landform_constructs::names::RootId;
    /// assert!(RootId::try_from("r-abcd").is_ok());
    /// assert!(RootId::try_from("root").is_err());
    /// ```
    RootId,
    check_root_id
);

constrained!(
    /// An organization id, such as `o-a1b2c3d4e5`.
    ///
    /// ```
    /// use landform_constructs::names::OrganizationId;
    /// assert!(OrganizationId::try_from("o-a1b2c3d4e5").is_ok());
    /// assert!(OrganizationId::try_from("o-short").is_err());
    /// ```
    OrganizationId,
    check_organization_id
);

constrained!(
    /// An IAM role name: 1 to 64 characters of letters, digits and `+=,.@_-`.
    ///
    /// ```
    /// use landform_constructs::names::RoleName;
    /// assert!(RoleName::try_from("gitlab-deploy").is_ok());
    /// assert!(RoleName::try_from(&*"r".repeat(65)).is_err());
    /// ```
    RoleName,
    check_role_name
);

constrained!(
    /// An Organizations policy name: 1 to 128 characters.
    ///
    /// ```
    /// use landform_constructs::names::PolicyName;
    /// assert!(PolicyName::try_from("deny-leave-organization").is_ok());
    /// assert!(PolicyName::try_from("").is_err());
    /// ```
    PolicyName,
    check_policy_name
);

constrained!(
    /// An S3 general purpose bucket name, with every AWS naming rule checked: 3 to 63
    /// characters; lowercase letters, digits, `.` and `-`; starts and ends with a letter or
    /// digit; no `..`, `.-` or `-.`; not shaped like an IP address; none of the reserved
    /// prefixes (`xn--`, `sthree-`, `amzn-s3-demo-`) or suffixes (`-s3alias`, `--ol-s3`,
    /// `.mrap`, `--x-s3`, `--table-s3`).
    ///
    /// ```
    /// use landform_constructs::names::BucketName;
    /// assert!(BucketName::try_from("acme-terraform-state-111111111111").is_ok());
    /// assert_eq!(BucketName::try_from("192.168.5.4").unwrap_err().rule(), "BucketNameIpAddress");
    /// assert_eq!(BucketName::try_from("xn--state").unwrap_err().rule(), "BucketNameReservedPrefix");
    /// ```
    BucketName,
    check_bucket_name
);

/// Why an unsafe option was chosen on purpose; required by the named opt-outs
/// (`allow_wildcard_subject: Some(Reason("…"))`). An empty reason is refused.
///
/// ```
/// use landform_constructs::Reason;
/// let why = Reason("review apps deploy from any merge request branch");
/// assert!(!why.0.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason(pub &'static str);

fn check_email(v: &str) -> Result<(), ConstructsError> {
    let bad = |m: &str| Err(ConstructsError::invalid("Email", v, m));
    let len = v.chars().count();
    if !(6..=64).contains(&len) {
        return bad("an account email has 6 to 64 characters");
    }
    if v.chars().any(|c| c.is_whitespace() || !c.is_ascii()) {
        return bad("an account email has no spaces and only ASCII characters");
    }
    let mut parts = v.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None)
            if !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..") =>
        {
            Ok(())
        }
        _ => bad("an account email is local@domain.tld with exactly one '@'"),
    }
}

fn printable(v: &str) -> bool {
    v.chars().all(|c| (' '..='~').contains(&c))
}

fn check_account_name(v: &str) -> Result<(), ConstructsError> {
    let len = v.chars().count();
    if !(1..=50).contains(&len) || !printable(v) {
        return Err(ConstructsError::invalid(
            "AccountName",
            v,
            "an account name has 1 to 50 printable ASCII characters",
        ));
    }
    Ok(())
}

fn check_ou_name(v: &str) -> Result<(), ConstructsError> {
    let len = v.chars().count();
    if !(1..=128).contains(&len) || !printable(v) {
        return Err(ConstructsError::invalid(
            "OuName",
            v,
            "an organizational unit name has 1 to 128 printable ASCII characters",
        ));
    }
    Ok(())
}

fn lower_alnum(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn check_root_id(v: &str) -> Result<(), ConstructsError> {
    match v.strip_prefix("r-") {
        Some(rest) if (4..=32).contains(&rest.len()) && lower_alnum(rest) => Ok(()),
        _ => Err(ConstructsError::invalid(
            "RootId",
            v,
            "an organization root id is r- followed by 4 to 32 lowercase letters or digits (see `aws organizations list-roots`)",
        )),
    }
}

fn check_organization_id(v: &str) -> Result<(), ConstructsError> {
    match v.strip_prefix("o-") {
        Some(rest) if (10..=32).contains(&rest.len()) && lower_alnum(rest) => Ok(()),
        _ => Err(ConstructsError::invalid(
            "OrganizationId",
            v,
            "an organization id is o- followed by 10 to 32 lowercase letters or digits (see `aws organizations describe-organization`)",
        )),
    }
}

fn check_role_name(v: &str) -> Result<(), ConstructsError> {
    let ok = (1..=64).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ConstructsError::invalid(
            "RoleName",
            v,
            "an IAM role name has 1 to 64 letters, digits or +=,.@_- characters",
        ))
    }
}

fn check_policy_name(v: &str) -> Result<(), ConstructsError> {
    let len = v.chars().count();
    if (1..=128).contains(&len) && v.chars().all(allowed_policy_char) {
        Ok(())
    } else {
        Err(ConstructsError::invalid(
            "PolicyName",
            v,
            "a policy name has 1 to 128 characters from tab, line feed, carriage return and U+0020..U+00FF",
        ))
    }
}

/// Characters IAM accepts in policy documents and names: tab, LF, CR and U+0020..U+00FF.
///
/// ```
/// use landform_constructs::names::allowed_policy_char;
/// assert!(allowed_policy_char('\u{e9}'));
/// assert!(!allowed_policy_char('\u{2603}'));
/// ```
pub fn allowed_policy_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FF}')
}

const RESERVED_BUCKET_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_BUCKET_SUFFIXES: [&str; 5] =
    ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

fn check_bucket_name(v: &str) -> Result<(), ConstructsError> {
    if !(3..=63).contains(&v.len()) || !v.is_ascii() {
        return Err(ConstructsError::invalid(
            "BucketNameLength",
            v,
            "an S3 bucket name has 3 to 63 characters",
        ));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let charset = v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    if !charset
        || !edge_ok(v.chars().next())
        || !edge_ok(v.chars().last())
        || v.contains("..")
        || v.contains(".-")
        || v.contains("-.")
    {
        return Err(ConstructsError::invalid(
            "BucketNameCharset",
            v,
            "an S3 bucket name has only lowercase letters, digits, '.' and '-', starts and ends with a letter or digit, and has no '..', '.-' or '-.'",
        ));
    }
    let octets: Vec<&str> = v.split('.').collect();
    if octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(ConstructsError::invalid(
            "BucketNameIpAddress",
            v,
            "an S3 bucket name is not formatted as an IP address",
        ));
    }
    if let Some(p) = RESERVED_BUCKET_PREFIXES.iter().find(|p| v.starts_with(*p)) {
        return Err(ConstructsError::invalid(
            "BucketNameReservedPrefix",
            v,
            format!("S3 reserves bucket names starting with {p}"),
        ));
    }
    if let Some(s) = RESERVED_BUCKET_SUFFIXES.iter().find(|s| v.ends_with(*s)) {
        return Err(ConstructsError::invalid(
            "BucketNameReservedSuffix",
            v,
            format!("S3 reserves bucket names ending with {s}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_every_rule() {
        let rule = |v: &str| BucketName::try_from(v).err().map(|e| e.rule());
        assert_eq!(rule("ab"), Some("BucketNameLength"));
        assert_eq!(rule(&"a".repeat(64)), Some("BucketNameLength"));
        assert_eq!(rule(&"a".repeat(63)), None);
        assert_eq!(rule("Upper"), Some("BucketNameCharset"));
        assert_eq!(rule("-abc"), Some("BucketNameCharset"));
        assert_eq!(rule("abc-"), Some("BucketNameCharset"));
        assert_eq!(rule("a..b"), Some("BucketNameCharset"));
        assert_eq!(rule("a.-b"), Some("BucketNameCharset"));
        assert_eq!(rule("10.0.0.1"), Some("BucketNameIpAddress"));
        assert_eq!(rule("sthree-x"), Some("BucketNameReservedPrefix"));
        assert_eq!(rule("amzn-s3-demo-x"), Some("BucketNameReservedPrefix"));
        for s in ["a-s3alias", "a--ol-s3", "a.mrap", "a--x-s3", "a--table-s3"] {
            assert_eq!(rule(s), Some("BucketNameReservedSuffix"), "{s}");
        }
        assert_eq!(rule("my.bucket-1"), None);
    }

    #[test]
    fn ids_and_names() {
        assert!(RootId::try_from("r-ab12").is_ok());
        assert!(RootId::try_from("r-AB12").is_err());
        assert!(OrganizationId::try_from("o-abcdefghij").is_ok());
        assert!(AccountEmail::try_from("a@b.co").is_ok());
        assert!(AccountEmail::try_from("a@@b.co").is_err());
        assert!(AccountEmail::try_from("a@bco").is_err());
        assert!(RoleName::try_from("a/b").is_err());
        assert!(PolicyName::try_from("ok\u{2603}").is_err());
        assert_eq!(
            serde_json::to_string(&RoleName::try_from("x").unwrap()).unwrap(),
            "\"x\""
        );
    }
}
