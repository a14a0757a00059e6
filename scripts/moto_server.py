"""moto_server with the project's workarounds for moto's answers that the AWS SDK for Rust
refuses (started by scripts/moto.sh; never used against real AWS).

- GetBucketVersioning: moto 5.2.5 answers with a <GetBucketVersioningResponse> root element;
  S3 answers <VersioningConfiguration>, and the Rust SDK checks the root element's name.
"""
import sys

from moto.s3.responses import S3Response


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

from moto.server import main  # noqa: E402  (after the patch)

if __name__ == "__main__":
    sys.exit(main())
