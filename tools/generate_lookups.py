#!/usr/bin/env python3
"""Writes the lookup data files in commands/lookups/ (run by hand, not by the build).

The values follow the Akamai IAM v3 value sets (decision D-8): every value in the
spec's examples is kept exactly as the examples show it; the lists are completed in
the same style from Debian's iso-codes (countries, US states) and tzdata (time zones):
ASCII names cut at 30 characters, "USA" for the United States, offsets as "+6".
Usage: tools/generate_lookups.py SPEC_EXAMPLES_DIR
"""
import datetime
import json
import pathlib
import sys
import unicodedata
import zoneinfo

OUT = pathlib.Path(__file__).resolve().parent.parent / "commands" / "lookups"


def ascii_name(name):
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def example(examples, name):
    return json.loads((examples / name).read_text())


def countries(examples):
    iso = json.loads(pathlib.Path("/usr/share/iso-codes/json/iso_3166-1.json").read_text())["3166-1"]
    names = {"USA" if c["alpha_2"] == "US" else ascii_name(c["name"])[:30] for c in iso}
    names |= set(example(examples, "get-response-countries.json"))
    return sorted(names)


def us_states():
    iso = json.loads(pathlib.Path("/usr/share/iso-codes/json/iso_3166-2.json").read_text())["3166-2"]
    codes = sorted(s["code"][3:] for s in iso if s["code"].startswith("US-"))
    return codes + ["TBD"]


def offset_text(zone):
    # The standard (winter) offset, in hours, as "+6", "-3:30".
    delta = datetime.datetime(2026, 1, 15, tzinfo=zoneinfo.ZoneInfo(zone)).utcoffset()
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return sign + str(hours) + (":%02d" % rest if rest else "")


def timezones(examples):
    given = {z["timezone"]: z for z in example(examples, "get-response-timezones.json")}
    out = []
    for zone in sorted(zoneinfo.available_timezones()):
        if zone in given:
            out.append(given[zone])
            continue
        if zone.startswith(("Etc/", "SystemV/", "posix/", "right/")) or "/" not in zone:
            continue  # Akamai lists region/city zones; the examples' Etc zones are kept as given
        offset = offset_text(zone)
        out.append({"timezone": zone, "description": f"{zone} GMT{offset}", "offset": offset, "posix": zone})
    for zone, entry in given.items():
        if entry not in out:
            out.append(entry)
    # Every user example uses "GMT", which is also the default time zone (U-5).
    if "GMT" not in given:
        out.append({"timezone": "GMT", "description": "GMT", "offset": "+0", "posix": "GMT"})
    return sorted(out, key=lambda z: z["timezone"])


def example_user_values(examples, member):
    # The values of one member across the request and response examples of users.
    values = []
    for path in sorted(examples.glob("*.json")):
        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == member and isinstance(value, list):
                        values.extend(v for v in value if isinstance(v, str))
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)
        walk(json.loads(path.read_text()))
    return values


def notification_products(examples):
    # The products list, plus every product the notification examples name (D-8).
    products = example(examples, "get-response-notification-products.json")
    for name in example_user_values(examples, "proactive") + example_user_values(examples, "upgrade"):
        if name not in products:
            products.append(name)
    return products


def canada_states(examples):
    # The example's codes, kept as given, plus today's codes for Yukon and Newfoundland and Labrador.
    codes = example(examples, "get-response-states.json")
    for code in ("NL", "YT"):
        if code not in codes:
            codes.insert(-1 if codes and codes[-1] == "TBD" else len(codes), code)
    return codes


def standard_roles(examples):
    # The roles Akamai defines (types standard and account), as the examples show them.
    keep = ("roleId", "roleName", "roleDescription", "type", "createdBy", "createdDate", "modifiedBy", "modifiedDate")
    roles = [{k: role[k] for k in keep} for role in example(examples, "get-response-roles.json")
             if role["type"] != "custom"]
    # The create-user example grants Akamai's "Admin" role, which the roles
    # example does not list; it is added with the dates of the listed ones.
    known = {role["roleId"] for role in roles}
    for grant in example(examples, "post-request-create-user.json")["authGrants"]:
        if grant["roleId"] not in known and "roleDescription" in grant:
            roles.append({**roles[0], "roleId": grant["roleId"], "roleName": grant["roleName"],
                          "roleDescription": grant["roleDescription"], "type": "standard"})
            known.add(grant["roleId"])
    return sorted(roles, key=lambda role: role["roleId"])


def api_catalogue(examples):
    # The APIs a client can be granted: every API the examples name (D-8), each
    # id once, plus this server's own, the Identity and Access Management API.
    apis = {1: {"apiId": 1, "apiName": "Identity and Access Management",
                "description": "Identity and Access Management API v3 (this server)",
                "documentationUrl": "https://techdocs.akamai.com/iam-api/reference/api",
                "endPoint": "/identity-management", "serviceProviderId": 1,
                "accessLevels": ["READ-ONLY", "READ-WRITE"]}}
    for api in example(examples, "get-response-api-clients-allowed-apis.json"):
        apis.setdefault(api["apiId"], {k: api[k] for k in ("apiId", "apiName", "description", "documentationUrl",
                                                            "endPoint", "serviceProviderId", "accessLevels")})
    for path in sorted(examples.glob("*api-client*.json")):
        def walk(node):
            if isinstance(node, dict):
                if isinstance(node.get("apiAccess"), dict):
                    for api in node["apiAccess"].get("apis") or []:
                        apis.setdefault(api["apiId"], {
                            "apiId": api["apiId"], "apiName": api["apiName"],
                            "description": api.get("description", api["apiName"]),
                            "documentationUrl": api.get("documentationUrl", ""),
                            "endPoint": api.get("endPoint", ""), "serviceProviderId": 1,
                            "accessLevels": ["READ-ONLY", "READ-WRITE"]})
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)
        walk(json.loads(path.read_text()))
    return [apis[key] for key in sorted(apis)]


def main():
    examples = pathlib.Path(sys.argv[1])
    OUT.mkdir(parents=True, exist_ok=True)
    files = {
        "contact-types.json": example(examples, "get-response-contact-types.json"),
        "countries.json": countries(examples),
        "states.json": {"USA": us_states(), "Canada": canada_states(examples)},
        "supported-languages.json": example(examples, "get-response-supported-languages.json"),
        "timezones.json": timezones(examples),
        "timeout-policies.json": example(examples, "get-response-timeout-policies.json"),
        "password-policy.json": example(examples, "get-response-password-policy.json"),
        "notification-products.json": notification_products(examples),
        "grantable-roles.json": example(examples, "get-response-grantable-roles.json"),
        "standard-roles.json": standard_roles(examples),
        "apis.json": api_catalogue(examples),
    }
    for name, value in files.items():
        (OUT / name).write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
