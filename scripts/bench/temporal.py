"""Workflows on Temporal's dev server: ARKYRA's Swift workflow worker (`arkyra-bench workflow-worker`) beside
Temporal's Python SDK (temporalio) running the same two workflows, measured in the same run by the same Python
client. For each worker, in its own process:

- latency: 200 no-op workflows one after another; from the run's history, the time from its start to its first
  workflow task being picked up, and the time that task took to answer; and start to result at the client;
- throughput: 2000 no-op workflows started while no worker runs, then the worker: workflow tasks per second until
  all completed, and the worker's CPU per task (from /proc);
- memory: the worker's resident memory with 10,000 open workflows (each waiting for a signal).

Usage: temporal.py measure --address HOST:PORT --swift-worker PATH   (prints JSON lines)
       temporal.py worker --address HOST:PORT --task-queue Q          (the Python SDK's worker)
"""
import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import cpu_seconds, report  # noqa: E402

from temporalio import workflow  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.worker import Worker  # noqa: E402


@workflow.defn(name="BenchNoop")
class BenchNoop:
    @workflow.run
    async def run(self, value: int) -> int:
        return value


@workflow.defn(name="BenchWait")
class BenchWait:
    def __init__(self) -> None:
        self.go = False

    @workflow.signal(name="go")
    def go_signal(self, _: dict) -> None:
        self.go = True

    @workflow.run
    async def run(self, _: dict) -> str:
        await workflow.wait_condition(lambda: self.go)
        return "done"


async def python_worker(address, task_queue):
    client = await Client.connect(address)
    await Worker(client, task_queue=task_queue, workflows=[BenchNoop, BenchWait]).run()


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def start_many(client, workflow_type, argument, count, task_queue, prefix):
    """Starts `count` runs, 50 at a time."""
    for first in range(0, count, 50):
        await asyncio.gather(*[
            client.start_workflow(workflow_type, argument, id=f"{prefix}-{index}", task_queue=task_queue)
            for index in range(first, min(count, first + 50))
        ])


async def wait_idle(pid, quiet=0.05, window=1.0, limit=600):
    """Waits until the process used less than `quiet` CPU seconds over `window` (it answered everything)."""
    deadline = time.monotonic() + limit
    previous = cpu_seconds(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(window)
        now = cpu_seconds(pid)
        if now - previous < quiet:
            return
        previous = now


async def measure_one(client, peer, launch):
    label = {"peer": peer} if peer else {}
    # Latency: one run at a time against a warm worker.
    queue = f"bench-latency-{uuid.uuid4().hex[:8]}"
    worker = launch(queue)
    try:
        for index in range(20):  # warm-up
            await (await client.start_workflow("BenchNoop", index, id=f"{queue}-warm-{index}", task_queue=queue)).result()
        totals, handles = [], []
        for index in range(200):
            began = time.perf_counter()
            handle = await client.start_workflow("BenchNoop", index, id=f"{queue}-{index}", task_queue=queue)
            await handle.result()
            totals.append((time.perf_counter() - began) * 1000)
            handles.append(handle)
        pickup, answer = [], []
        for handle in handles:
            events = [event async for event in handle.fetch_history_events()]
            started = events[0].event_time.ToDatetime()
            task_started = next(e for e in events if e.HasField("workflow_task_started_event_attributes")).event_time.ToDatetime()
            task_completed = next(e for e in events if e.HasField("workflow_task_completed_event_attributes")).event_time.ToDatetime()
            pickup.append((task_started - started).total_seconds() * 1000)
            answer.append((task_completed - task_started).total_seconds() * 1000)
    finally:
        worker.kill()
        worker.wait()
    for name, values in [("workflow start to first task", pickup), ("workflow task answered in", answer),
                         ("workflow start to result (client)", totals)]:
        report(f"{name} p50", statistics.median(values), "ms", **label)
        report(f"{name} p99", percentile(values, 0.99), "ms", **label)

    # Throughput: a backlog of 2000 runs, then the worker.
    queue = f"bench-throughput-{uuid.uuid4().hex[:8]}"
    count = 2000
    await start_many(client, "BenchNoop", 1, count, queue, queue)
    worker = launch(queue)
    try:
        began = time.perf_counter()
        cpu_before = cpu_seconds(worker.pid)
        while True:
            done = (await client.count_workflows(f"TaskQueue = '{queue}' AND ExecutionStatus = 'Completed'")).count
            if done >= count:
                break
            await asyncio.sleep(0.2)
        elapsed = time.perf_counter() - began
        cpu = cpu_seconds(worker.pid) - cpu_before
    finally:
        worker.kill()
        worker.wait()
    report("no-op workflow tasks per second", count / elapsed, "tasks/s", **label)
    report("worker CPU per workflow task", cpu / count * 1000, "ms", **label)

    # Memory: 10,000 open runs, each waiting for a signal, after the worker answered their first tasks.
    queue = f"bench-memory-{uuid.uuid4().hex[:8]}"
    worker = launch(queue)
    try:
        await asyncio.sleep(2)
        idle = rss_mib(worker.pid)
        await start_many(client, "BenchWait", {}, 10_000, queue, queue)
        await wait_idle(worker.pid)
        report("worker memory, idle", idle, "MiB", **label)
        report("worker memory, 10,000 open workflows", rss_mib(worker.pid), "MiB", **label)
    finally:
        worker.kill()
        worker.wait()


async def measure(address, swift_worker):
    client = await Client.connect(address)

    def swift(queue):
        return subprocess.Popen([swift_worker, "workflow-worker", "--address", address, "--task-queue", queue])

    def python(queue):
        return subprocess.Popen([sys.executable, __file__, "worker", "--address", address, "--task-queue", queue])

    await measure_one(client, None, swift)
    await measure_one(client, "temporalio (Python)", python)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["measure", "worker"])
    parser.add_argument("--address", required=True)
    parser.add_argument("--swift-worker")
    parser.add_argument("--task-queue")
    arguments = parser.parse_args()
    if arguments.mode == "worker":
        asyncio.run(python_worker(arguments.address, arguments.task_queue))
    else:
        asyncio.run(measure(arguments.address, arguments.swift_worker))
        sys.stdout.flush()
        os._exit(0)  # temporalio's core thread can abort the interpreter's finalization
