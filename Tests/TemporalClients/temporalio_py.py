"""Temporal's Python SDK (temporalio, from PyPI) against a workflow ARKYRA's Swift SDK runs.

Usage: temporalio_py.py ADDRESS TASK_QUEUE WORKFLOW_ID
Starts the Greeting workflow (Tests/ArkyraTemporalTests/TestWorkflows.swift) on TASK_QUEUE, where the Swift
test's workers poll; queries it until it waits, signals "approve", reads the result, and checks that the
payloads in the run's history are the json/plain ones every SDK reads. Prints "ok" and exits 0 when all holds.
"""
import asyncio
import json
import os
import sys

from temporalio.client import Client


async def main(address: str, task_queue: str, workflow_id: str) -> None:
    client = await Client.connect(address, namespace="default")
    handle = await client.start_workflow("Greeting", "grace", id=workflow_id, task_queue=task_queue)

    state = None
    for _ in range(100):
        state = await handle.query("state")
        if state["step"] == "waiting":
            break
        await asyncio.sleep(0.1)
    assert state == {"step": "waiting", "approvals": 0}, f"query answered {state!r}"

    await handle.signal("approve", True)
    result = await handle.result()
    assert result == "Hello, GRACE (done, 2 attempts, approved)", f"result {result!r}"
    assert await handle.query("state") == {"step": "done", "approvals": 1}

    history = await handle.fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.input.payloads[0].metadata["encoding"] == b"json/plain"
    completed = history.events[-1].workflow_execution_completed_event_attributes
    output = completed.result.payloads[0]
    assert output.metadata["encoding"] == b"json/plain", output.metadata
    assert json.loads(output.data) == result
    activities = [e.activity_task_scheduled_event_attributes for e in history.events if e.HasField("activity_task_scheduled_event_attributes")]
    assert [a.activity_type.name for a in activities] == ["Shout", "Flaky"], activities
    assert json.loads(activities[0].input.payloads[0].data) == "grace"
    print("ok")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
    # temporalio's Rust core thread can abort the interpreter's finalization ("PyGILState_Release: thread state
    # must be current"); everything was checked, so leave without finalizing.
    sys.stdout.flush()
    os._exit(0)
