//! The constructs crate's error type.

/// What went wrong while parsing a constrained value.
///
/// Constructs turn these into [`Issue`](landform_core::Issue)s whose code is
/// `<Construct>.<rule>` (for example `AccountFactory.Email`).
///
/// ```
/// use landform_constructs::{names::AccountEmail, ConstructsError};
/// let err = AccountEmail::try_from("not-an-email").unwrap_err();
/// let ConstructsError::Invalid { rule, .. } = &err else { unreachable!() };
/// assert_eq!(*rule, "Email");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConstructsError {
    /// A value breaks an AWS or Landform rule; the message says which and how to fix it.
    #[error("{value:?} is not valid: {message} [{rule}]")]
    Invalid {
        /// The rule's short stable name (`Email`, `BucketNameReservedPrefix`).
        rule: &'static str,
        /// The value as given.
        value: String,
        /// The rule, in words, with what to do.
        message: String,
    },
}

impl ConstructsError {
    pub(crate) fn invalid(rule: &'static str, value: &str, message: impl Into<String>) -> Self {
        ConstructsError::Invalid {
            rule,
            value: shorten(value),
            message: message.into(),
        }
    }

    /// The rule's short name.
    ///
    /// ```
    /// use landform_constructs::names::RootId;
    /// assert_eq!(RootId::try_from("x").unwrap_err().rule(), "RootId");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            ConstructsError::Invalid { rule, .. } => rule,
        }
    }

    /// The message.
    ///
    /// ```
    /// use landform_constructs::names::RootId;
    /// assert!(RootId::try_from("x").unwrap_err().message().contains("r-"));
    /// ```
    pub fn message(&self) -> &str {
        match self {
            ConstructsError::Invalid { message, .. } => message,
        }
    }
}

/// Long values are cut in messages so an issue list stays readable.
pub(crate) fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("{cut}…")
    }
}
