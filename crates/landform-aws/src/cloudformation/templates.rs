//! Templates too large to send inline (TemplateBody takes 51,200 bytes) go to an S3 bucket
//! and are sent by URL.

use std::collections::BTreeMap;

use landform_core::Assembly;

use super::{input_hash, MAX_TEMPLATE_BODY};
use crate::error::{sdk_error, AwsError};
use crate::sessions::AwsSessions;
use crate::state::s3_client;

/// Upload every template of `assembly` over TemplateBody's limit to `bucket` (in `account`
/// and `region`, reached with the sessions' credentials), under
/// `landform/templates/<stack>-<hash of the template>.json`, and return the URLs by stack
/// name, for [`super::DeployOptions::template_urls`]. An object with the same key holds the
/// same template, so a re-run uploads again without creating another. The bucket must exist
/// and let the CloudFormation of the stacks' accounts read it (`s3:GetObject`).
pub async fn upload_templates(
    sessions: &AwsSessions,
    account: &str,
    region: &str,
    bucket: &str,
    assembly: &Assembly,
) -> Result<BTreeMap<String, String>, AwsError> {
    let large: Vec<_> = assembly
        .stacks()
        .iter()
        .filter(|s| Assembly::template_text(s).len() > MAX_TEMPLATE_BODY)
        .collect();
    let mut urls = BTreeMap::new();
    if large.is_empty() {
        return Ok(urls);
    }
    let client = s3_client(sessions, account, region).await?;
    let endpoint = sessions.endpoint();
    for stack in large {
        let text = Assembly::template_text(stack);
        let key = format!(
            "landform/templates/{}-{}.json",
            stack.name,
            input_hash(&[text])
        );
        client
            .put_object()
            .bucket(bucket)
            .key(&key)
            .content_type("application/json")
            .body(text.as_bytes().to_vec().into())
            .send()
            .await
            .map_err(|e| AwsError::call("PutObject", sdk_error("PutObject", e)))?;
        let url = if endpoint.is_some() {
            // A local AWS (moto, LocalStack) reads the template from its own S3 and knows an
            // S3 URL by its amazonaws.com host: the path-style form names the bucket even
            // where the endpoint has no virtual hosts.
            format!("https://s3.{region}.amazonaws.com/{bucket}/{key}")
        } else {
            format!("https://{bucket}.s3.{region}.amazonaws.com/{key}")
        };
        urls.insert(stack.name.clone(), url);
    }
    Ok(urls)
}
