"""The burst benchmark of `make bench`: 10,000 posts due in the same second, published to the sandbox by 4
worker processes. Seeds through the real API, then reads the outcome from PostgreSQL. Prints JSON lines."""
import argparse
import concurrent.futures
import datetime
import sys
import time

import requests

from benchlib import connect_mastodon, cpu_seconds, postgres_cpu_seconds, psql_query, report, run, sign_up


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--psql", required=True, help="psql command line for the benchmark database")
    parser.add_argument("--channels", type=int, default=40)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--lead", type=float, help="seconds between the start of seeding and the burst (default: measured)")
    parser.add_argument("--worker-pids", default="")
    parser.add_argument("--postgres-pid", type=int, help="the postmaster, for PostgreSQL's CPU per post")
    parser.add_argument("--redis-pid", type=int, help="redis-server, for its CPU per post")
    parser.add_argument("--sandbox-pid", type=int, help="the sandbox, whose CPU is reported apart from the pipeline's")
    args = parser.parse_args()
    session = requests.Session()

    headers, organization = sign_up(session, args.api, "burst")
    channels = [connect_mastodon(session, args.api, args.sandbox, headers, organization, f"burst{index}", f"burst-token-{index}")
                for index in range(args.channels)]

    groups = args.posts // len(channels)

    def create(number, publish_at):
        variants = [{"integration_id": channel, "content": f"burst {number}/{index}"} for index, channel in enumerate(channels)]
        response = requests.post(f"{args.api}/api/v1/organizations/{organization}/posts", headers=headers,
                                 json={"publish_at": publish_at, "variants": variants})
        response.raise_for_status()

    # One group scheduled two hours ahead (never published during the run) times the seeding, so that the
    # lead leaves room for seeding at no better than one request at a time.
    probe_started = time.time()
    create("probe", (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    lead = args.lead or 10 + (time.time() - probe_started) * groups
    due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=lead)
    due_text = due.strftime("%Y-%m-%dT%H:%M:%SZ")

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda number: create(number, due_text), range(groups)))
    total = groups * len(channels)
    if datetime.datetime.now(datetime.timezone.utc) >= due:
        print("seeding took longer than the lead time; raise --lead", file=sys.stderr)
        return 1

    workers = [int(pid) for pid in filter(None, args.worker_pids.split(","))]

    def cpu():
        """CPU seconds so far of the workers, PostgreSQL, Redis and the sandbox (None where no pid was given)."""
        return {"worker": sum(cpu_seconds(pid) for pid in workers) if workers else None,
                "postgres": postgres_cpu_seconds(args.postgres_pid) if args.postgres_pid else None,
                "redis": cpu_seconds(args.redis_pid) if args.redis_pid else None,
                "sandbox": cpu_seconds(args.sandbox_pid) if args.sandbox_pid else None}

    # CPU is counted from just before the posts fall due, so the seeding through the API stays out of it.
    time.sleep(max(0.0, due.timestamp() - 0.5 - time.time()))
    cpu_before = cpu()
    query = psql_query(args.psql)
    condition = f"organization_id = '{organization}'"
    deadline = due.timestamp() + 120
    while time.time() < deadline:
        if int(query(f"SELECT count(*) FROM posts WHERE {condition} AND state = 'published'")) >= total:
            break
        time.sleep(0.5)
    cpu_after = cpu()
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
    if published:
        pipeline = 0.0
        for part in ("worker", "postgres", "redis", "sandbox"):
            if cpu_before[part] is None:
                continue
            per_post = (cpu_after[part] - cpu_before[part]) * 1000 / published
            report(f"burst_cpu_per_post_{part}", per_post, "ms")
            pipeline += per_post if part != "sandbox" else 0.0
        if None not in (cpu_before["worker"], cpu_before["postgres"], cpu_before["redis"]):
            report("burst_cpu_per_post_pipeline", pipeline, "ms")
    peak = 0
    for pid in workers:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    report("worker_peak_rss", peak / 1024, "MiB")
    return 0


if __name__ == "__main__":
    run(main)
