"""Writes crates/landform-core/data/cfn-schemas.tsv, the CloudFormation registry schema of every
resource type, from the copies cfn-lint ships (offline, per region; us-east-1 is taken).

Usage: scripts/pyenv.sh && .venv/bin/python scripts/vendor_cfn_schemas.py
  (the cfn-lint pinned in scripts/requirements.txt is the source; bump it there to refresh)

One line a type, sorted: `AWS::Service::Type<TAB>{schema as compact JSON}`, so that a refresh
shows in a diff type by type, after an index of where each line is (a look-up reads the
index and one line, never the whole 6 MB). What no check of Landform reads is left out: descriptions,
titles, comments, examples, documentation links, `relationshipRef`, `insertionOrder`, and the
handlers' permission lists (their names are kept: which operations the type supports). The
first lines (`# ...`) say where the data came from.
"""
import hashlib
import importlib.metadata
import json
import os
import sys

import cfnlint

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "crates", "landform-core", "data", "cfn-schemas.tsv")
REGION = "us-east-1"

TOP = {
    "properties", "definitions", "required", "additionalProperties", "patternProperties",
    "primaryIdentifier", "additionalIdentifiers", "readOnlyProperties",
    "createOnlyProperties", "writeOnlyProperties", "conditionalCreateOnlyProperties",
    "deprecatedProperties", "oneOf", "anyOf", "allOf", "requiredXor", "dependentRequired",
    "dependentExcluded", "tagging", "handlers", "replacementStrategy",
}
DROP = {
    "description", "$comment", "title", "examples", "markdownDescription", "documentationUrl",
    "sourceUrl", "relationshipRef", "insertionOrder", "arrayType", "$schema",
}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    base = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas")
    with open(os.path.join(base, "providers", REGION + ".json")) as f:
        index = json.load(f)
    with open(os.path.join(base, "version.json")) as f:
        schema_date = json.load(f).get("schema_date", "unknown")
    lines = []
    for type_name, digest in sorted(index.items()):
        with open(os.path.join(base, "resources", digest + ".json")) as f:
            schema = json.load(f)
        reduced = {k: strip(v) for k, v in schema.items() if k in TOP}
        if "handlers" in reduced:
            reduced["handlers"] = sorted(reduced["handlers"])
        text = json.dumps(reduced, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        if "\t" in text or "\n" in text:
            sys.exit(f"{type_name}: a tab or newline in the compact JSON")
        lines.append(f"{type_name}\t{text}")
    body = "\n".join(lines) + "\n"
    # The index: where each type's line starts in the body and how long it is (bytes, UTF-8),
    # so a look-up reads the index and one line, not the whole file.
    index, at = [], 0
    for line in lines:
        name = line.split("\t", 1)[0]
        size = len(line.encode("utf-8"))
        index.append(f"{name}\t{at}\t{size}")
        at += size + 1
    version = importlib.metadata.version("cfn-lint")
    header = (
        f"# source: cfn-lint {version} data/schemas (registry schemas of {REGION}, "
        f"schema_date {schema_date}), {len(lines)} resource types\n"
        "# written by scripts/vendor_cfn_schemas.py; do not edit by hand. The index lines\n"
        "# (`TypeName<TAB>offset<TAB>length`, bytes into the schema lines) come first, then\n"
        "# the `# schemas` line, then one type a line: `TypeName<TAB>compact JSON`.\n"
        f"# sha256 of the schema lines: {hashlib.sha256(body.encode()).hexdigest()}\n"
    )
    text = header + "\n".join(index) + "\n# schemas\n" + body
    with open(OUT, "w", encoding="utf-8") as out:
        out.write(text)
    print(f"{OUT}: {len(lines)} types, {len(text.encode())} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
