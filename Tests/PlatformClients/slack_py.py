"""Slack's Python SDK (`slack_sdk`, the one Slack's documentation uses) against the sandbox's Web API.

Usage: slack_py.py API_BASE_URL CODE REDIRECT_URI. The code is a consent page's; the SDK trades it for the
bot token (oauth.v2.access) and goes on with that token. Exits non-zero, naming the call, when the sandbox
answers in a way the SDK refuses.
"""
import sys

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

base, code, redirect = sys.argv[1], sys.argv[2], sys.argv[3]


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


installed = WebClient(base_url=base).oauth_v2_access(
    client_id="arkyra-sandbox-client", client_secret="arkyra-sandbox-secret", code=code, redirect_uri=redirect)
token = installed["access_token"]
check(token.startswith("xoxb-") and installed["team"]["id"], f"oauth.v2.access answers the bot token: {installed.data}")

client = WebClient(token=token, base_url=base)
me = client.auth_test()
check(me["ok"] and me["bot_id"], f"auth.test: {me.data}")

channels = client.conversations_list(types="public_channel,private_channel", exclude_archived=True)["channels"]
general = next((c for c in channels if c["name"] == "general"), None)
check(general is not None, f"conversations.list has #general: {channels}")

posted = client.chat_postMessage(channel=general["id"], text="Hello from slack_sdk")
check(posted["ok"] and posted["ts"], f"chat.postMessage: {posted.data}")
reply = client.chat_postMessage(channel=general["id"], text="In the thread", thread_ts=posted["ts"])
check(reply["message"].get("thread_ts") == posted["ts"], f"a reply is in the thread: {reply.data}")
link = client.chat_getPermalink(channel=general["id"], message_ts=posted["ts"])
check(link["permalink"].startswith("https://"), f"chat.getPermalink: {link.data}")
client.chat_delete(channel=general["id"], ts=reply["ts"])
client.chat_delete(channel=general["id"], ts=posted["ts"])

try:
    WebClient(token="xoxb-not-a-token", base_url=base).auth_test()
    check(False, "a bad token is refused")
except SlackApiError as error:
    check(error.response["error"] == "invalid_auth", f"a bad token: {error.response.data}")

try:
    client.chat_delete(channel=general["id"], ts=posted["ts"])
    check(False, "deleting a message twice is refused")
except SlackApiError as error:
    check(error.response["error"] == "message_not_found", f"a message already deleted: {error.response.data}")

print("ok")
