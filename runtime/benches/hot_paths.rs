//! Micro-benchmarks of the executor's hot paths, so regressions show: `cargo bench -p stepfn`.
//! The workloads that compare with the peer engine are `scripts/bench`.

use serde_json::{json, Value};
use stepfn::check;
use stepfn::exec::{ExecutionOptions, Executor};
use stepfn::internals::context::ContextObject;
use stepfn::internals::scope::Scope;
use stepfn::model::{IntrinsicCall, Jsonata, Path, Template};

// Counts allocations too: most of an execution's cost is allocating.
#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

fn document() -> Value {
    json!({"order": {"id": "o-1", "total": 42.5, "lines": (0..50).map(|i| json!({"sku": format!("s{i}"), "qty": i})).collect::<Vec<_>>()}})
}

#[divan::bench]
fn jsonpath_select(bencher: divan::Bencher) {
    let path = Path::parse("$.order.lines[?(@.qty > 40)].sku").unwrap();
    let doc = stepfn::Data::from(document());
    bencher.bench(|| {
        stepfn::internals::jsonpath::select(divan::black_box(&path), &doc).map(|v| v.into_owned())
    });
}

#[divan::bench]
fn payload_template(bencher: divan::Bencher) {
    let machine = check(
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
            "Parameters": {"id.$": "$.order.id", "total.$": "$.order.total", "fixed": {"a": 1}, "first.$": "$.order.lines[0]"}}}}"#,
        &Default::default(),
    )
    .unwrap();
    let template: Template = match &machine.states["P"] {
        stepfn::model::State::Pass(p) => p.parameters.clone().unwrap(),
        _ => unreachable!(),
    };
    let doc = stepfn::Data::from(document());
    let context = ContextObject::from_value(json!({}));
    bencher.bench(|| {
        Scope {
            input: &doc,
            context: &context,
            variables: None,
        }
        .evaluate_template(divan::black_box(&template))
    });
}

#[divan::bench]
fn intrinsic_format(bencher: divan::Bencher) {
    let call =
        IntrinsicCall::parse("States.Format('order {} of {}', $.order.id, $.order.total)").unwrap();
    let doc = stepfn::Data::from(document());
    let context = ContextObject::from_value(json!({}));
    bencher.bench(|| {
        stepfn::internals::intrinsics::call(
            divan::black_box(&call),
            &Scope {
                input: &doc,
                context: &context,
                variables: None,
            },
        )
    });
}

#[divan::bench]
fn jsonata_expression(bencher: divan::Bencher) {
    let expr = Jsonata::parse("$sum(order.lines[qty > 10].qty) & ' of ' & order.id").unwrap();
    let doc = document();
    bencher.bench(|| expr.compiled().evaluate(divan::black_box(&doc)));
}

/// A chain of `count` Pass states with a template and a merge each.
fn pass_chain(count: usize) -> String {
    let states: Vec<String> = (0..count)
        .map(|i| {
            let next = if i + 1 == count {
                r#""End": true"#.to_string()
            } else {
                format!(r#""Next": "S{}""#, i + 1)
            };
            format!(r#""S{i}": {{"Type": "Pass", "Parameters": {{"step": {i}, "id.$": "$.id"}}, "ResultPath": "$.last", {next}}}"#)
        })
        .collect();
    format!(r#"{{"StartAt": "S0", "States": {{{}}}}}"#, states.join(","))
}

/// Parse, validate and plan a definition of 1,000 states, up to an executor ready to run it
/// (the target is under 5 ms).
#[divan::bench]
fn compile_1000_states(bencher: divan::Bencher) {
    let definition = pass_chain(1000);
    bencher.bench(|| {
        Executor::new(check(divan::black_box(&definition), &Default::default()).unwrap())
    });
}

#[divan::bench]
fn state_transitions(bencher: divan::Bencher) {
    let definition = pass_chain(100);
    let executor = Executor::new(check(&definition, &Default::default()).unwrap());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    bencher.bench(|| {
        runtime.block_on(executor.run(
            json!({"id": "x"}),
            ExecutionOptions::new().with_record_history(true),
        ))
    });
}

/// One short execution with a Task: what `many_executions` repeats.
#[divan::bench]
fn short_execution(bencher: divan::Bencher) {
    let definition = r#"{"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work", "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.v", "NumericGreaterThanEquals": 50, "Next": "High"}], "Default": "Low"},
        "High": {"Type": "Pass", "Result": "high", "ResultPath": "$.band", "Next": "Done"},
        "Low": {"Type": "Pass", "Result": "low", "ResultPath": "$.band", "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let executor = Executor::new(check(definition, &Default::default()).unwrap());
    let tasks = stepfn::TaskRegistry::new().on_state("Work", |request: stepfn::TaskRequest| {
        let mut output = request.input;
        if let Value::Object(members) = &mut output {
            members.insert("done".into(), Value::Bool(true));
        }
        std::future::ready(Ok(output))
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let input = stepfn::Data::from(json!({"id": 7, "v": 7}));
    bencher.bench(|| {
        runtime.block_on(
            executor.run_data(
                input.clone(),
                ExecutionOptions::new()
                    .with_tasks(tasks.clone())
                    .with_record_history(true),
            ),
        )
    });
}

/// A JSONata state whose `Output` template has four expressions over a 40 KiB input.
#[divan::bench]
fn jsonata_template_over_a_large_input(bencher: divan::Bencher) {
    let definition = r#"{"QueryLanguage": "JSONata", "StartAt": "Shape", "States": {
        "Shape": {"Type": "Pass", "End": true, "Output": {
            "first": "{% $states.input.rows[0].id %}",
            "count": "{% $count($states.input.rows) %}",
            "owner": "{% $states.input.owner %}",
            "name": "{% $states.context.State.Name %}"}}}}"#;
    let executor = Executor::new(check(definition, &Default::default()).unwrap());
    let rows: Vec<Value> = (0..400)
        .map(|i| json!({"id": format!("r{i}"), "n": i, "text": "lorem ipsum dolor sit amet, consectetur adipiscing"}))
        .collect();
    let input = stepfn::Data::from(json!({"owner": "me", "rows": rows}));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    bencher.bench(|| {
        runtime.block_on(executor.run_data(
            input.clone(),
            ExecutionOptions::new().with_record_history(true),
        ))
    });
}

/// A ResultPath-style change to a payload the history still shares: copy-on-write of a small
/// object (a list) and of a large one (indexed), each given one new member.
#[divan::bench(args = [3, 40])]
fn object_copy_on_write(bencher: divan::Bencher, members: usize) {
    let object: serde_json::Map<String, Value> = (0..members)
        .map(|i| (format!("member{i}"), json!(i)))
        .collect();
    let shared = stepfn::Data::from(Value::Object(object));
    bencher.bench(|| {
        let mut changed = divan::black_box(&shared).clone();
        changed
            .object_mut()
            .unwrap()
            .insert("added".into(), stepfn::Data::Bool(true));
        changed
    });
}
