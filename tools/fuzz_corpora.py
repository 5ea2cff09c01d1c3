#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets (tests/fuzz) from the
specifications' examples and the committed fixtures: nothing large is
committed, and the seeds follow the contracts as they change.

  tools/fuzz_corpora.py SPEC_DIR OUT_DIR
"""
import base64
import json
import os
import struct
import sys

import yaml


def write(out, target, name, data):
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def examples(node):
    """Every "example" and every value of "examples" in an OpenAPI document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example":
                yield value
            elif key == "examples" and isinstance(value, dict):
                for item in value.values():
                    yield item.get("value", item) if isinstance(item, dict) else item
            else:
                yield from examples(value)
    elif isinstance(node, list):
        for item in node:
            yield from examples(item)


def main():
    spec_dir, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(spec_dir, "akamai-iam-v3", "openapi.json")) as f:
        v3 = json.load(f)
    with open(os.path.join(spec_dir, "seed-003", "openapi.yaml")) as f:
        workspace = yaml.safe_load(f)

    # Request and response bodies of both surfaces, for the JSON reader.
    count = 0
    for document in (v3, workspace):
        for example in examples(document):
            if isinstance(example, dict):
                count += 1
                write(out, "fuzz_json_input", "example-%04d.json" % count, json.dumps(example))

    # Every path of both surfaces, with a method byte and sample parameters.
    count = 0
    for document, prefix in ((v3, "/identity-management/v3"), (workspace, "")):
        for path in document.get("paths", {}):
            count += 1
            concrete = path.replace("{", "").replace("}", "-1") + "?actions=true&groupId=10000&search=a%20b"
            write(out, "fuzz_router_query", "path-%04d" % count, bytes([count % 5]) + (prefix + concrete).encode())

    # Every mutation with a request body, on both surfaces: the operations
    # fuzz_mutation_bodies chooses from (its first input line names one),
    # and a seed per example body of each (an empty object where the spec
    # gives none).
    operations = []
    for document, prefix in ((v3, "/identity-management/v3"), (workspace, "")):
        for path, methods in document.get("paths", {}).items():
            for method, operation in methods.items():
                if method in ("post", "put", "patch", "delete") and "requestBody" in operation:
                    operations.append(("%s %s%s" % (method.upper(), prefix, path), operation["requestBody"]))
    with open(os.path.join(out, "fuzz_mutation_bodies.operations"), "w") as f:
        f.write("".join(name + "\n" for name, _ in operations))
    for i, (name, request_body) in enumerate(operations):
        bodies = [example for example in examples(request_body) if isinstance(example, (dict, list))] or [{}]
        for j, body in enumerate(bodies):
            write(out, "fuzz_mutation_bodies", "operation-%03d-%02d" % (i, j), name + "\n" + json.dumps(body))

    header = ("EG1-HMAC-SHA256 client_token=akab-client-token-xxx-xxxxxxxxxxxxxxxx;"
              "access_token=akab-access-token-xxx-xxxxxxxxxxxxxxxx;timestamp=20261202T10:15:00+0000;"
              "nonce=nonce-xx-xxxx-xxxx-xxxx-xxxxxxxxxxxx;signature=%s" % base64.b64encode(b"s" * 32).decode())
    write(out, "fuzz_edgegrid_header", "valid", header)
    write(out, "fuzz_edgegrid_header", "timestamp", "20240229T23:59:59+0000")

    claims = base64.urlsafe_b64encode(json.dumps({"sub": "1", "exp": 1900000000, "iss": "https://127.0.0.1"})
                                      .encode()).rstrip(b"=")
    head = base64.urlsafe_b64encode(b'{"alg":"EdDSA","kid":"k1","typ":"JWT"}').rstrip(b"=")
    write(out, "fuzz_jwt", "token", head + b"." + claims + b"." + base64.urlsafe_b64encode(b"x" * 64).rstrip(b"="))

    for i, text in enumerate(["10.0.0.0/8", "192.168.1.1", "::1/128", "2001:db8::/32", " 172.16.0.0/12 ",
                              "::ffff:10.1.2.3", "0.0.0.0/0"]):
        write(out, "fuzz_cidr", "cidr-%d" % i, text)

    # Event records in the store's binary format (events/event_codec.h), at
    # the position the target decodes them at (42), from the committed
    # revision-1 log: upcasting runs on them.
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                           "revision1-log.ndjson")
    with open(fixture) as f:
        for i, line in enumerate(f):
            e = json.loads(line)
            record = struct.pack(">BQQIqq", 1, 42, e["aggregateVersion"], e["schemaRevision"], 0, 0)
            for field in ("eventId", "aggregateType", "aggregateId", "eventType", "resourceOwner", "creator",
                          "requestId"):
                value = e[field].encode()
                record += struct.pack(">I", len(value)) + value
            payload = json.dumps(e["payload"]).encode()
            record += struct.pack(">I", len(payload)) + payload
            write(out, "fuzz_event_decoder", "record-%03d" % i, record)


if __name__ == "__main__":
    main()
