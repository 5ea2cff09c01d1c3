#!/usr/bin/env python3
"""A person's whole way through iamd's workspace surface, over https, with
nothing but Python's standard library as the client (seed-003 issue scenario):
register, confirm from the mailed link, sign in, enrol TOTP, sign in with
TOTP, refresh, reuse a spent refresh token (the session ends), sign out.

Usage: workspace_scenario.py BASE_URL CA_FILE OUTBOX_DIR
Prints "ok <step>" per step and "token <jwt>" for each access token issued,
so the caller can verify them against the JWKS; exits 1 at the first
unexpected answer.
"""
import base64
import glob
import hashlib
import hmac
import json
import os
import re
import ssl
import struct
import sys
import time
import urllib.error
import urllib.request

BASE, CA_FILE, OUTBOX = sys.argv[1], sys.argv[2], sys.argv[3]
CONTEXT = ssl.create_default_context(cafile=CA_FILE)
EMAIL = "scenario.person@example.com"
PASSWORD = "Scenario-Pass-2026"


def call(method, path, body=None, token=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, context=CONTEXT, timeout=30) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, dict(error.headers), json.loads(raw) if raw else None


def expect(step, status, wanted, body=None):
    if status != wanted:
        print(f"FAILED {step}: status {status}, wanted {wanted}: {body}")
        sys.exit(1)
    print("ok " + step, flush=True)


def mailed_link(pattern, deadline_seconds=10):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        for path in sorted(glob.glob(os.path.join(OUTBOX, "*.eml")), reverse=True):
            with open(path, encoding="utf-8") as mail:
                text = mail.read()
            if "To: " + EMAIL in text:
                match = re.search(pattern, text)
                if match:
                    return match.group(1)
        time.sleep(0.05)
    print("FAILED no mail for " + EMAIL)
    sys.exit(1)


def totp(secret_base32, step):
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000
    return f"{value:06d}"


class Steps:
    """TOTP steps, each used once (CC-9), never more than one step from now."""

    def __init__(self, secret):
        self.secret, self.last = secret, 0

    def next_code(self):
        self.last = max(self.last + 1, int(time.time()) // 30 - 1)
        return totp(self.secret, self.last)


status, _, body = call("POST", "/uauth/user/register",
                       {"email": EMAIL, "password": PASSWORD, "firstName": "Sam", "lastName": "Scenario"})
expect("register", status, 202, body)
token = mailed_link(r"/uauth/user/confirmation/([A-Za-z0-9_-]{43})")
status, headers, body = call("GET", "/uauth/user/confirmation/" + token)
expect("confirm the address from the mailed link", status, 200, body)
if body["status"] != "CONFIRMED" or headers.get("Cache-Control") != "no-store":
    print(f"FAILED confirmation answer: {headers} {body}")
    sys.exit(1)

status, _, body = call("POST", "/uauth/auth/login/user", {"username": EMAIL, "password": PASSWORD})
expect("sign in with the password", status, 200, body)
user_token = body["token"]
print("token " + user_token)

status, _, body = call("POST", "/uauth/users/mfa/initialization", {"mfaType": "TOTP_AUTHENTICATOR"}, user_token)
expect("start a TOTP enrolment", status, 200, body)
steps = Steps(body["secret"])
status, _, body = call("POST", "/uauth/users/mfa/confirmation",
                       {"mfaType": "TOTP_AUTHENTICATOR", "verificationCode": steps.next_code()}, user_token)
expect("confirm TOTP with a code from the secret", status, 200, body)

status, _, body = call("POST", "/uauth/auth/login/user", {"username": EMAIL, "password": PASSWORD})
expect("sign in again: a second factor is due", status, 200, body)
if body.get("refreshToken") is not None or "TOTP_AUTHENTICATOR" not in body.get("mfaMethods", []):
    print(f"FAILED an mfa-pending sign-in carries no refresh token: {body}")
    sys.exit(1)
status, _, body = call("POST", "/uauth/auth/login/user/mfa/verification?mfaType=TOTP_AUTHENTICATOR",
                       {"verificationCode": steps.next_code()}, body["token"])
expect("pass the MFA step with TOTP", status, 200, body)
print("token " + body["token"])
first_refresh = body["refreshToken"]

status, _, body = call("POST", "/uauth/auth/refresh", {"refreshToken": first_refresh})
expect("refresh rotates the refresh token", status, 200, body)
print("token " + body["token"])
second_refresh, access = body["refreshToken"], body["token"]

status, _, body = call("POST", "/uauth/auth/refresh", {"refreshToken": first_refresh})
expect("reusing the spent refresh token is refused", status, 401, body)
status, _, body = call("POST", "/uauth/auth/refresh", {"refreshToken": second_refresh})
expect("the reuse ended the session: its live token died too", status, 401, body)
status, _, body = call("GET", "/uauth/users/my-account", token=access)
expect("and so did its access token", status, 401, body)

status, _, body = call("POST", "/uauth/auth/login/user", {"username": EMAIL, "password": PASSWORD})
expect("sign in once more", status, 200, body)
status, _, body = call("POST", "/uauth/auth/login/user/mfa/verification?mfaType=TOTP_AUTHENTICATOR",
                       {"verificationCode": steps.next_code()}, body["token"])
expect("pass the MFA step again", status, 200, body)
access = body["token"]
status, _, body = call("POST", "/uauth/auth/logout", None, access)
expect("sign out", status, 204, body)
status, _, body = call("GET", "/uauth/users/my-account", token=access)
expect("the signed-out token is refused", status, 401, body)
print("all steps passed")
