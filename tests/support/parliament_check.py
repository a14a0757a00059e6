"""Runs parliament (the IAM policy linter, in the project's venv) over every policy document
in the templates of a directory, as landform-core's validator sees them, and prints one JSON
object: {"documents": N, "statements_skipped": M, "findings": [{template, resource, issue,
detail}]}.

Usage: parliament_check.py TEMPLATE_DIR

Values known only at deploy time are replaced by what they resolve to in shape: pseudo
parameters by an account, region and partition, other ${...} of a Fn::Sub by a name, a Ref or
GetAtt in a Principal by an account root (an OIDC provider for Federated), in a Condition by
a name. A statement whose
Resource is such a value is left out (parliament would judge a made-up ARN), and counted.
"""
import glob
import json
import os
import re
import sys

from parliament import analyze_policy_string

POLICIES = {
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
    ("AWS::IAM::Role", "Policies"),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
    ("AWS::IAM::Policy", "PolicyDocument"),
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::Organizations::Policy", "Content"),
}
PSEUDO = {"AWS::AccountId": "111111111111", "AWS::Region": "us-east-1", "AWS::Partition": "aws"}


def intrinsic(v):
    return isinstance(v, dict) and len(v) == 1 and (next(iter(v)) == "Ref" or next(iter(v)).startswith("Fn::"))


def resolve(v, where):
    if intrinsic(v):
        name, arg = next(iter(v.items()))
        if name == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0]
            return re.sub(r"\$\{([^}]*)\}", lambda m: PSEUDO.get(m.group(1), "placeholder"), text)
        if name == "Ref" and arg in PSEUDO:
            return PSEUDO[arg]
        if where == "Federated":
            return "arn:aws:iam::111111111111:oidc-provider/placeholder"
        return "arn:aws:iam::111111111111:root" if where in ("AWS", "Principal") else "placeholder"
    if isinstance(v, dict):
        return {k: resolve(x, k if where in (None, "Principal") else where) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve(x, where) for x in v]
    return v


def main():
    out = {"documents": 0, "statements_skipped": 0, "findings": []}
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.template.json"))):
        template = json.load(open(path))
        for lid, r in template.get("Resources", {}).items():
            for kind, prop in POLICIES:
                if r["Type"] != kind or prop not in r.get("Properties", {}):
                    continue
                value = r["Properties"][prop]
                docs = [p["PolicyDocument"] for p in value] if prop == "Policies" else [value]
                for doc in docs:
                    if isinstance(doc, str):
                        doc = json.loads(doc)
                    statements = doc.get("Statement", [])
                    statements = statements if isinstance(statements, list) else [statements]
                    kept = []
                    for st in statements:
                        res = st.get("Resource", st.get("NotResource"))
                        items = res if isinstance(res, list) else [res]
                        if any(intrinsic(x) for x in items if x is not None):
                            out["statements_skipped"] += 1
                            continue
                        kept.append(resolve(st, None))
                    if not kept:
                        continue
                    out["documents"] += 1
                    policy = analyze_policy_string(
                        json.dumps({**doc, "Statement": kept}), ignore_private_auditors=True
                    )
                    for f in policy.findings:
                        out["findings"].append({
                            "template": os.path.basename(path),
                            "resource": f"{lid}.{prop}",
                            "issue": f.issue,
                            "detail": str(f.detail),
                        })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
