"""The kill -9 benchmark of `make bench`: posts are held by workers whose platform calls hang (the sandbox's
`slow` fault), one worker is killed with SIGKILL, and the time until each of its posts is claimed again by
another worker (its `attempt_started_at`, second attempt) is measured. Prints JSON lines."""
import argparse
import datetime
import os
import signal
import sys
import time

import requests

from benchlib import connect_mastodon, psql_query, report, run, sign_up


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--psql", required=True)
    parser.add_argument("--workers", required=True, help="worker-id=pid,... of the running workers")
    parser.add_argument("--posts", type=int, default=200)
    args = parser.parse_args()
    workers = dict(pair.split("=") for pair in args.workers.split(","))
    session = requests.Session()

    query = psql_query(args.psql)
    headers, organization = sign_up(session, args.api, "reclaim")
    channel = connect_mastodon(session, args.api, args.sandbox, headers, organization, "reclaim", "reclaim-token")
    # Every publish hangs for a minute: the workers hold the posts, renewing their leases.
    session.post(f"{args.sandbox}/_sandbox/faults", json={"platform": "mastodon", "kind": "slow", "count": args.posts, "delay": 60}).raise_for_status()
    # The posts fall due together once all of them exist: the publish time leaves room for creating them on a
    # machine several times slower than this one, and the wait below starts from that time.
    started = time.time()
    session.post(f"{args.api}/api/v1/organizations/{organization}/posts", headers=headers, json={
        "publish_at": at(started + 600), "variants": [{"integration_id": channel, "content": "reclaim probe"}]}).raise_for_status()
    per_post = time.time() - started
    due_at = time.time() + 2 + per_post * args.posts * 4
    for number in range(args.posts):
        session.post(f"{args.api}/api/v1/organizations/{organization}/posts", headers=headers, json={
            "publish_at": at(due_at), "variants": [{"integration_id": channel, "content": f"reclaim {number}"}]}).raise_for_status()
    condition = f"organization_id = '{organization}' AND content <> 'reclaim probe'"
    deadline = max(time.time(), due_at) + 30
    while time.time() < deadline and int(query(f"SELECT count(*) FROM posts WHERE {condition} AND state = 'publishing'")) < args.posts:
        time.sleep(0.2)
    if time.time() >= deadline:
        print(f"benchmark failed: the workers did not claim all {args.posts} posts within 30 s of their publish time", file=sys.stderr)
        return 1
    owners = query(f"SELECT lease_owner, count(*) FROM posts WHERE {condition} AND state = 'publishing' GROUP BY 1 ORDER BY 2 DESC")
    victim = owners.splitlines()[0].split("|")[0]
    held = [line for line in query(f"SELECT id FROM posts WHERE {condition} AND lease_owner = '{victim}'").splitlines() if line]
    killed_at = time.time()
    os.kill(int(workers[victim]), signal.SIGKILL)
    ids = ",".join(f"'{post}'" for post in held)
    deadline = killed_at + 60
    while time.time() < deadline:
        taken = int(query(f"SELECT count(*) FROM posts WHERE id IN ({ids}) AND attempt >= 2"))
        if taken >= len(held):
            break
        time.sleep(0.2)
    delays = sorted(float(value) for value in query(
        f"SELECT extract(epoch FROM attempt_started_at) - {killed_at} FROM posts WHERE id IN ({ids}) AND attempt >= 2").splitlines() if value)
    report("kill9_posts_held", len(held), "posts")
    report("kill9_posts_taken_over", len(delays), "posts")
    if delays:
        report("kill9_reclaim_p50", delays[len(delays) // 2], "s")
        report("kill9_reclaim_p99", delays[min(len(delays) - 1, len(delays) * 99 // 100)], "s")
    return 0 if len(delays) == len(held) else 1


def at(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    run(main)
