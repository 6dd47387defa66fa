"""boto3 against stepfn serve: a Distributed Map run watched and steered while it runs.
ListMapRuns finds it from its execution, DescribeMapRun counts its children, UpdateMapRun
widens its concurrency and raises its failure tolerance, and the MapRunStarted event names it.

Usage: boto3_map_runs.py ENDPOINT_URL. Exits non-zero, saying what differed, on any mismatch."""

import json
import sys

from checks import ROLE, Checks, error_code, sfn_client

sfn = sfn_client(sys.argv[1])
checks = Checks("boto3 map runs")
expect, until = checks.expect, checks.until


activity = sfn.create_activity(name="map-work")["activityArn"]
definition = json.dumps({
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "Label": "Fan",
            "MaxConcurrency": 1,
            "ToleratedFailureCount": 0,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}},
            },
            "End": True,
        }
    },
})
machine = sfn.create_state_machine(name="Fanout", definition=definition, roleArn=ROLE)["stateMachineArn"]
execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps([1, 2, 3, 4, 5]))["executionArn"]

runs = until("the map run", lambda: sfn.list_map_runs(executionArn=execution)["mapRuns"])
expect(len(runs) == 1, f"one map run: {runs}")
run = runs[0]["mapRunArn"]
expect(runs[0]["executionArn"] == execution, "the run's execution")
expect(runs[0]["stateMachineArn"] == machine + "/Fan", f"the run's state machine: {runs[0]['stateMachineArn']}")
started = until("MapRunStarted", lambda: [e for e in sfn.get_execution_history(executionArn=execution)["events"] if e["type"] == "MapRunStarted"])
expect( started[0]["mapRunStartedEventDetails"]["mapRunArn"] == run, f"MapRunStarted names the run: {started}")

# One child at a time, as the Map asks.
described = until("a running child", lambda: (d := sfn.describe_map_run(mapRunArn=run))["executionCounts"]["running"] == 1 and d)
expect(described["status"] == "RUNNING" and described["maxConcurrency"] == 1, f"{described}")
expect(described["executionCounts"]["pending"] == 4 and described["executionCounts"]["total"] == 5, f"{described['executionCounts']}")
expect(described["itemCounts"]["total"] == 5, f"{described['itemCounts']}")
children = sfn.list_executions(mapRunArn=run)["executions"]
expect([c["status"] for c in children] == ["RUNNING"], f"one child running: {children}")
expect(children[0]["mapRunArn"] == run and children[0]["stateMachineArn"] == machine + "/Fan", f"{children[0]}")

# Wider, and tolerant of one failure: three children run at once.
sfn.update_map_run(mapRunArn=run, maxConcurrency=3, toleratedFailureCount=1)
until("three running children", lambda: sfn.describe_map_run(mapRunArn=run)["executionCounts"]["running"] == 3)
described = sfn.describe_map_run(mapRunArn=run)
expect(described["maxConcurrency"] == 3 and described["toleratedFailureCount"] == 1, f"{described}")
expect(error_code(sfn.update_map_run, mapRunArn=run) == "ValidationException", "an update must change something")
expect(error_code(sfn.update_map_run, mapRunArn=run, toleratedFailurePercentage=101) == "ValidationException", "percentage over 100")
expect(error_code(sfn.describe_map_run, mapRunArn=run + "x") == "ResourceNotFound", "an unknown run")

# A worker answers: one failure (tolerated now), four successes.
for i in range(5):
    task = sfn.get_activity_task(activityArn=activity, workerName="py")
    token = task["taskToken"]
    if i == 0:
        sfn.send_task_failure(taskToken=token, error="Item.Bad", cause="the first item")
    else:
        sfn.send_task_success(taskToken=token, output=task["input"])

done = until("the execution's end", lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d)
expect(done["status"] == "SUCCEEDED", f"one failure is tolerated after the update: {done}")
described = sfn.describe_map_run(mapRunArn=run)
counts = described["executionCounts"]
expect(described["status"] == "SUCCEEDED" and "stopDate" in described, f"{described}")
expect((counts["succeeded"], counts["failed"], counts["running"], counts["pending"]) == (4, 1, 0, 0), f"{counts}")
children = sfn.list_executions(mapRunArn=run)["executions"]
expect(sorted(c["status"] for c in children) == ["FAILED"] + ["SUCCEEDED"] * 4, f"the children: {children}")
expect(len(sfn.list_executions(mapRunArn=run, statusFilter="FAILED")["executions"]) == 1, "children by status")
expect(error_code(sfn.list_executions, mapRunArn=run, stateMachineArn=machine) == "ValidationException", "not both")
listed = sfn.list_map_runs(executionArn=execution)["mapRuns"][0]
expect("stopDate" in listed, f"{listed}")
print("boto3 map runs: ok")
