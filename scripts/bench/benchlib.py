"""What the benchmark scripts share: the JSON line every figure is printed as, psql queries, and a user with an
organization and Mastodon channels on the sandbox, set up through the real API."""
import json
import os
import subprocess
import sys
import time


def report(name, value, unit, peer=None):
    """Prints one figure as a JSON line: name, value, unit and, for another system's figure, peer."""
    figure = {"name": name, "value": round(value, 2), "unit": unit}
    if peer:
        figure["peer"] = peer
    print(json.dumps(figure), flush=True)


def psql_query(command):
    """A function that runs one SQL statement with the psql command line `command` and returns its output."""
    def query(sql):
        return subprocess.run(command.split() + ["-qAt", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()
    return query


def cpu_seconds(pid, with_reaped_children=False):
    """CPU time (user + system) a process has used so far; with `with_reaped_children`, also what its exited
    children used (PostgreSQL's postmaster reaps every backend that ends)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # fields[0] is the state, the 3rd field of stat(5)
    ticks = int(fields[11]) + int(fields[12])
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds(postmaster):
    """CPU time of one PostgreSQL server: the postmaster, its live backends and the ones that have ended."""
    total = cpu_seconds(postmaster, with_reaped_children=True)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            if parent == postmaster:
                total += cpu_seconds(int(entry))
        except (FileNotFoundError, ProcessLookupError):
            pass  # a backend that ended meanwhile is counted in the postmaster's reaped children
    return total


def sign_up(session, api, label):
    """Registers a user, logs in and creates an organization; returns the auth headers and the organization id."""
    email = f"{label}-{int(time.time())}@example.com"
    password = f"{label}-password"
    session.post(f"{api}/api/v1/auth/register", json={"email": email, "password": password}).raise_for_status()
    token = session.post(f"{api}/api/v1/auth/login", json={"email": email, "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = session.post(f"{api}/api/v1/organizations", json={"name": label.capitalize()}, headers=headers)
    response.raise_for_status()
    return headers, response.json()["organization"]["id"]


def connect_mastodon(session, api, sandbox, headers, organization, username, token):
    """Creates a Mastodon account on the sandbox and connects it as a channel; returns the channel id."""
    session.post(f"{sandbox}/_sandbox/mastodon/accounts", json={"username": username, "token": token}).raise_for_status()
    response = session.post(f"{api}/api/v1/organizations/{organization}/integrations", headers=headers, json={
        "provider": "mastodon", "instance_url": f"{sandbox}/mastodon", "access_token": token})
    response.raise_for_status()
    return response.json()["id"]


def run(main):
    """Runs a benchmark's `main` and exits with its status; a failure (an HTTP error, a psql error, a timeout)
    is printed as one line naming what failed, never as a traceback."""
    import requests  # only the scripts that call the API have it (the peers' environment does not)
    try:
        status = main()
    except requests.HTTPError as error:
        response = error.response
        print(f"benchmark failed: {response.request.method} {response.url} answered {response.status_code}: {response.text[:300]}", file=sys.stderr)
        status = 1
    except subprocess.CalledProcessError as error:
        print(f"benchmark failed: {' '.join(error.cmd[:3])} ... exited {error.returncode}: {error.stderr.strip()[:300]}", file=sys.stderr)
        status = 1
    except (requests.RequestException, OSError, ValueError, KeyError) as error:
        print(f"benchmark failed: {type(error).__name__}: {error}", file=sys.stderr)
        status = 1
    sys.exit(status)
