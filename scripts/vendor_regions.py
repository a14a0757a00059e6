"""Writes crates/landform-core/data/regions.tsv, the regions of each AWS partition that
landform-core checks a stage's region against, from botocore's endpoints.json.

Usage: python3 scripts/vendor_regions.py BOTOCORE_WHEEL
  (pip download --no-deps botocore: the newest release carries the newest regions; the
  project's venv pins an older botocore for moto)

One line a partition: `partition<TAB>region,region,...`; the `# source:` line says where it
came from.
"""
import json
import os
import re
import sys
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "crates", "landform-core", "data", "regions.tsv")


def main():
    wheel = sys.argv[1]
    version = re.search(r"botocore-([0-9.]+)-", os.path.basename(wheel)).group(1)
    with zipfile.ZipFile(wheel) as z:
        endpoints = json.loads(z.read("botocore/data/endpoints.json"))
    lines = [
        f"# source: botocore {version} data/endpoints.json",
        "# AWS regions by partition, written by scripts/vendor_regions.py",
    ]
    for p in endpoints["partitions"]:
        lines.append(f"{p['partition']}\t{','.join(sorted(p['regions']))}")
    with open(OUT, "w") as out:
        out.write("\n".join(lines) + "\n")
    print(f"{OUT}: {sum(len(p['regions']) for p in endpoints['partitions'])} regions", file=sys.stderr)


if __name__ == "__main__":
    main()
