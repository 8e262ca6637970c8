"""Google's API client for Python (`google-api-python-client`, the library YouTube's documentation uses)
against the sandbox's YouTube Data API.

Usage: youtube_py.py API_ROOT ACCESS_TOKEN (the token endpoint is API_ROOT/token, as in the sandbox). The library's own discovery document for YouTube v3 is used
with its root pointed at the sandbox, so every call — the resumable upload in chunks included — is built by
the library as it would be for Google. Exits non-zero, naming the call, when the sandbox answers in a way the
library refuses.
"""
import json
import os
import sys
import tempfile

import googleapiclient
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload

root, token = sys.argv[1], sys.argv[2]


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


document_path = os.path.join(os.path.dirname(googleapiclient.__file__), "discovery_cache", "documents", "youtube.v3.json")
with open(document_path) as file:
    document = json.load(file)
document["rootUrl"] = document["baseUrl"] = root
youtube = build_from_document(document, credentials=Credentials(token))

channels = youtube.channels().list(part="snippet", mine=True).execute()
check(len(channels["items"]) == 1 and channels["items"][0]["id"].startswith("UC"), f"channels.list mine=true: {channels}")

# A video of 600 KiB sent in chunks of 256 KiB through the resumable protocol (308 with Range between them).
with tempfile.NamedTemporaryFile(suffix=".mp4", delete=False) as video:
    video.write(b"\x00\x00\x00\x18ftypmp42" + bytes(600 * 1024))
media = MediaFileUpload(video.name, mimetype="video/mp4", chunksize=256 * 1024, resumable=True)
insert = youtube.videos().insert(
    part="snippet,status",
    body={"snippet": {"title": "From the SDK", "description": "Uploaded by google-api-python-client"}, "status": {"privacyStatus": "public"}},
    media_body=media,
)
response, chunks = None, 0
while response is None:
    status, response = insert.next_chunk()
    chunks += 1
check(chunks == 3 and response["snippet"]["title"] == "From the SDK", f"videos.insert in {chunks} chunks: {response}")
video_id = response["id"]

listed = youtube.videos().list(part="snippet,statistics,status", id=video_id).execute()
check(listed["items"][0]["statistics"]["viewCount"] == "0", f"videos.list: {listed}")

thread = youtube.commentThreads().insert(
    part="snippet", body={"snippet": {"videoId": video_id, "topLevelComment": {"snippet": {"textOriginal": "First!"}}}}
).execute()
threads = youtube.commentThreads().list(part="snippet", videoId=video_id).execute()
check([t["id"] for t in threads["items"]] == [thread["id"]], f"commentThreads.list: {threads}")
youtube.comments().delete(id=thread["id"]).execute()
youtube.videos().delete(id=video_id).execute()
check(youtube.videos().list(part="id", id=video_id).execute()["items"] == [], "videos.delete removes the video")

try:
    youtube.videos().insert(part="snippet", body={"snippet": {"title": ""}},
                            media_body=MediaFileUpload(video.name, mimetype="video/mp4", resumable=True)).execute()
    check(False, "an empty title is refused")
except HttpError as error:
    check(error.resp.status == 400 and error.reason.startswith("The request metadata specifies an invalid or empty video title"),
          f"an empty title: {error.resp.status} {error.reason}")

# A refused token makes the library refresh it at the token endpoint; a refused refresh token ends there.
stale = Credentials("not-a-token", refresh_token="not-a-refresh-token", token_uri=root + "token",
                    client_id="arkyra-sandbox-client", client_secret="arkyra-sandbox-secret")
try:
    build_from_document(document, credentials=stale).channels().list(part="snippet", mine=True).execute()
    check(False, "a bad token is refused")
except RefreshError as error:
    check("invalid_grant" in str(error), f"a bad token, then a bad refresh token: {error}")

print("ok")
