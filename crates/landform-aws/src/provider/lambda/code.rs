//! Inline function code (`Code.ZipFile`): the archive CloudFormation would make of it, and
//! the `CodeSha256` Lambda reports for that archive, so a read can tell whether the deployed
//! code is still the source the template holds.

use std::io::Write;

use landform_deploy::ProviderError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::error::ErrorCode;

/// The file CloudFormation puts inline source in, by runtime.
pub(super) fn file_name(runtime: &str) -> Result<&'static str, ProviderError> {
    if runtime.starts_with("python") {
        Ok("index.py")
    } else if runtime.starts_with("nodejs") {
        Ok("index.js")
    } else {
        Err(ProviderError::new(
            ErrorCode::InvalidRequest,
            format!("Code.ZipFile is for Node.js and Python runtimes, not {runtime}"),
        ))
    }
}

/// The deployment package of inline `source`: one stored (uncompressed) file with a fixed
/// timestamp, so the same source always gives the same bytes and the same `CodeSha256`.
pub(super) fn archive(runtime: &str, source: &str) -> Result<Vec<u8>, ProviderError> {
    let zip_error = |e: &dyn std::fmt::Display| {
        ProviderError::new(
            ErrorCode::InvalidRequest,
            format!("zipping the inline code: {e}"),
        )
    };
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(file_name(runtime)?, options)
        .map_err(|e| zip_error(&e))?;
    zip.write_all(source.as_bytes())
        .map_err(|e| zip_error(&e))?;
    Ok(zip.finish().map_err(|e| zip_error(&e))?.into_inner())
}

/// `CodeSha256` as Lambda reports it: base64 of the SHA-256 of the package.
pub(super) fn code_sha256(package: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(package))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_sha256_is_base64_of_the_packages_sha256() {
        // `printf abc | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            code_sha256(b"abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    #[test]
    fn the_archive_is_the_same_for_the_same_source_and_named_by_runtime() {
        let a = archive("python3.13", "def handler(e, c): pass\n").unwrap();
        let b = archive("python3.13", "def handler(e, c): pass\n").unwrap();
        assert_eq!(a, b);
        assert_eq!(code_sha256(&a), code_sha256(&b));
        assert!(a.windows(8).any(|w| w == b"index.py"));
        let js = archive("nodejs20.x", "exports.handler = 1;\n").unwrap();
        assert!(js.windows(8).any(|w| w == b"index.js"));
        assert_ne!(code_sha256(&a), code_sha256(&js));
        assert_eq!(
            archive("java21", "x").unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }
}
