"""The peers of `make bench`: BullMQ's Python port and RQ, measured the way arkyra-bench measures ARKYRA's
queue, against the same Redis in the same run. Prints one JSON object per line: name, value, unit, peer."""
import argparse
import asyncio
import sys
import time
import uuid

from benchlib import report


def noop():
    return None


async def bullmq_bench(port, enqueue_jobs, process_jobs, lateness_jobs, spread, concurrency):
    from bullmq import Queue, Worker

    connection = f"redis://127.0.0.1:{port}"
    prefix = "bullbench" + uuid.uuid4().hex[:8]
    opts = {"removeOnComplete": True, "removeOnFail": True}

    queue = Queue("enqueue", {"connection": connection, "prefix": prefix})
    start = time.perf_counter()
    for first in range(0, enqueue_jobs, 10_000):
        await queue.addBulk([{"name": "noop", "data": {}, "opts": opts} for _ in range(first, min(first + 10_000, enqueue_jobs))])
    report("queue_bulk_enqueue", enqueue_jobs / (time.perf_counter() - start), "jobs/s", "bullmq-python")
    await queue.obliterate({"force": True})
    await queue.close()

    queue = Queue("process", {"connection": connection, "prefix": prefix})
    for first in range(0, process_jobs, 10_000):
        await queue.addBulk([{"name": "noop", "data": {}, "opts": opts} for _ in range(first, min(first + 10_000, process_jobs))])
    done = asyncio.Event()
    count = 0

    async def process(job, token):
        nonlocal count
        count += 1
        if count == process_jobs:
            done.set()

    start = time.perf_counter()
    worker = Worker("process", process, {"connection": connection, "prefix": prefix, "concurrency": concurrency})
    await done.wait()
    report("queue_process", process_jobs / (time.perf_counter() - start), "jobs/s", "bullmq-python")
    await worker.close()
    await queue.obliterate({"force": True})
    await queue.close()

    queue = Queue("lateness", {"connection": connection, "prefix": prefix})
    samples = []
    done = asyncio.Event()
    begin = time.time() + 2

    async def record(job, token):
        samples.append(time.time() - job.data["due"])
        if len(samples) == lateness_jobs:
            done.set()

    for first in range(0, lateness_jobs, 10_000):
        batch = []
        for index in range(first, min(first + 10_000, lateness_jobs)):
            due = begin + spread * index / lateness_jobs
            batch.append({"name": "noop", "data": {"due": due}, "opts": {**opts, "delay": max(0, int((due - time.time()) * 1000))}})
        await queue.addBulk(batch)
    worker = Worker("lateness", record, {"connection": connection, "prefix": prefix, "concurrency": concurrency})
    await done.wait()
    samples.sort()
    report("schedule_lateness_p50", samples[len(samples) // 2] * 1000, "ms", "bullmq-python")
    report("schedule_lateness_p99", samples[len(samples) * 99 // 100] * 1000, "ms", "bullmq-python")
    await worker.close()
    await queue.obliterate({"force": True})
    await queue.close()


def rq_bench(port, enqueue_jobs, process_jobs):
    from redis import Redis
    from rq import Queue, SimpleWorker

    redis = Redis(host="127.0.0.1", port=port)
    name = "rqbench" + uuid.uuid4().hex[:8]
    queue = Queue(name, connection=redis)
    start = time.perf_counter()
    for first in range(0, enqueue_jobs, 10_000):
        queue.enqueue_many([Queue.prepare_data(noop, result_ttl=0) for _ in range(first, min(first + 10_000, enqueue_jobs))])
    report("queue_bulk_enqueue", enqueue_jobs / (time.perf_counter() - start), "jobs/s", "rq")
    queue.empty()

    queue.enqueue_many([Queue.prepare_data(noop, result_ttl=0) for _ in range(process_jobs)])
    worker = SimpleWorker([queue], connection=redis)
    start = time.perf_counter()
    worker.work(burst=True, logging_level="ERROR")
    report("queue_process", process_jobs / (time.perf_counter() - start), "jobs/s", "rq")
    queue.delete(delete_jobs=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("peer", choices=["bullmq", "rq"])
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--enqueue-jobs", type=int, default=100_000)
    parser.add_argument("--process-jobs", type=int, default=50_000)
    parser.add_argument("--lateness-jobs", type=int, default=10_000)
    parser.add_argument("--lateness-spread", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=256)
    args = parser.parse_args()
    if args.peer == "bullmq":
        asyncio.run(bullmq_bench(args.redis_port, args.enqueue_jobs, args.process_jobs, args.lateness_jobs, args.lateness_spread, args.concurrency))
    else:
        rq_bench(args.redis_port, args.enqueue_jobs, args.process_jobs)


if __name__ == "__main__":
    sys.exit(main())
