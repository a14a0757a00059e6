"""S3: moto's answers that the AWS SDK for Rust refuses or that differ from S3's.

- GetBucketVersioning: moto 5.2.5 answers with a <GetBucketVersioningResponse> root element;
  S3 answers <VersioningConfiguration>, and the Rust SDK checks the root element's name.
- PutBucketLogging: moto 5.2.5 crashes (HTTP 500) reading the target bucket's policy when a
  statement's Principal is the string "*" (a TLS-only deny, for instance); such statements
  are skipped in its permission check, as they grant the logging service nothing.
- Object calls under a bucket policy: moto evaluates only StringEquals conditions (any other
  operator, such as Bool, counts as holding), fills no request condition keys, and answers
  DENIED for a statement whose condition does not hold, whatever its Effect. So a TLS-only
  deny (Bool aws:SecureTransport false) refuses every GetObject and PutObject. Here Bool is
  evaluated, a statement whose condition does not hold does not apply (NEUTRAL, as in IAM's
  evaluation logic), and, since the tests reach moto over
  plain HTTP on 127.0.0.1 in place of S3's TLS endpoint, which every real call uses, so here
  requests count as made over TLS (`aws:SecureTransport` = true).
"""
import json

from moto.iam import policy_conditions
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

_log_permissions = FakeBucket._log_permissions_enabled_policy


def _log_permissions_enabled_policy(target_bucket, target_prefix):
    saved = target_bucket.policy
    if saved:
        doc = json.loads(saved.decode())
        doc["Statement"] = [
            s for s in doc.get("Statement", []) if isinstance(s.get("Principal"), dict)
        ]
        target_bucket.policy = json.dumps(doc).encode()
    try:
        return _log_permissions(target_bucket, target_prefix)
    finally:
        target_bucket.policy = saved


FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)

def _bool_operation(expected, actual):
    wanted = expected if isinstance(expected, list) else [expected]
    return str(actual).lower() in [str(w).lower() for w in wanted]


policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", _bool_operation)

_statement_permitted = IAMPolicyStatement.is_action_permitted


def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
    values = {"aws:SecureTransport": "true", **(incoming_condition_values or {})}
    if self._statement.get("Condition") and not self._check_conditions(values):
        return PermissionResult.NEUTRAL
    return _statement_permitted(self, action, resource, principal, values)


IAMPolicyStatement.is_action_permitted = is_action_permitted


def get_bucket_versioning(self):
    status = self.backend.get_bucket_versioning(self.bucket_name)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    )
    if status:
        body += f"<Status>{status}</Status>"
    body += "</VersioningConfiguration>"
    return 200, {"Content-Type": "application/xml"}, body


S3Response.get_bucket_versioning = get_bucket_versioning
