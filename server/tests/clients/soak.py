"""A mixed load through boto3 against stepfn serve, for a given time.

Usage: soak.py URL SECONDS SERVER_PID

Eight client threads run, each a loop of: create a state machine (now and then), start
Standard executions (Pass, Choice, Wait, Map, Parallel, JSONata, failing, activity), work
activity tasks, stop the waiting ones, run Express ones synchronously, read descriptions, histories and listings, validate
definitions, and send requests that must be refused (bad ARNs, bad definitions, unknown
executions). Any answer other than the one expected counts as an unexpected error. The
server's resident memory is read from /proc at the start (after a warm-up) and at the end.
Prints one summary line and exits non-zero on any unexpected error or if the server stopped
answering.
"""

import json
import sys
import threading
import time

import boto3
import botocore.exceptions
from botocore.config import Config

URL, SECONDS, PID = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"

DEFINITIONS = {
    "pass": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}},
    "choice": {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}],
              "Default": "Small"},
        "Big": {"Type": "Pass", "End": True}, "Small": {"Type": "Pass", "End": True}}},
    "wait": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}},
    "map": {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 4,
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "End": True}}},
    "parallel": {"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}}},
    "fail": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Soak.Failed", "Cause": "on purpose"}}},
    "jsonata": {"QueryLanguage": "JSONata", "StartAt": "J", "States": {
        "J": {"Type": "Pass", "Output": "{% $sum($states.input.items) %}", "End": True}}},
    "callback": {"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:us-east-1:123456789012:activity:soak-activity",
        "TimeoutSeconds": 60, "End": True}}},
}

lock = threading.Lock()
counts = {"calls": 0, "executions": 0, "unexpected": 0}
unexpected = []


def client():
    # No retries, so that every error the server gives is seen; no host prefix, which a
    # local endpoint cannot serve (StartSyncExecution's "sync-").
    return boto3.client("stepfunctions", endpoint_url=URL, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))


def note(calls=0, executions=0):
    with lock:
        counts["calls"] += calls
        counts["executions"] += executions


def wrong(what):
    with lock:
        counts["unexpected"] += 1
        if len(unexpected) < 20:
            unexpected.append(what)


def refused(call, code):
    """Runs `call`, which must fail with the error `code`."""
    try:
        call()
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        if got != code:
            wrong(f"expected {code}, got {got}: {e}")
        note(calls=1)
        return
    wrong(f"expected {code}, the call succeeded")


def rss_kib():
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def worker(index, machines, activity, deadline):
    sfn = client()
    round_ = 0
    while time.monotonic() < deadline:
        round_ += 1
        try:
            kind = list(DEFINITIONS)[round_ % len(DEFINITIONS)]
            arn = machines[kind]
            name = f"w{index}-r{round_}"
            started = sfn.start_execution(stateMachineArn=arn, name=name,
                                          input=json.dumps({"n": round_ % 10, "items": [1, 2, 3]}))
            note(calls=1, executions=1)
            execution = started["executionArn"]
            if kind == "callback":
                # Every callback round queues one activity task and answers one (not always
                # its own), so each execution is answered in time.
                task = sfn.get_activity_task(activityArn=activity, workerName=f"w{index}")
                note(calls=1)
                if not task.get("taskToken"):
                    wrong("GetActivityTask gave no task though one was queued")
                else:
                    sfn.send_task_success(taskToken=task["taskToken"], output='{"answered": true}')
                    note(calls=1)
            elif kind == "wait":
                sfn.stop_execution(executionArn=execution, error="Soak.Stop", cause="stopped")
                note(calls=1)
            for _ in range(1000):
                status = sfn.describe_execution(executionArn=execution)["status"]
                note(calls=1)
                if status != "RUNNING":
                    break
                time.sleep(0.005)
            expected = {"fail": "FAILED", "wait": "ABORTED"}.get(kind, "SUCCEEDED")
            if status != expected:
                wrong(f"{execution}: {status}, expected {expected}")
            sfn.list_executions(stateMachineArn=arn, maxResults=10)
            sfn.validate_state_machine_definition(definition=json.dumps(DEFINITIONS[kind]))
            note(calls=2)
            sync = sfn.start_sync_execution(stateMachineArn=machines["express"], input='{"items": [1, 2]}')
            note(calls=1, executions=1)
            if sync["status"] != "SUCCEEDED" or json.loads(sync["output"]) != 3:
                wrong(f"express: {sync['status']} {sync.get('output')}")
            refused(lambda: sfn.describe_execution(executionArn="not-an-arn"), "InvalidArn")
            refused(lambda: sfn.describe_execution(
                executionArn=execution.replace(name, name + "-none")), "ExecutionDoesNotExist")
            refused(lambda: sfn.create_state_machine(
                name=f"bad-{index}-{round_}", roleArn=ROLE,
                definition='{"StartAt": "X", "States": {}}'), "InvalidDefinition")
            refused(lambda: sfn.send_task_success(taskToken="bogus", output="{}"), "InvalidToken")
        except botocore.exceptions.BotoCoreError as e:
            wrong(f"transport: {e}")
        except botocore.exceptions.ClientError as e:
            wrong(f"error answer: {e}")


def main():
    sfn = client()
    activity = sfn.create_activity(name="soak-activity")["activityArn"]
    machines = {}
    for kind, definition in DEFINITIONS.items():
        machines[kind] = sfn.create_state_machine(
            name=f"soak-{kind}", roleArn=ROLE, definition=json.dumps(definition))["stateMachineArn"]
    machines["express"] = sfn.create_state_machine(
        name="soak-express", roleArn=ROLE, type="EXPRESS",
        definition=json.dumps(DEFINITIONS["jsonata"]))["stateMachineArn"]
    # Warm up before the first memory reading, so that it shows the server at work.
    warm = time.monotonic() + min(5.0, SECONDS / 10)
    threads = [threading.Thread(target=worker, args=(i, machines, activity, warm)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rss_start = rss_kib()
    began = time.monotonic()
    deadline = began + SECONDS
    threads = [threading.Thread(target=worker, args=(i + 100, machines, activity, deadline)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    rss_end = rss_kib()
    # Still answering.
    sfn.list_state_machines()
    print(f"soak: {elapsed:.0f} s, {counts['calls']} calls, {counts['executions']} executions, "
          f"{counts['unexpected']} unexpected errors, RSS {rss_start / 1024:.1f} MiB at start, "
          f"{rss_end / 1024:.1f} MiB at end")
    for what in unexpected:
        print(f"  unexpected: {what}")
    sys.exit(1 if counts["unexpected"] else 0)


main()
