"""The burst benchmark of `make bench`: 10,000 posts due in the same second, published to the sandbox by 4
worker processes. Seeds through the real API, then reads the outcome from PostgreSQL. Prints JSON lines."""
import argparse
import concurrent.futures
import datetime
import json
import subprocess
import sys
import time

import requests


def report(name, value, unit):
    print(json.dumps({"name": name, "value": round(value, 2), "unit": unit}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--psql", required=True, help="psql command line for the benchmark database")
    parser.add_argument("--channels", type=int, default=40)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--lead", type=float, default=25.0, help="seconds between seeding and the burst")
    parser.add_argument("--worker-pids", default="")
    args = parser.parse_args()
    session = requests.Session()

    email = f"burst-{int(time.time())}@example.com"
    session.post(f"{args.api}/api/v1/auth/register", json={"email": email, "password": "burst-password"}).raise_for_status()
    token = session.post(f"{args.api}/api/v1/auth/login", json={"email": email, "password": "burst-password"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    organization = session.post(f"{args.api}/api/v1/organizations", json={"name": "Burst"}, headers=headers).json()["organization"]["id"]
    channels = []
    for index in range(args.channels):
        session.post(f"{args.sandbox}/_sandbox/mastodon/accounts", json={"username": f"burst{index}", "token": f"burst-token-{index}"}).raise_for_status()
        response = session.post(f"{args.api}/api/v1/organizations/{organization}/integrations", headers=headers, json={
            "provider": "mastodon", "instance_url": f"{args.sandbox}/mastodon", "access_token": f"burst-token-{index}"})
        response.raise_for_status()
        channels.append(response.json()["id"])

    due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=args.lead)
    due_text = due.strftime("%Y-%m-%dT%H:%M:%SZ")
    groups = args.posts // len(channels)

    def create(number):
        variants = [{"integration_id": channel, "content": f"burst {number}/{index}"} for index, channel in enumerate(channels)]
        response = requests.post(f"{args.api}/api/v1/organizations/{organization}/posts", headers=headers,
                                 json={"publish_at": due_text, "variants": variants})
        response.raise_for_status()

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create, range(groups)))
    total = groups * len(channels)
    if datetime.datetime.now(datetime.timezone.utc) >= due:
        print("seeding took longer than the lead time; raise --lead", file=sys.stderr)
        return 1

    def query(sql):
        return subprocess.run(args.psql.split() + ["-qAt", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()

    condition = f"organization_id = '{organization}'"
    deadline = due.timestamp() + 120
    while time.time() < deadline:
        if int(query(f"SELECT count(*) FROM posts WHERE {condition} AND state = 'published'")) >= total:
            break
        time.sleep(0.5)
    published = int(query(f"SELECT count(*) FROM posts WHERE {condition} AND state = 'published'"))
    report("burst_posts_published", published, "posts")
    p99, latest = query(
        f"SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM published_at - publish_at)), "
        f"max(extract(epoch FROM published_at - publish_at)) FROM posts WHERE {condition} AND state = 'published'"
    ).split("|")
    report("burst_publish_delay_p99", float(p99), "s")
    started = query(
        f"SELECT max(extract(epoch FROM attempt_started_at - publish_at)) FROM posts WHERE {condition} AND state = 'published'"
    )
    report("burst_all_started_within", float(started), "s")
    report("burst_all_published_within", float(latest), "s")
    statuses = len(session.get(f"{args.sandbox}/_sandbox/mastodon/statuses").json()["statuses"])
    report("burst_statuses_on_platform", statuses, "posts")
    peak = 0
    for pid in filter(None, args.worker_pids.split(",")):
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    report("worker_peak_rss", peak / 1024, "MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
