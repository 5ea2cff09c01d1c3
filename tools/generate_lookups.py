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
    return sorted(out, key=lambda z: z["timezone"])


def standard_roles(examples):
    # The roles Akamai defines (types standard and account), as the examples show them.
    keep = ("roleId", "roleName", "roleDescription", "type", "createdBy", "createdDate", "modifiedBy", "modifiedDate")
    return [{k: role[k] for k in keep} for role in example(examples, "get-response-roles.json")
            if role["type"] != "custom"]


def main():
    examples = pathlib.Path(sys.argv[1])
    OUT.mkdir(parents=True, exist_ok=True)
    files = {
        "contact-types.json": example(examples, "get-response-contact-types.json"),
        "countries.json": countries(examples),
        "states.json": {"USA": us_states(), "Canada": example(examples, "get-response-states.json")},
        "supported-languages.json": example(examples, "get-response-supported-languages.json"),
        "timezones.json": timezones(examples),
        "timeout-policies.json": example(examples, "get-response-timeout-policies.json"),
        "password-policy.json": example(examples, "get-response-password-policy.json"),
        "notification-products.json": example(examples, "get-response-notification-products.json"),
        "grantable-roles.json": example(examples, "get-response-grantable-roles.json"),
        "standard-roles.json": standard_roles(examples),
    }
    for name, value in files.items():
        (OUT / name).write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
