//! Validation issues: collected, never thrown, each naming its construct path.

use std::fmt;

use serde::Serialize;

use crate::tree::Path;

/// One problem found in the app: where, which field, what value, and which rule it breaks.
///
/// `code` is stable (`TransitHub.CidrOverlap`): tests and users match on it, not on text.
///
/// ```
/// use landform_core::{Issue, Path};
/// let issue = Issue::new("Bucket.NameLength", "bucket_name", "ab", "an S3 bucket name has 3 to 63 characters")
///     .at(Path::from_segments(["App", "Mgmt", "State"]));
/// assert_eq!(issue.to_string(), "App/Mgmt/State: bucket_name = \"ab\": an S3 bucket name has 3 to 63 characters [Bucket.NameLength]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// Stable code, `Construct.Rule`.
    pub code: String,
    /// Path of the construct the issue is about.
    pub path: Path,
    /// The property or field at fault.
    pub field: String,
    /// The offending value, as the user wrote it (or a summary when it is large).
    pub value: String,
    /// The AWS rule or Landform rule broken, and what to do about it.
    pub rule: String,
}

impl Issue {
    /// A new issue; the path is filled in by the scope that reports it.
    pub fn new(
        code: impl Into<String>,
        field: impl Into<String>,
        value: impl fmt::Display,
        rule: impl Into<String>,
    ) -> Self {
        Issue {
            code: code.into(),
            path: Path::default(),
            field: field.into(),
            value: value.to_string(),
            rule: rule.into(),
        }
    }

    /// The same issue at `path`.
    pub fn at(mut self, path: Path) -> Self {
        self.path = path;
        self
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} = {:?}: {} [{}]",
            self.path, self.field, self.value, self.rule, self.code
        )
    }
}

/// Every issue found, in tree order. Displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Issues(pub Vec<Issue>);

impl Issues {
    /// True when one of the issues has this code.
    pub fn has(&self, code: &str) -> bool {
        self.0.iter().any(|i| i.code == code)
    }
    /// The issues with this code.
    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Issue> + 'a {
        self.0.iter().filter(move |i| i.code == code)
    }
}

impl fmt::Display for Issues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} validation issue(s):", self.0.len())?;
        for issue in &self.0 {
            writeln!(f, "  - {issue}")?;
        }
        Ok(())
    }
}
