"""A Distributed Map reading its items from a real bucket and writing its results back, on
stepfn serve with moto's S3 behind it: ItemReader (a JSON array, a CSV file, a listing),
ResultWriter, and a missing object's error as AWS names it.

Usage: s3_map.py MOTO_URL SERVER_URL ROLE_ARN. Exits non-zero, saying what differed."""

import json
import sys

import boto3

from checks import Checks, sfn_client

moto_url, server_url, role = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test")
sfn = sfn_client(server_url)
checks = Checks("s3 map")
expect = checks.expect


def run(name, definition, payload="{}"):
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=role)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=payload)["executionArn"]
    return checks.ended(sfn, execution)


def fan(reader, writer=None, processor_states=None):
    states = processor_states or {"Echo": {"Type": "Pass", "End": True}}
    state = {
        "Type": "Map",
        "ItemReader": reader,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": next(iter(states)),
            "States": states,
        },
        "End": True,
    }
    if writer:
        state["ResultWriter"] = writer
    return {"StartAt": "Fan", "States": {"Fan": state}}


s3.create_bucket(Bucket="items")
s3.put_object(Bucket="items", Key="in/orders.json", Body=json.dumps([{"id": 1}, {"id": 2}, {"id": 3}]))
s3.put_object(Bucket="items", Key="in/people.csv", Body="name,age\nann,31\nbob,42\n")
s3.put_object(Bucket="items", Key="other/skip.txt", Body="not listed")

# A JSON array, each item doubled by its child, the results written back to the bucket.
double = {"Double": {"Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.id, $.id)"}, "End": True}}
done = run("FromJson", fan(
    {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
     "Parameters": {"Bucket": "items", "Key": "in/orders.json"}},
    {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "items", "Prefix": "out"}},
    double,
))
expect(done["status"] == "SUCCEEDED", f"the JSON run: {done}")
output = json.loads(done["output"])
expect(output["ResultWriterDetails"]["Bucket"] == "items", f"{output}")
manifest_key = output["ResultWriterDetails"]["Key"]
expect(manifest_key.startswith("out/") and manifest_key.endswith("/manifest.json"), manifest_key)
manifest = json.loads(s3.get_object(Bucket="items", Key=manifest_key)["Body"].read())
succeeded_key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
results = json.loads(s3.get_object(Bucket="items", Key=succeeded_key)["Body"].read())
expect(sorted(json.loads(r["Output"])["twice"] for r in results) == [2, 4, 6], f"results in the bucket: {results}")

# A CSV file, its header naming the fields.
done = run("FromCsv", fan({"Resource": "arn:aws:states:::s3:getObject",
                           "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                           "Parameters": {"Bucket": "items", "Key": "in/people.csv"}}))
expect(done["status"] == "SUCCEEDED", f"the CSV run: {done}")
expect(json.loads(done["output"]) == [{"name": "ann", "age": "31"}, {"name": "bob", "age": "42"}], done["output"])

# A listing: the objects under a prefix, with S3's own sizes and ETags.
done = run("FromListing", fan({"Resource": "arn:aws:states:::s3:listObjectsV2",
                               "Parameters": {"Bucket": "items", "Prefix": "in/"}}))
expect(done["status"] == "SUCCEEDED", f"the listing run: {done}")
listed = json.loads(done["output"])
expect([o["Key"] for o in listed] == ["in/orders.json", "in/people.csv"], f"{listed}")
head = s3.head_object(Bucket="items", Key="in/people.csv")
expect(listed[1]["Size"] == head["ContentLength"] and listed[1]["ETag"] == head["ETag"], f"{listed[1]} vs {head}")

# A missing object: the Map Run fails with S3's own explanation.
done = run("Missing", fan({"Resource": "arn:aws:states:::s3:getObject",
                           "Parameters": {"Bucket": "items", "Key": "in/nothing.json"}}))
expect(done["status"] == "FAILED" and done["error"] == "States.ItemReaderFailed", f"{done}")
expect("NoSuchKey" in done["cause"] and "Status Code: 404" in done["cause"], done["cause"])

# aws-sdk:s3 object actions from Task states.
sdk = lambda action: f"arn:aws:states:::aws-sdk:s3:{action}"
done = run("SdkObjects", {"StartAt": "Put", "States": {
    "Put": {"Type": "Task", "Resource": sdk("putObject"),
            "Parameters": {"Bucket": "items", "Key": "notes/n1.json", "Body": {"note.$": "$.note"}},
            "ResultPath": "$.put", "Next": "Get"},
    "Get": {"Type": "Task", "Resource": sdk("getObject"),
            "Parameters": {"Bucket": "items", "Key": "notes/n1.json"},
            "ResultSelector": {"body.$": "States.StringToJson($.Body)", "length.$": "$.ContentLength", "etag.$": "$.ETag"},
            "ResultPath": "$.got", "Next": "List"},
    "List": {"Type": "Task", "Resource": sdk("listObjectsV2"),
             "Parameters": {"Bucket": "items", "Prefix": "notes/"},
             "ResultSelector": {"keys.$": "$.Contents[*].Key", "count.$": "$.KeyCount"},
             "ResultPath": "$.listed", "Next": "Delete"},
    "Delete": {"Type": "Task", "Resource": sdk("deleteObject"),
               "Parameters": {"Bucket": "items", "Key": "notes/n1.json"}, "ResultPath": None, "Next": "Gone"},
    "Gone": {"Type": "Task", "Resource": sdk("headObject"),
             "Parameters": {"Bucket": "items", "Key": "notes/n1.json"},
             "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "ResultPath": "$.gone", "Next": "Done"}],
             "End": True},
    "Done": {"Type": "Succeed"}}}, json.dumps({"note": "hello"}))
expect(done["status"] == "SUCCEEDED", f"the aws-sdk:s3 run: {done}")
out = json.loads(done["output"])
expect(out["got"]["body"] == {"note": "hello"} and out["got"]["length"] == len('{"note":"hello"}'), f"{out['got']}")
expect(out["got"]["etag"] == out["put"]["ETag"], f"{out}")
expect(out["listed"] == {"keys": ["notes/n1.json"], "count": 1}, f"{out['listed']}")
expect(out["gone"]["Error"] == "S3.NoSuchKeyException", f"{out['gone']}")
print("s3 map: ok")
