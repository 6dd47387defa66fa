"""boto3 against stepfn serve: create -> start -> describe -> history -> callbacks ->
activities -> stop -> redrive, a MockConfigFile test case, and StartSyncExecution.

Usage: boto3_flow.py ENDPOINT_URL. Exits non-zero, saying what differed, on any mismatch."""

import json
import sys

from checks import ROLE, Checks, error_code, sfn_client

endpoint = sys.argv[1]
sfn = sfn_client(endpoint)
expect = Checks("boto3 flow").expect


activity = sfn.create_activity(name="py-approvals")["activityArn"]
definition = json.dumps({
    "StartAt": "Approve",
    "States": {
        "Approve": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 60, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
})
machine = sfn.create_state_machine(name="PyApproval", definition=definition, roleArn=ROLE)["stateMachineArn"]
expect(sfn.describe_state_machine(stateMachineArn=machine)["definition"] == definition, "definition kept as given")

execution = sfn.start_execution(stateMachineArn=machine, name="py-1", input='{"doc": 1}')["executionArn"]
expect(sfn.describe_execution(executionArn=execution)["status"] == "RUNNING", "running while it waits")
task = sfn.get_activity_task(activityArn=activity, workerName="py-worker")
expect(json.loads(task["input"]) == {"doc": 1}, f"activity input: {task}")
sfn.send_task_heartbeat(taskToken=task["taskToken"])
sfn.send_task_success(taskToken=task["taskToken"], output='{"approved": true}')
expect(error_code(sfn.send_task_success, taskToken=task["taskToken"], output="{}") == "TaskDoesNotExist",
       "a used token is refused")
for _ in range(500):
    described = sfn.describe_execution(executionArn=execution)
    if described["status"] != "RUNNING":
        break
expect(described["status"] == "SUCCEEDED", f"succeeded: {described}")
expect(json.loads(described["output"]) == {"approved": True}, f"output: {described}")
events = sfn.get_execution_history(executionArn=execution)["events"]
types = [e["type"] for e in events]
expect(types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded", f"history: {types}")
expect("ActivityStarted" in types and "ActivitySucceeded" in types, f"history: {types}")

# Stop, then redrive and finish.
second = sfn.start_execution(stateMachineArn=machine, name="py-2")["executionArn"]
sfn.stop_execution(executionArn=second, error="Ops.Stop", cause="later")
stopped = sfn.describe_execution(executionArn=second)
expect((stopped["status"], stopped.get("error")) == ("ABORTED", "Ops.Stop"), f"stopped: {stopped}")
sfn.redrive_execution(executionArn=second)
task = sfn.get_activity_task(activityArn=activity, workerName="py-worker")
sfn.send_task_failure(taskToken=task["taskToken"], error="Review.No", cause="rejected")
for _ in range(500):
    redriven = sfn.describe_execution(executionArn=second)
    if redriven["status"] != "RUNNING":
        break
expect((redriven["status"], redriven.get("error"), redriven.get("redriveCount")) == ("FAILED", "Review.No", 1),
       f"redriven: {redriven}")
listed = sfn.list_executions(stateMachineArn=machine)["executions"]
expect(len(listed) == 2, f"listed: {listed}")

# A MockConfigFile test case (the server runs with the mock configuration of the test).
billing = sfn.create_state_machine(name="Billing", roleArn=ROLE, definition=json.dumps({
    "StartAt": "Charge",
    "States": {"Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge", "End": True}},
}))["stateMachineArn"]
paid = sfn.start_execution(stateMachineArn=billing + "#Paid")["executionArn"]
for _ in range(500):
    result = sfn.describe_execution(executionArn=paid)
    if result["status"] != "RUNNING":
        break
expect(json.loads(result["output"]) == {"charged": 42}, f"mocked: {result}")

# Express, synchronously.
quick = sfn.create_state_machine(name="PyQuick", roleArn=ROLE, type="EXPRESS", definition=json.dumps({
    "StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "End": True}},
}))["stateMachineArn"]
sync = sfn.start_sync_execution(stateMachineArn=quick, input='{"a": 2, "b": 3}')
expect((sync["status"], json.loads(sync["output"])) == ("SUCCEEDED", {"sum": 5}), f"sync: {sync}")

# Tags and AWS's errors.
sfn.tag_resource(resourceArn=machine, tags=[{"key": "team", "value": "py"}])
expect(sfn.list_tags_for_resource(resourceArn=machine)["tags"] == [{"key": "team", "value": "py"}], "tags")
expect(error_code(sfn.describe_execution, executionArn=machine.replace("stateMachine", "execution") + ":none")
       == "ExecutionDoesNotExist", "unknown execution")
expect(error_code(sfn.create_state_machine, name="Bad", roleArn=ROLE, definition="{}") == "InvalidDefinition",
       "invalid definition")
expect(error_code(sfn.describe_state_machine, stateMachineArn="nope") == "InvalidArn", "invalid ARN")
print("boto3 flow: ok")
