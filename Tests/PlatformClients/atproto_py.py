"""The AT Protocol Python SDK (`atproto`, the one Bluesky's documentation lists for Python) against the
sandbox's PDS.

Usage: atproto_py.py XRPC_BASE_URL HANDLE APP_PASSWORD. Exits non-zero, naming the call, when the sandbox
answers in a way the SDK's models refuse.
"""
import base64
import sys

from atproto import Client
from atproto_client.exceptions import BadRequestError, UnauthorizedError

base, handle, password = sys.argv[1], sys.argv[2], sys.argv[3]
png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


client = Client(base_url=base)
# createSession, then app.bsky.actor.getProfile for the account.
profile = client.login(handle, password)
check(profile.handle == handle, f"login reads the profile: {profile}")

post = client.send_post("Hello from the atproto SDK")
check(post.uri.startswith("at://") and post.cid, "send_post returns the record's uri and cid")
from atproto import models

reply = client.send_post("A reply", reply_to=models.AppBskyFeedPost.ReplyRef(
    root=models.create_strong_ref(post), parent=models.create_strong_ref(post)))
check(reply.uri != post.uri, "a reply is its own record")

# uploadBlob (sent as */*: the PDS tells the type from the bytes), then a post embedding it.
image = client.send_image(text="With an image", image=png, image_alt="a dot")
check(image.uri.startswith("at://"), "send_image creates a post")

did, _, rkey = post.uri[len("at://"):].partition("/app.bsky.feed.post/")
record = client.get_post(rkey, did)
check(record.value.text == "Hello from the atproto SDK", f"get_post reads the record: {record}")

# The AppView's view, as ARKYRA reads counts from it (app.bsky.feed.getPosts).
views = client.get_posts([post.uri]).posts
check(len(views) == 1 and views[0].uri == post.uri and views[0].reply_count == 1, f"get_posts counts the reply: {views}")

check(client.delete_post(reply.uri), "delete_post deletes the reply")
check(client.delete_post(post.uri), "delete_post deletes the post")
try:
    client.get_post(rkey, did)
    check(False, "a deleted record is gone")
except BadRequestError:
    pass

try:
    Client(base_url=base).login(handle, "wrong-password")
    check(False, "a wrong app password is refused")
except UnauthorizedError:
    pass

print("ok")
