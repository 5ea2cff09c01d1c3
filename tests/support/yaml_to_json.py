"""Writes a YAML document as JSON (the workspace contract, for the conformance checks).

Usage: yaml_to_json.py IN.yaml OUT.json
"""
import json
import sys

import yaml


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    with open(target, "w", encoding="utf-8") as handle:
        # Unquoted YAML timestamps become strings again.
        json.dump(document, handle, default=str)


if __name__ == "__main__":
    main()
