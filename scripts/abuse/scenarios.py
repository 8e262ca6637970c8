"""The scenarios of `make abuse`, against running binaries. Each prints one JSON line: scenario, outcome, lost
and duplicated posts, recovery time in seconds (null when nothing had to recover), and ok."""
import argparse
import concurrent.futures
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
from benchlib import connect_mastodon, psql_query, sign_up  # noqa: E402


def result(scenario, outcome, ok, lost=0, duplicated=0, recovery=None):
    print(json.dumps({"scenario": scenario, "outcome": outcome, "lost": lost, "duplicated": duplicated,
                      "recovery_s": None if recovery is None else round(recovery, 2), "ok": bool(ok)}), flush=True)


def at(seconds_from_now):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class World:
    def __init__(self, args):
        self.args = args
        self.session = requests.Session()
        self.query = psql_query(args.psql)
        self.headers, self.organization = sign_up(self.session, args.api, f"abuse{uuid.uuid4().hex[:6]}")
        self.channel = connect_mastodon(self.session, args.api, args.sandbox, self.headers, self.organization,
                                        f"abuse{uuid.uuid4().hex[:6]}", f"abuse-token-{uuid.uuid4().hex[:8]}")
        key = self.session.post(f"{args.api}/api/v1/organizations/{self.organization}/api-keys", headers=self.headers, json={"name": "abuse"})
        key.raise_for_status()
        self.key = {"Authorization": key.json()["key"]}

    def schedule(self, content, when, channel=None):
        return requests.post(f"{self.args.api}/api/v1/organizations/{self.organization}/posts", headers=self.headers, json={
            "publish_at": when, "variants": [{"integration_id": channel or self.channel, "content": content}]})

    def count(self, condition):
        return int(self.query(f"SELECT count(*) FROM posts WHERE organization_id = '{self.organization}' AND {condition}"))

    def statuses(self, prefix):
        texts = [status["text"] for status in requests.get(f"{self.args.sandbox}/_sandbox/mastodon/statuses").json()["statuses"]]
        return [text for text in texts if text.startswith(prefix)]

    def healthy(self):
        try:
            return requests.get(f"{self.args.api}/health", timeout=5).status_code == 200
        except requests.RequestException:
            return False


def concurrent_deletes(world):
    def delete(_):
        return requests.delete(f"{world.args.api}/public/v1/posts/group/{uuid.uuid4()}", headers=world.key, timeout=30).status_code
    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(delete, range(40)))
    answered = sum(status in (404, 429) for status in statuses)
    result("40 concurrent deletes of unknown groups, one API key", f"{answered}/40 answered 404 or 429; health {'200' if world.healthy() else 'down'}",
           answered == 40 and world.healthy())


def rate_limit_storm(world):
    account = f"storm{uuid.uuid4().hex[:6]}"
    channel = connect_mastodon(world.session, world.args.api, world.args.sandbox, world.headers, world.organization, account, f"{account}-token")
    requests.post(f"{world.args.sandbox}/_sandbox/faults", json={"platform": "mastodon", "kind": "rate_limit", "count": 10000, "reset_in": 0}).raise_for_status()
    world.schedule("storm", at(2), channel).raise_for_status()
    started = len(requests.get(f"{world.args.sandbox}/_sandbox/requests?platform=mastodon").json()["requests"])
    time.sleep(15)
    sent = len(requests.get(f"{world.args.sandbox}/_sandbox/requests?platform=mastodon").json()["requests"]) - started
    requests.post(f"{world.args.sandbox}/_sandbox/reset")
    waiting = world.count("content = 'storm' AND state = 'scheduled'")
    result("429 with a reset of 0 on every request, one post", f"{sent} platform requests in 15 s; the post waits rescheduled",
           sent <= 3 and waiting == 1, lost=1 - waiting)


def ssrf(world):
    refused = 0
    forms = ["https://127.1", "https://2130706433", "https://0", "https://[::ffff:127.0.0.1]", "https://169.254.169.254",
             "https://localhost", "https://[fd00::1]", "https://10.0.0.1", "http://mastodon.example"]
    for form in forms:
        answer = requests.post(f"{world.args.strict_api}/api/v1/organizations/{world.organization}/integrations", headers=world.headers,
                               json={"provider": "mastodon", "instance_url": form, "access_token": "x"})
        refused += answer.status_code == 422
    result("SSRF: private hosts in every form, production rules", f"{refused}/{len(forms)} refused with 422", refused == len(forms))


def slow_headers(world):
    host, port = world.args.api.replace("http://", "").split(":")
    connection = socket.create_connection((host, int(port)))
    connection.sendall(b"GET /health HTTP/1.1\r\n")
    started = time.time()
    closed = None
    connection.settimeout(0.3)
    while time.time() - started < 15:
        try:
            connection.sendall(b"X-Slow: y\r\n")
            if connection.recv(1) == b"":
                closed = time.time() - started
                break
        except socket.timeout:
            continue
        except OSError:
            closed = time.time() - started
            break
    connection.close()
    result("a client trickling its headers", f"disconnected after {closed:.1f} s" if closed else "still connected after 15 s",
           closed is not None and closed < 6 and world.healthy(), recovery=closed)


def anonymous_budget(world):
    stranger, _ = sign_up(requests.Session(), world.args.api, f"stranger{uuid.uuid4().hex[:6]}")
    path = f"{world.args.api}/api/v1/organizations/{world.organization}/integrations"
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda _: requests.get(path, headers=stranger), range(300)))
        list(pool.map(lambda _: requests.get(path), range(300)))
    owner = requests.get(path, headers=world.headers).status_code
    result("600 requests by strangers to an organization's routes", f"the members' next request answers {owner}", owner == 200)


def login_race(world):
    email = f"race{uuid.uuid4().hex[:6]}@example.com"
    requests.post(f"{world.args.api}/api/v1/auth/register", json={"email": email, "password": "correct horse"}).raise_for_status()
    with concurrent.futures.ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(lambda _: requests.post(f"{world.args.api}/api/v1/auth/login", json={"email": email, "password": "guess guess"}).status_code, range(30)))
    checked = statuses.count(401)
    result("30 concurrent wrong passwords for one account", f"{checked} reached the password check, {statuses.count(429)} refused", checked <= 10)


def giant_content(world):
    links = " ".join("https://example.com/" + "a" * 2000 + str(index) for index in range(20))
    answer = world.schedule(links, at(3600))
    result("a 40 KB post that fits Mastodon's 500-character rule", f"answered {answer.status_code}", answer.status_code in (413, 422))


def publish_now_under_load(world):
    prefix = f"now-{uuid.uuid4().hex[:6]}"

    def post(index):
        return requests.post(f"{world.args.api}/public/v1/posts", headers=world.key, json={
            "type": "now", "posts": [{"integration": {"id": world.channel}, "value": [{"content": f"{prefix} {index}"}]}]}).status_code
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        created = list(pool.map(post, range(100))).count(201)
    while time.time() - started < 60 and len(world.statuses(prefix)) < created:
        time.sleep(0.5)
    texts = world.statuses(prefix)
    result("100 publish-now posts from 20 clients at once", f"{created} accepted, {len(set(texts))} on the platform",
           created == 100 and len(set(texts)) == created and len(texts) == len(set(texts)),
           lost=created - len(set(texts)), duplicated=len(texts) - len(set(texts)), recovery=time.time() - started)


def flush_and_kill(world):
    prefix = f"flush-{uuid.uuid4().hex[:6]}"
    # Every publish takes five seconds, so the workers hold the posts when Redis loses everything.
    requests.post(f"{world.args.sandbox}/_sandbox/faults", json={"platform": "mastodon", "kind": "slow", "count": 100, "delay": 5}).raise_for_status()
    due = time.time() + 4
    for index in range(100):
        world.schedule(f"{prefix} {index}", at(4)).raise_for_status()
    time.sleep(max(0, due - time.time()) + 1.5)
    held = world.count(f"content LIKE '{prefix}%' AND state = 'publishing'")
    subprocess.run(["redis-cli", "-p", str(world.args.redis_port), "FLUSHALL"], check=True, capture_output=True)
    os.kill(world.args.kill_worker, signal.SIGKILL)
    flushed = time.time()
    replacement = subprocess.Popen([world.args.start_worker, "--env-file", "/nonexistent/.env"],
                                   env={**os.environ, "ARKYRA_WORKER_ID": "abuse-worker-c", "ARKYRA_ADMIN_PORT": "0"},
                                   stdout=open(".run/logs/abuse-worker-c.log", "w"), stderr=subprocess.STDOUT)
    while time.time() - flushed < 120 and len(set(world.statuses(prefix))) < 100:
        time.sleep(1)
    texts = world.statuses(prefix)
    recovered = time.time() - flushed
    replacement.terminate()
    unconfirmed = world.count(f"content LIKE '{prefix}%' AND state = 'unconfirmed'")
    result("FLUSHALL and kill -9 of a worker holding posts", f"{held} held at the flush; {len(set(texts))}/100 on the platform, {unconfirmed} unconfirmed",
           len(set(texts)) == 100 and len(texts) == 100, lost=100 - len(set(texts)), duplicated=len(texts) - len(set(texts)), recovery=recovered)


def open_event_stream(world, token):
    """One raw WebSocket upgrade of the event stream: 'open' (upgraded, no close within 0.5 s), 'closed <code>
    <reason>', 'http <status>', or 'no answer'; returns the outcome and the socket (still open when upgraded)."""
    host, port = world.args.api.replace("http://", "").split(":")
    connection = socket.create_connection((host, int(port)), timeout=10)
    connection.sendall((f"GET /api/v1/organizations/{world.organization}/events?access_token={token} HTTP/1.1\r\n"
                        f"Host: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    received = b""
    try:
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(4096)
            if not chunk:
                return "no answer", connection
            received += chunk
        head, rest = received.split(b"\r\n\r\n", 1)
        status = head.split(b" ")[1].decode()
        if status != "101":
            return f"http {status}", connection
        connection.settimeout(0.5)
        while len(rest) < 2 or len(rest) < 2 + (rest[1] & 0x7F):
            chunk = connection.recv(4096)
            if not chunk:
                return "closed without a frame", connection
            rest += chunk
        if rest[0] & 0x0F != 0x8:
            return "open", connection
        payload = rest[2:2 + (rest[1] & 0x7F)]
        code = int.from_bytes(payload[:2], "big")
        return f"closed {code} {payload[2:].decode(errors='replace').split(':')[0]}", connection
    except socket.timeout:
        return ("open" if received.startswith(b"HTTP/1.1 101") else "no answer"), connection


def rss_megabytes(pid):
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def websocket_flood(world):
    token = world.headers["Authorization"].split(" ", 1)[1]
    before = rss_megabytes(world.args.api_pid)
    sick = []
    stop = threading.Event()

    def probe():
        while not stop.is_set():
            if not world.healthy():
                sick.append(time.time())
            time.sleep(0.25)
    prober = threading.Thread(target=probe)
    prober.start()
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
        outcomes = list(pool.map(lambda _: open_event_stream(world, token), range(2000)))
    took = time.time() - started
    peak = rss_megabytes(world.args.api_pid)
    stop.set()
    prober.join()
    tally = {}
    for outcome, _ in outcomes:
        tally[outcome] = tally.get(outcome, 0) + 1
    for _, connection in outcomes:
        connection.close()
    opened = tally.get("open", 0)
    refused = sum(count for outcome, count in tally.items() if outcome.startswith("closed 1013"))
    summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(tally.items(), key=lambda item: -item[1]))
    result("2,000 WebSocket upgrades by one user from one address",
           f"{summary}; in {took:.0f} s; API RSS {before:.0f} → {peak:.0f} MB; health {'failed ' + str(len(sick)) + ' times' if sick else 'always 200'}",
           opened <= 10 and opened + refused == 2000 and not sick and peak - before < 200)


def postgres_restart(world):
    prefix = f"pgdown-{uuid.uuid4().hex[:6]}"
    count = 60
    # Each publish takes a second, so posts are held by the workers when PostgreSQL goes away.
    requests.post(f"{world.args.sandbox}/_sandbox/faults", json={"platform": "mastodon", "kind": "slow", "count": count, "delay": 1}).raise_for_status()
    due = time.time() + 4
    for index in range(count):
        world.schedule(f"{prefix} {index}", at(4)).raise_for_status()
    answers, hangs = [], []
    stop = threading.Event()

    def probe():
        path = f"{world.args.api}/api/v1/organizations/{world.organization}/integrations"
        while not stop.is_set():
            asked = time.time()
            try:
                answer = requests.get(path, headers=world.headers, timeout=15)
                answers.append((asked, answer.status_code, answer.headers.get("Retry-After"), time.time() - asked))
            except requests.RequestException as error:
                hangs.append(f"{type(error).__name__}")
            time.sleep(0.5)
    probers = [threading.Thread(target=probe) for _ in range(4)]
    for prober in probers:
        prober.start()
    time.sleep(max(0, due - time.time()) + 1.5)
    subprocess.run(world.args.restart_postgres.split(), check=True, capture_output=True, env={**os.environ, "ARKYRA_DEV_PG_DOWN_SECONDS": "5"})
    back = time.time()

    def recorded():
        try:
            return world.count(f"content LIKE '{prefix}%' AND state = 'published'")
        except subprocess.CalledProcessError:
            return 0
    while time.time() - back < 120 and (len(set(world.statuses(prefix))) < count or recorded() < count):
        time.sleep(0.5)
    recovered = time.time() - back
    published = recorded()
    stop.set()
    for prober in probers:
        prober.join()
    texts = world.statuses(prefix)
    codes = {}
    for _, status, _, _ in answers:
        codes[status] = codes.get(status, 0) + 1
    unexplained = [status for _, status, retry_after, _ in answers if status not in (200, 503) or (status == 503 and not retry_after)]
    slowest = max((took for *_, took in answers), default=0)
    result("PostgreSQL down for 5 s mid-burst (60 posts), 4 clients reading",
           f"{len(set(texts))}/{count} on the platform, {published} recorded published; API answered {dict(sorted(codes.items()))}, "
           f"slowest {slowest:.1f} s, {len(hangs)} unanswered",
           len(set(texts)) == count and len(texts) == count and published == count and not hangs and not unexplained,
           lost=count - len(set(texts)), duplicated=len(texts) - len(set(texts)), recovery=recovered)


def trickling_platform(world):
    account = f"trickle{uuid.uuid4().hex[:6]}"
    slow_channel = connect_mastodon(world.session, world.args.api, world.args.sandbox, world.headers, world.organization, account, f"{account}-token")
    prefix = f"trickle-{uuid.uuid4().hex[:6]}"
    # The platform stores each status, then sends its answer one byte a second for a minute.
    requests.post(f"{world.args.sandbox}/_sandbox/faults", json={"platform": "mastodon", "kind": "trickle", "count": 3, "delay": 60}).raise_for_status()
    started = time.time()
    for index in range(3):
        world.schedule(f"{prefix} slow {index}", at(2), slow_channel).raise_for_status()
    time.sleep(4)
    # Meanwhile another channel's post goes out as usual: the trickling answers hold no worker for good.
    world.schedule(f"{prefix} other", at(2)).raise_for_status()
    other_at = None
    while time.time() - started < 150:
        if other_at is None and world.statuses(f"{prefix} other"):
            other_at = time.time() - started
        if other_at is not None and world.count(f"content LIKE '{prefix} slow%' AND state = 'published'") == 3:
            break
        time.sleep(1)
    texts = world.statuses(f"{prefix} slow")
    recorded = world.count(f"content LIKE '{prefix} slow%' AND state = 'published'")
    result("a platform trickling its answers (1 byte/s for 60 s), 3 posts",
           f"{len(set(texts))}/3 on the platform, {recorded} recorded published; another channel's post out after "
           f"{'never' if other_at is None else f'{other_at:.0f} s'}",
           len(set(texts)) == 3 and len(texts) == 3 and recorded == 3 and other_at is not None and other_at < 15,
           lost=3 - len(set(texts)), duplicated=len(texts) - len(set(texts)), recovery=time.time() - started)


def thread_deleted_midway(world):
    prefix = f"thread-{uuid.uuid4().hex[:6]}"
    answer = requests.post(f"{world.args.api}/api/v1/organizations/{world.organization}/posts", headers=world.headers, json={
        "publish_at": at(2), "variants": [{"integration_id": world.channel, "content": f"{prefix} 0",
                                           "thread": [{"content": f"{prefix} {index}", "delay_seconds": 3} for index in range(1, 5)]}]})
    answer.raise_for_status()
    group = answer.json()["group_id"]
    started = time.time()
    while time.time() - started < 30 and not world.statuses(f"{prefix} "):
        time.sleep(0.2)
    deleted = requests.delete(f"{world.args.api}/public/v1/posts/group/{group}", headers=world.key)
    # Two reconciler passes (every 5 s here) must not bring any item back.
    time.sleep(12)
    texts = world.statuses(f"{prefix} ")
    alive = world.count(f"content LIKE '{prefix}%' AND deleted_at IS NULL AND state <> 'published'")
    result("a five-item thread deleted after its first item went out",
           f"delete answered {deleted.status_code}; {len(texts)} item(s) on the platform, {alive} unpublished item(s) left",
           deleted.status_code in (200, 204) and 1 <= len(texts) <= 2 and len(texts) == len(set(texts)) and alive == 0,
           duplicated=len(texts) - len(set(texts)))


def main():
    parser = argparse.ArgumentParser()
    for name in ["--api", "--strict-api", "--sandbox", "--psql", "--start-worker", "--restart-postgres"]:
        parser.add_argument(name, required=True)
    for name in ["--redis-port", "--kill-worker", "--api-pid"]:
        parser.add_argument(name, type=int, required=True)
    parser.add_argument("--only", default="", help="comma-separated scenario names (all when empty)")
    args = parser.parse_args()
    world = World(args)
    scenarios = [concurrent_deletes, ssrf, slow_headers, login_race, anonymous_budget, giant_content, publish_now_under_load,
                 rate_limit_storm, trickling_platform, thread_deleted_midway, websocket_flood, postgres_restart, flush_and_kill]
    for scenario in [scenario for scenario in scenarios if not args.only or scenario.__name__ in args.only.split(",")]:
        try:
            scenario(world)
        except Exception as error:  # one scenario's failure is reported, and the others still run
            result(scenario.__name__, f"did not finish: {type(error).__name__}: {error}", False)


if __name__ == "__main__":
    main()
