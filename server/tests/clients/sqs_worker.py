"""The callback pattern through a real queue: moto's SQS and stepfn serve.

Makes a queue on moto, a state machine on stepfn serve whose task sends the task token in a
message (sqs:sendMessage.waitForTaskToken), starts it, and then acts as the worker: receives
the message from the queue and answers with SendTaskSuccess. Prints how the execution ended.

Usage: sqs_worker.py MOTO_URL SERVER_URL ROLE_ARN
"""
import json
import sys
import time

import boto3

moto_url, server_url, role = sys.argv[1], sys.argv[2], sys.argv[3]
sqs = boto3.client("sqs", endpoint_url=moto_url, region_name="us-east-1")
sfn = boto3.client("stepfunctions", endpoint_url=server_url, region_name="us-east-1")

queue = sqs.create_queue(QueueName="approvals")["QueueUrl"]
definition = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl": queue,
                "MessageBody": {"order.$": "$.order", "token.$": "$$.Task.Token"},
            },
            "TimeoutSeconds": 60,
            "End": True,
        }
    },
}
machine = sfn.create_state_machine(
    name="Approval", definition=json.dumps(definition), roleArn=role
)["stateMachineArn"]
execution = sfn.start_execution(
    stateMachineArn=machine, input=json.dumps({"order": "o-1"})
)["executionArn"]

# The worker: the message, then the answer with its token.
messages = []
deadline = time.time() + 30
while not messages and time.time() < deadline:
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
body = json.loads(messages[0]["Body"])
sfn.send_task_success(
    taskToken=body["token"], output=json.dumps({"approved": True, "order": body["order"]})
)

while True:
    described = sfn.describe_execution(executionArn=execution)
    if described["status"] != "RUNNING" or time.time() > deadline:
        break
    time.sleep(0.1)
print(json.dumps({"status": described["status"], "output": json.loads(described.get("output", "null"))}))
