"""boto3 against stepfn serve: state machine versions and aliases, executions started on
them (weighted routing included), and DescribeStateMachineForExecution.

Usage: boto3_versions.py ENDPOINT_URL. Exits non-zero, saying what differed, on any mismatch."""

import json
import sys

from checks import ROLE, Checks, error_code, sfn_client

sfn = sfn_client(sys.argv[1])
checks = Checks("boto3 versions")
expect = checks.expect


def definition(result):
    return json.dumps({"StartAt": "Say", "States": {"Say": {"Type": "Pass", "Result": result, "End": True}}})


def finished(execution):
    return checks.ended(sfn, execution)


# Create with publish: version 1 comes with the machine.
created = sfn.create_state_machine(
    name="Greeter", definition=definition("one"), roleArn=ROLE, publish=True, versionDescription="first"
)
machine = created["stateMachineArn"]
v1 = created["stateMachineVersionArn"]
expect(v1 == machine + ":1", f"the first version's ARN: {v1}")
expect(
    error_code(sfn.create_state_machine, name="Other", definition=definition("x"), roleArn=ROLE, versionDescription="no")
    == "ValidationException",
    "versionDescription without publish is refused",
)

# Publishing an unchanged revision gives the same version back.
expect(sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"] == v1, "idempotent publish")

# Update with publish: version 2, with the new definition; version 1 keeps the old one.
updated = sfn.update_state_machine(stateMachineArn=machine, definition=definition("two"), publish=True, versionDescription="second")
v2 = updated["stateMachineVersionArn"]
expect(v2 == machine + ":2", f"the second version's ARN: {v2}")
revision = updated["revisionId"]
expect(
    error_code(sfn.publish_state_machine_version, stateMachineArn=machine, revisionId="not-the-revision") == "ConflictException",
    "publishing a revision that is not current is a conflict",
)
expect(sfn.publish_state_machine_version(stateMachineArn=machine, revisionId=revision)["stateMachineVersionArn"] == v2, "publish by current revision")
described_v1 = sfn.describe_state_machine(stateMachineArn=v1)
expect(described_v1["stateMachineArn"] == v1, "a version describes itself")
expect(json.loads(described_v1["definition"])["States"]["Say"]["Result"] == "one", "version 1's definition")
expect(described_v1["description"] == "first", "version 1's description")
listed = [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]]
expect(listed == [v2, v1], f"versions newest first: {listed}")
expect([m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["Greeter"], "versions are not machines")

# A version's execution runs that version, and says so.
run = sfn.start_execution(stateMachineArn=v1, input="{}")["executionArn"]
done = finished(run)
expect(done["output"] == '"one"', f"version 1 ran: {done}")
expect(done["stateMachineArn"] == machine, "the execution's machine is unqualified")
expect(done["stateMachineVersionArn"] == v1, f"the execution's version: {done}")
expect("stateMachineAliasArn" not in done, "no alias")
for_execution = sfn.describe_state_machine_for_execution(executionArn=run)
expect(json.loads(for_execution["definition"])["States"]["Say"]["Result"] == "one", "the definition the execution ran")
expect(for_execution["stateMachineArn"] == machine and for_execution["roleArn"] == ROLE, f"{for_execution}")
latest = finished(sfn.start_execution(stateMachineArn=machine)["executionArn"])
expect(latest["output"] == '"two"' and "stateMachineVersionArn" not in latest, f"the machine runs its latest: {latest}")

# Aliases: validation, idempotency, conflicts.
route = lambda *pairs: [{"stateMachineVersionArn": v, "weight": w} for v, w in pairs]
expect(error_code(sfn.create_state_machine_alias, name="bad", routingConfiguration=route((v1, 50), (v2, 40))) == "ValidationException", "weights must add up to 100")
expect(error_code(sfn.create_state_machine_alias, name="bad", routingConfiguration=route((v1, 50), (v1, 50))) == "ValidationException", "distinct versions")
expect(error_code(sfn.create_state_machine_alias, name="bad", routingConfiguration=route((machine + ":9", 100))) == "ResourceNotFound", "the version must exist")
expect(error_code(sfn.create_state_machine_alias, name="123", routingConfiguration=route((v1, 100))) == "ValidationException", "an all-digit name")
prod = sfn.create_state_machine_alias(name="prod", description="live", routingConfiguration=route((v1, 100)))["stateMachineAliasArn"]
expect(prod == machine + ":prod", f"the alias ARN: {prod}")
expect(sfn.create_state_machine_alias(name="prod", description="live", routingConfiguration=route((v1, 100)))["stateMachineAliasArn"] == prod, "idempotent alias")
expect(error_code(sfn.create_state_machine_alias, name="prod", routingConfiguration=route((v2, 100))) == "ConflictException", "same name, other routing")
alias = sfn.describe_state_machine_alias(stateMachineAliasArn=prod)
expect(alias["name"] == "prod" and alias["description"] == "live" and alias["routingConfiguration"] == route((v1, 100)), f"{alias}")
expect(error_code(sfn.delete_state_machine_version, stateMachineVersionArn=v1) == "ConflictException", "a routed version cannot be deleted")
through = finished(sfn.start_execution(stateMachineArn=prod)["executionArn"])
expect(through["output"] == '"one"' and through["stateMachineAliasArn"] == prod and through["stateMachineVersionArn"] == v1, f"{through}")

# Weighted routing: 70/30 over 200 executions.
sfn.update_state_machine_alias(stateMachineAliasArn=prod, routingConfiguration=route((v1, 70), (v2, 30)))
counts = {v1: 0, v2: 0}
runs = [sfn.start_execution(stateMachineArn=prod)["executionArn"] for _ in range(200)]
for arn in runs:
    counts[finished(arn)["stateMachineVersionArn"]] += 1
expect(100 <= counts[v1] <= 180 and counts[v1] + counts[v2] == 200, f"70/30 routing gave {counts}")
listed = sfn.list_executions(stateMachineArn=v2, maxResults=1000)["executions"]
expect(len(listed) == counts[v2], f"ListExecutions on version 2: {len(listed)} of {counts[v2]}")
expect(len(sfn.list_executions(stateMachineArn=prod, maxResults=1000)["executions"]) == 201, "ListExecutions on the alias")
page = sfn.list_executions(stateMachineArn=prod, maxResults=150)
expect(len(page["executions"]) == 150 and "nextToken" in page, "a page of an alias's executions")
rest = sfn.list_executions(stateMachineArn=prod, maxResults=150, nextToken=page["nextToken"])
expect(len(rest["executions"]) == 51 and "nextToken" not in rest, "the last page")

aliases = sfn.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"]
expect([a["stateMachineAliasArn"] for a in aliases] == [prod], f"{aliases}")
sfn.update_state_machine_alias(stateMachineAliasArn=prod, description="all on two", routingConfiguration=route((v2, 100)))
sfn.delete_state_machine_version(stateMachineVersionArn=v1)
expect([v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]] == [v2], "version 1 deleted")
expect(error_code(sfn.start_execution, stateMachineArn=v1) == "StateMachineDoesNotExist", "a deleted version cannot run")
# Numbers are not reused.
sfn.update_state_machine(stateMachineArn=machine, definition=definition("three"))
expect(sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"] == machine + ":3", "the next number")
sfn.delete_state_machine_alias(stateMachineAliasArn=prod)
expect(error_code(sfn.describe_state_machine_alias, stateMachineAliasArn=prod) == "ResourceNotFound", "alias deleted")
sfn.delete_state_machine(stateMachineArn=machine)
expect(error_code(sfn.describe_state_machine, stateMachineArn=v2) == "StateMachineDoesNotExist", "versions go with their machine")
print("boto3 versions: ok")
