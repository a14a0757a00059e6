"""The project's corrections to moto 5.2.5, applied by scripts/moto_server.py before the server
starts. Each module names the moto behaviour it corrects and the AWS behaviour it follows. They
exist so the AWS provider and the command line can be rehearsed on a local AWS; none of this is
ever used against real AWS.
"""

from . import budgets, cfn_ec2_tgw, cfn_organizations, cfn_placeholders, cloudformation, cloudformation_stacksets, dynamodb, ec2_shared, iam, kms, lambda_, organizations, s3  # noqa: F401
