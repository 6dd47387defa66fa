//! `stepfn serve` as a process: SIGTERM stops it gracefully (a pending long poll included),
//! and a restart on the same database resumes the execution it left running.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Serve {
    child: Child,
    port: u16,
}

fn serve(db: &std::path::Path) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .args(["serve", "--port", "0", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stepfn serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    Serve { child, port }
}

/// One JSON 1.0 call over a plain HTTP/1.1 connection.
fn call(port: u16, operation: &str, members: Value) -> (u16, Value) {
    let body = members.to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AWSStepFunctions.{operation}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn terminate(serve: &mut Serve) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    serve.child.wait().unwrap()
}

#[test]
fn sigterm_stops_gracefully_and_a_restart_resumes_the_execution() {
    let db = std::env::temp_dir().join(format!("stepfn-serve-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let mut first = serve(&db);
    let (_, work) = call(first.port, "CreateActivity", json!({"name": "work"}));
    let work = work["activityArn"].as_str().unwrap().to_string();
    let (_, idle) = call(first.port, "CreateActivity", json!({"name": "idle"}));
    let idle = idle["activityArn"].as_str().unwrap().to_string();
    let definition = json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": work, "End": true}}});
    let (status, machine) = call(
        first.port,
        "CreateStateMachine",
        json!({"name": "Durable", "definition": definition.to_string(), "roleArn": "arn:aws:iam::123456789012:role/R"}),
    );
    assert_eq!(status, 200, "{machine}");
    let machine = machine["stateMachineArn"].as_str().unwrap().to_string();
    let (_, started) = call(
        first.port,
        "StartExecution",
        json!({"stateMachineArn": machine, "input": "{\"job\": 1}"}),
    );
    let execution = started["executionArn"].as_str().unwrap().to_string();

    // A worker long-polls an activity with nothing to do while the server is told to stop.
    let port = first.port;
    let poll =
        std::thread::spawn(move || call(port, "GetActivityTask", json!({"activityArn": idle})));
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let exit = terminate(&mut first);
    assert!(exit.success(), "{exit:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(20),
        "the long poll held the shutdown up"
    );
    let (poll_status, _) = poll.join().unwrap();
    assert!(poll_status == 200 || poll_status == 503, "{poll_status}");

    // The next process has the machine, and the execution waits for its worker again.
    let mut second = serve(&db);
    let (_, listed) = call(second.port, "ListStateMachines", json!({}));
    assert_eq!(listed["stateMachines"][0]["stateMachineArn"], machine);
    let (_, described) = call(
        second.port,
        "DescribeExecution",
        json!({"executionArn": execution}),
    );
    assert_eq!(described["status"], "RUNNING");
    let (_, task) = call(
        second.port,
        "GetActivityTask",
        json!({"activityArn": work, "workerName": "after"}),
    );
    assert_eq!(task["input"], "{\"job\":1}", "{task}");
    let (status, answer) = call(
        second.port,
        "SendTaskSuccess",
        json!({"taskToken": task["taskToken"], "output": "{\"done\": true}"}),
    );
    assert_eq!(status, 200, "{answer}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let described = loop {
        let (_, described) = call(
            second.port,
            "DescribeExecution",
            json!({"executionArn": execution}),
        );
        if described["status"] != "RUNNING" || Instant::now() > deadline {
            break described;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    assert_eq!(described["output"], "{\"done\":true}");
    assert!(terminate(&mut second).success());
    let _ = std::fs::remove_file(&db);
}
