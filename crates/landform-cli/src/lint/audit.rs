//! Audit rules: CloudTrail trails and KMS keys.

use serde_json::Value as Json;

use super::{Finding, Rule};
use crate::model::{is_true, AssemblyIndex};

pub(crate) fn check(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    for trail in index.of_type("AWS::CloudTrail::Trail") {
        if !is_true(trail.property("IsMultiRegionTrail")) {
            findings.push(Finding::new(
                Rule::TrailMultiRegion,
                trail,
                "IsMultiRegionTrail is not true",
            ));
        }
        if !is_true(trail.property("EnableLogFileValidation")) {
            findings.push(Finding::new(
                Rule::TrailLogFileValidation,
                trail,
                "EnableLogFileValidation is not true",
            ));
        }
        let kms = trail.property("KMSKeyId");
        if kms.is_none() || kms == Some(&Json::String(String::new())) {
            findings.push(Finding::new(
                Rule::TrailKms,
                trail,
                "no KMSKeyId: logs use SSE-S3 only",
            ));
        }
    }
    for key in index.of_type("AWS::KMS::Key") {
        // Only symmetric encryption keys can rotate automatically.
        let spec = key
            .property("KeySpec")
            .and_then(Json::as_str)
            .unwrap_or("SYMMETRIC_DEFAULT");
        let usage = key
            .property("KeyUsage")
            .and_then(Json::as_str)
            .unwrap_or("ENCRYPT_DECRYPT");
        if spec == "SYMMETRIC_DEFAULT"
            && usage == "ENCRYPT_DECRYPT"
            && !is_true(key.property("EnableKeyRotation"))
        {
            findings.push(Finding::new(
                Rule::KmsKeyRotation,
                key,
                "EnableKeyRotation is not true on a symmetric key",
            ));
        }
    }
}
