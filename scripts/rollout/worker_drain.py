"""A worker sent SIGTERM while it holds publish jobs (make rollout-check, step 2).

Starts --first-worker, schedules --posts posts due in eight seconds on the organization's channel, sends the
worker SIGTERM once it has started publishing them, checks that it exits within its grace period, starts
--second-worker, and waits until every post is published. Prints what happened and "lost N, duplicated M": a post the sandbox
never received is lost, one it received twice is duplicated.
"""
import argparse, json, shlex, signal, subprocess, sys, time, urllib.request, uuid
from datetime import datetime, timedelta, timezone


def call(method, url, token=None, body=None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def main():
    parser = argparse.ArgumentParser()
    for name in ["--api", "--sandbox", "--token", "--organization", "--first-worker", "--second-worker", "--logs"]:
        parser.add_argument(name, required=True)
    parser.add_argument("--posts", type=int, default=60)
    args = parser.parse_args()
    with open(f"{args.logs}-1.log", "w") as log:
        first = subprocess.Popen(shlex.split(args.first_worker), stdout=log, stderr=subprocess.STDOUT)
    try:
        return run(args, first)
    finally:
        if first.poll() is None:  # this script failed before the worker was stopped
            first.kill()
            first.wait()


def run(args, first):
    base = f"{args.api}/api/v1/organizations/{args.organization}"
    channel = call("GET", f"{base}/integrations", args.token)["integrations"][0]["id"]
    prefix = f"rollout {uuid.uuid4().hex[:8]}"
    due = (datetime.now(timezone.utc) + timedelta(seconds=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for index in range(args.posts):
        call("POST", f"{base}/posts", args.token, {"publish_at": due, "variants": [{"integration_id": channel, "content": f"{prefix} #{index}"}]})

    def received():
        statuses = call("GET", f"{args.sandbox}/_sandbox/mastodon/statuses")["statuses"]
        return [status["text"] for status in statuses if status["text"].startswith(prefix)]

    deadline = time.monotonic() + 60
    while not received() and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGTERM)
    stopped_at = time.monotonic()
    try:
        status = first.wait(timeout=90)
    except subprocess.TimeoutExpired:
        print("   the worker did not exit within 90 s of SIGTERM")
        first.kill()
        status = first.wait()
    drain = time.monotonic() - stopped_at
    published_by_first = len(set(received()))
    with open(f"{args.logs}-2.log", "w") as log:
        second = subprocess.Popen(shlex.split(args.second_worker), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while len(set(received())) < args.posts and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # a duplicate would arrive now
        texts = received()
    finally:
        second.terminate()
        second.wait(timeout=30)
    expected = {f"{prefix} #{index}" for index in range(args.posts)}
    lost = len(expected - set(texts))
    duplicated = len(texts) - len(set(texts))
    print(f"   {args.posts} posts; the first worker exited with status {status} {drain:.1f} s after SIGTERM, {published_by_first}"
          f" published by then; the second worker published the rest")
    print(f"   lost {lost}, duplicated {duplicated}")


if __name__ == "__main__":
    sys.exit(main())
