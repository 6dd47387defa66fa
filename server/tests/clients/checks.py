"""What the client scripts share: a boto3 Step Functions client for stepfn serve, and checks
that end the script saying what differed, in the script's own words."""

import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"


def sfn_client(endpoint):
    """Step Functions at `endpoint`, with placeholder credentials and no retries.
    StartSyncExecution goes to sync-<host> unless the host prefix is off, and a local
    endpoint has no such name."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}),
    )


def error_code(call, **kwargs):
    """The error code `call(**kwargs)` is refused with, or None when it is not."""
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


class Checks:
    """`expect` and `until`, which end the script with `NAME: what` when a check fails."""

    def __init__(self, name):
        self.name = name

    def expect(self, condition, what):
        if not condition:
            sys.exit(f"{self.name}: {what}")

    def until(self, what, check, seconds=10, step=0.01):
        """Calls `check` until it gives something true, and gives that."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = check()
            if value:
                return value
            time.sleep(step)
        sys.exit(f"{self.name}: waited in vain for {what}")

    def ended(self, sfn, execution):
        """The execution's description once it no longer runs."""
        return self.until(
            f"{execution} to end",
            lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d,
        )
