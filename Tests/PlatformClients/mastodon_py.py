"""Mastodon.py (the Python client Mastodon's documentation lists) against the sandbox's Mastodon.

Usage: mastodon_py.py BASE_URL TOKEN. Exits non-zero, naming the call, when the sandbox answers a call the
library makes in a way the library cannot use. Each check is a call ARKYRA relies on, or one the library
makes around it.
"""
import base64
import sys
import warnings

from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError

base, token = sys.argv[1], sys.argv[2]
# A 1x1 PNG.
png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


# A warning of the library's about what the server answered is a failure too.
warnings.filterwarnings("error", module="mastodon")
# The constructor asks the instance for its version (GET /api/v1/instance).
client = Mastodon(access_token=token, api_base_url=base)
check(client.verify_minimum_version("4.0.0", cached=True), "the instance reports a version of at least 4.0.0")
instance = client.instance()
check(instance["configuration"]["statuses"]["max_characters"] == 500, "instance configuration reports 500 characters")

me = client.account_verify_credentials()
check(me["acct"], "verify_credentials names the account")

media = client.media_post(png, mime_type="image/png", file_name="dot.png", description="a dot")
check(media["type"] == "image" and media["description"] == "a dot", f"media_post returns the attachment: {media}")

status = client.status_post("Hello from Mastodon.py", media_ids=[media], idempotency_key="sdk-1")
again = client.status_post("Hello from Mastodon.py", media_ids=[media], idempotency_key="sdk-1")
check(status["id"] == again["id"], "the same idempotency key returns the same status")
check(len(status["media_attachments"]) == 1, "the status carries the image")

reply = client.status_post("A reply", in_reply_to_id=status)
check(reply["in_reply_to_id"] == status["id"], "a reply names the status it answers")
check(client.status(status["id"])["id"] == status["id"], "status() reads the status back")

deleted = client.status_delete(reply)
check(deleted["text"] == "A reply", "status_delete returns the deleted status with its source text")
client.status_delete(status)
try:
    client.status(status["id"])
    check(False, "a deleted status is gone")
except MastodonNotFoundError:
    pass

try:
    Mastodon(access_token="not-a-token", api_base_url=base, version_check_mode="none").account_verify_credentials()
    check(False, "a bad token is refused")
except MastodonUnauthorizedError:
    pass

print("ok")
