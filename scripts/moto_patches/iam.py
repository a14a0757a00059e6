"""IAM: AWS managed policies built once, not once an account.

With AWS managed policies loaded (scripts/moto.sh asks for them: AWS_ConfigRole and the like
exist in every real account), moto 5.2.5 builds all ~1,600 of them in each account's IAM
backend the first time the account is touched: about 0.25 s and several megabytes an account.
moto touches every account's IAM backend to find which account an access key belongs to, so
an organization of a thousand accounts (House Escort `--accounts 1000`) spends minutes and
gigabytes on this, and the server stops answering for long stretches.

AWS has one copy of each managed policy (`arn:aws:iam::aws:policy/...`), the same in every
account. Here they are built once (per partition) and every account's backend holds those
same objects; only their AttachmentCount is the organization's sum rather than one account's.
"""
import json

from moto.iam import models
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.settings import load_iam_aws_managed_policies

_built = {}


def _init_aws_policies(self):
    if not load_iam_aws_managed_policies():
        return []
    partition = models.get_partition(self.region_name)
    policies = _built.get(partition)
    if policies is None:
        data = json.loads(aws_managed_policies_data)
        policies = [
            models.AWSManagedPolicy.from_data(name, self.account_id, self.region_name, d)
            for name, d in data.items()
        ]
        _built[partition] = policies
    return policies


models.IAMBackend._init_aws_policies = _init_aws_policies
