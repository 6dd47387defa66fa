//! The Map state: inline iterations in this execution's history, or a distributed Map Run
//! whose items run as child executions (ItemReader, ItemBatcher, ResultWriter, tolerated
//! failures).

mod reader;

use std::borrow::Cow;

use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use stepfn_codegen::{Map, MaybeJsonata, Path, ProcessorMode, State, Template};

use crate::data::{Data, Object};
use crate::error::{names, StatesError};
use crate::exec::visit::{error_details, finish, AbortGuard, Shared, Visit};
use crate::exec::{io, MapRunEntry, MapRunInfo, MapRunStatus, Tolerance};
use crate::expr::fields::Fields;
use crate::expr::jsonata::{query_evaluation_error, Expected};
use crate::expr::scope::compact;
use crate::expr::variables::VariableScope;
use crate::history::{Details, History};

/// Inline Map runs at most this many iterations at once, as AWS does.
const INLINE_CONCURRENCY_CAP: usize = 40;
/// The most history events an inline Map reserves room for ahead of its iterations.
const MAX_RESERVED_EVENTS: usize = 1 << 20;
/// Distributed Map runs at most this many child executions at once.
const DISTRIBUTED_CONCURRENCY_CAP: usize = 10_000;

/// One attempt of the Map state `s` (which is `state`).
pub(crate) async fn run(
    visit: &Visit<'_>,
    state: &State,
    s: &Map,
    mut raw: Cow<'_, Data>,
    retry_count: u32,
    cursor: &mut u64,
) -> Result<Data, StatesError> {
    let shared = visit.shared;
    let context = visit.context(Some(retry_count));
    let effective = if visit.is_jsonata() {
        Cow::Borrowed(raw.as_ref())
    } else {
        let input = io::pipeline_input(&mut raw, s.result_path.as_ref());
        io::input_path(input, s.input_path.as_ref(), visit.roots(&context))?
    };
    let fields = visit.fields(&effective, &context);
    let max_concurrency = |fields: &Fields<'_>| -> Result<usize, StatesError> {
        Ok(fields
            .integer(
                &s.max_concurrency,
                &s.max_concurrency_path,
                "MaxConcurrency",
                0,
            )?
            .unwrap_or(0)
            .max(0) as usize)
    };
    // AWS records MapStateStarted before it checks the limits, and a distributed Map's
    // ItemReader runs inside its Map Run (so a reader failure is a MapRunFailed).
    let result = if s.mode() == ProcessorMode::Distributed {
        let mut started = Details::new();
        let items = match &s.item_reader {
            None => Some(items_of(s, &fields, &effective)?),
            Some(_) => None,
        };
        if let Some(items) = &items {
            started.push(("length", items.len().into()));
        }
        shared.emit(cursor, "MapStateStarted", started);
        let concurrency = max_concurrency(&fields)?;
        let tolerance = resolve_tolerance(s, &fields)?;
        map_run(visit, s, items, &fields, concurrency, tolerance, cursor).await
    } else {
        let items = items_of(s, &fields, &effective)?;
        let concurrency = max_concurrency(&fields)?;
        let started = smallvec::smallvec![("length", items.len().into())];
        shared.emit(cursor, "MapStateStarted", started);
        let inputs = iteration_inputs(s, items, &fields)?;
        inline(visit, s, inputs, concurrency, cursor).await
    };
    drop(effective);
    let output = result?;
    // MapStateSucceeded follows the Map's last event (the last iteration's, or
    // MapRunSucceeded), and so does MapStateExited, as if it were not there.
    shared.emit_aside(*cursor, "MapStateSucceeded", Details::new());
    finish(visit, state, raw, output, &context)
}

/// Each iteration's input: ItemSelector (or the legacy Parameters) over the Map's input with
/// `$$.Map.Item`, or the item itself.
fn iteration_inputs(
    s: &Map,
    items: Vec<(Option<String>, Data)>,
    fields: &Fields<'_>,
) -> Result<Vec<Data>, StatesError> {
    let selector = s.item_selector.as_ref().or(s.parameters.as_ref());
    let context = fields.context();
    let mut inputs = Vec::with_capacity(items.len());
    for (index, (key, value)) in items.into_iter().enumerate() {
        let input = match selector {
            Some(template) => {
                let mut item = Object::with_capacity(3);
                item.insert("Index".into(), index.into());
                if let Some(k) = &key {
                    item.insert("Key".into(), k.as_str().into());
                }
                item.insert("Value".into(), value);
                let item_context = context.with_map_item(Data::object(item));
                fields
                    .with_context(&item_context)
                    .template(template, "ItemSelector")?
            }
            None => match key {
                Some(k) => {
                    let mut pair = Object::with_capacity(2);
                    pair.insert("Key".into(), k.into());
                    pair.insert("Value".into(), value);
                    Data::object(pair)
                }
                None => value,
            },
        };
        inputs.push(input);
    }
    Ok(inputs)
}

/// The items of the Map: `Items` (JSONata) or `ItemsPath` (JSONPath) over its input, an
/// array's elements or an object's members as `(key, value)`.
fn items_of(
    s: &Map,
    fields: &Fields<'_>,
    effective: &Data,
) -> Result<Vec<(Option<String>, Data)>, StatesError> {
    let selected = match fields {
        Fields::Jsonata(scope) => {
            let items = match &s.items {
                Some(Template::Jsonata(j)) => scope.evaluate(j, "Items", Expected::Array)?,
                Some(t) => scope.evaluate_template(t, "Items")?,
                None => effective.clone(),
            };
            return match items {
                Data::Array(items) => Ok(items.iter().map(|v| (None, v.clone())).collect()),
                other => Err(query_evaluation_error(
                    format!(
                        "Map state input must be an array but was: {}",
                        compact(&other)
                    ),
                    "Items",
                )),
            };
        }
        Fields::Path(scope) => match &s.items_path {
            None => effective.clone(),
            Some(p) => scope.select_io_path(p)?,
        },
    };
    match selected {
        Data::Array(items) => Ok(items.iter().map(|v| (None, v.clone())).collect()),
        Data::Object(members) => Ok(members
            .iter()
            .map(|(k, v)| (Some(k.to_string()), v.clone()))
            .collect()),
        _ => Err(StatesError::runtime(format!(
            "Reference path \"{}\" must point to array.",
            s.items_path.as_ref().map_or("$", |p| p.source())
        ))),
    }
}

/// The failed items the Map `s` tolerates, from its fields.
fn resolve_tolerance(s: &Map, fields: &Fields<'_>) -> Result<Tolerance, StatesError> {
    let count = fields.integer(
        &s.tolerated_failure_count,
        &s.tolerated_failure_count_path,
        "ToleratedFailureCount",
        0,
    )?;
    if count.is_some_and(|c| c < 0) {
        return Err(StatesError::runtime(
            "ToleratedFailureCount cannot be negative.",
        ));
    }
    let percentage = fields.number(
        &s.tolerated_failure_percentage,
        &s.tolerated_failure_percentage_path,
        "ToleratedFailurePercentage",
    )?;
    if percentage.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
        return Err(StatesError::runtime(
            "ToleratedFailurePercentage must be between 0 and 100.",
        ));
    }
    Ok(Tolerance {
        count: count.map(|c| c as u64),
        percentage,
    })
}

fn batch(
    inputs: Vec<Data>,
    batcher: &stepfn_codegen::ItemBatcher,
    fields: &Fields<'_>,
) -> Result<Vec<Data>, StatesError> {
    let limit = |value: &Option<MaybeJsonata<u64>>, path: &Option<Path>, field: &str| {
        fields
            .integer(value, path, field, 0)
            .map(|n| n.filter(|n| *n > 0).map(|n| n as u64))
    };
    let max_items = limit(
        &batcher.max_items_per_batch,
        &batcher.max_items_per_batch_path,
        "MaxItemsPerBatch",
    )?
    .unwrap_or(u64::MAX);
    let max_bytes = limit(
        &batcher.max_input_bytes_per_batch,
        &batcher.max_input_bytes_per_batch_path,
        "MaxInputBytesPerBatch",
    )?
    .unwrap_or(crate::expr::limits::MAX_PAYLOAD_BYTES as u64);
    let batch_input = match &batcher.batch_input {
        Some(t) => Some(fields.template(t, "ItemBatcher/BatchInput")?),
        None => None,
    };
    let wrap = |items: Vec<Data>| {
        let mut b = Object::with_capacity(2);
        if let Some(input) = &batch_input {
            b.insert("BatchInput".into(), input.clone());
        }
        b.insert("Items".into(), Data::array(items));
        Data::object(b)
    };
    let mut batches = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0u64;
    for item in inputs {
        let size = crate::expr::limits::payload_size(&item) as u64;
        if !current.is_empty() && (current.len() as u64 >= max_items || bytes + size > max_bytes) {
            batches.push(wrap(std::mem::take(&mut current)));
            bytes = 0;
        }
        bytes += size;
        current.push(item);
    }
    if !current.is_empty() {
        batches.push(wrap(current));
    }
    Ok(batches)
}

fn limit(max_concurrency: usize, cap: usize, items: usize) -> usize {
    let n = if max_concurrency == 0 {
        cap
    } else {
        max_concurrency.min(cap)
    };
    n.min(items).max(1)
}

async fn inline(
    visit: &Visit<'_>,
    s: &Map,
    inputs: Vec<Data>,
    max_concurrency: usize,
    cursor: &mut u64,
) -> Result<Data, StatesError> {
    let shared = visit.shared;
    let processor = &s.item_processor;
    let concurrency = limit(max_concurrency, INLINE_CONCURRENCY_CAP, inputs.len());
    // Room for the events of every iteration running every state of the processor once.
    let per_iteration: usize = 2 + processor
        .states
        .values()
        .map(|state| match state {
            State::Task(_) => 5,
            State::Map(_) | State::Parallel(_) => 4,
            _ => 2,
        })
        .sum::<usize>();
    shared.history.reserve(
        inputs
            .len()
            .saturating_mul(per_iteration)
            .min(MAX_RESERVED_EVENTS),
    );
    let map_name = visit.shared_name;
    let started_id = *cursor;
    // Where each iteration's chain of state events ended. Iterations start in order, at
    // most `concurrency` at a time, and iteration `i` starts once `i - concurrency` has ended
    // (the stream below hands results back in order): it chains on from that iteration's
    // last state event, as AWS chains an iteration that waited for a free place. Knowing the
    // predecessor from the indexes alone also lets a resumed execution find each stored
    // iteration again, whatever order the iterations end in.
    let chain_ends: Vec<std::sync::OnceLock<u64>> = (0..inputs.len())
        .map(|_| std::sync::OnceLock::new())
        .collect();
    let chain_ends = &chain_ends;
    let iterations = inputs.into_iter().enumerate().map(|(index, input)| {
        let name = visit.name;
        async move {
            let mut cursor = index
                .checked_sub(concurrency)
                .and_then(|freed| chain_ends[freed].get().copied())
                .unwrap_or(started_id);
            let event = |cursor: &mut u64, event_type| {
                shared.emit_named(
                    cursor,
                    event_type,
                    map_name,
                    smallvec::smallvec![("index", index.into())],
                )
            };
            let started = event(&mut cursor, "MapIterationStarted");
            let mut abort = AbortGuard::new(shared, Some("MapIterationAborted"), name, started)
                .with_index(index);
            // Every iteration records its start before any enters its first state, as on AWS.
            tokio::task::yield_now().await;
            let result = (shared.run_branch)(
                shared,
                &processor.states,
                &processor.start_at,
                input,
                VariableScope::nested(visit.variables),
                true,
                &mut cursor,
            )
            .await;
            abort.disarm();
            let last_state_event = cursor;
            let _ = chain_ends[index].set(last_state_event);
            match result {
                Ok(output) => {
                    let succeeded = event(&mut cursor, "MapIterationSucceeded");
                    Ok((output, succeeded))
                }
                Err(e) => {
                    // MapIterationFailed does not move the chain on: MapStateFailed (or the
                    // retry's MapStateStarted) follows the failing state's event.
                    event(&mut cursor, "MapIterationFailed");
                    Err((e, last_state_event))
                }
            }
        }
    });
    let ended: Vec<(Data, u64)> = match futures::stream::iter(iterations)
        .buffered(concurrency)
        .try_collect()
        .await
    {
        Ok(ended) => ended,
        Err((e, failed_at)) => {
            *cursor = failed_at;
            return Err(e);
        }
    };
    // The Map goes on from the iteration that ended last.
    *cursor = ended.iter().map(|(_, at)| *at).max().unwrap_or(started_id);
    Ok(Data::array(
        ended.into_iter().map(|(output, _)| output).collect(),
    ))
}

/// A Distributed Map: `items` are the Map's items unless its ItemReader reads them.
async fn map_run(
    visit: &Visit<'_>,
    s: &Map,
    items: Option<Vec<(Option<String>, Data)>>,
    fields: &Fields<'_>,
    max_concurrency: usize,
    tolerance: Tolerance,
    cursor: &mut u64,
) -> Result<Data, StatesError> {
    let shared = visit.shared;
    let run_id = crate::random::uuid_v4().to_string();
    let sm_name = shared.execution.state_machine()["Name"]
        .as_str()
        .unwrap_or("StateMachine");
    let label = s.label.as_deref().unwrap_or(visit.name);
    let map_run_arn = format!(
        "arn:aws:states:{}:{}:mapRun:{sm_name}/{label}:{run_id}",
        shared.region(),
        shared.account()
    );
    let details = smallvec::smallvec![("mapRunArn", map_run_arn.clone().into())];
    shared.emit(cursor, "MapRunStarted", details);
    // The run may go on for long: the event naming it is made durable, so the history
    // shows it (and ListMapRuns' caller can find it there) while it runs.
    shared.commit().await?;
    let info = MapRunInfo {
        map_run_arn: map_run_arn.clone(),
        execution_arn: shared.execution.execution()["Id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        state_machine_arn: format!(
            "arn:aws:states:{}:{}:stateMachine:{sm_name}/{label}",
            shared.region(),
            shared.account()
        ),
        status: MapRunStatus::Running,
        start_millis: shared.clock.now_millis(),
        stop_millis: None,
        max_concurrency: max_concurrency as u64,
        tolerated_failure_percentage: 0.0,
        tolerated_failure_count: 0,
        item_counts: Default::default(),
        execution_counts: Default::default(),
    };
    let cap = DISTRIBUTED_CONCURRENCY_CAP as u64;
    let run = match &shared.map_runs {
        Some(runs) => runs.start(info, cap, tolerance),
        None => MapRunEntry::detached(info, cap, tolerance),
    };
    // Dropped before the run ends (its execution stopped): the run is aborted.
    let aborted = EndGuard {
        run: &run,
        shared,
        status: MapRunStatus::Aborted,
    };
    let inputs = match map_run_inputs(visit, s, items, fields).await {
        Ok(inputs) => inputs,
        Err(e) => {
            run.end(MapRunStatus::Failed, shared.clock.now_millis(), 0);
            shared.emit(cursor, "MapRunFailed", error_details(&e));
            return Err(e);
        }
    };

    let total = inputs.len();
    let batched = s.item_batcher.is_some();
    let items_in = |input: &Data| -> u64 {
        match input.get("Items").and_then(Data::as_array) {
            Some(items) if batched => items.len() as u64,
            _ => 1,
        }
    };
    run.plan(total as u64, inputs.iter().map(items_in).sum());
    // Every child waits at the run's gate, whose width UpdateMapRun may change while it runs.
    let in_flight = DISTRIBUTED_CONCURRENCY_CAP.min(total).max(1);
    let processor = &s.item_processor;
    let run_ref = &run;
    let children = inputs.into_iter().enumerate().map(|(index, input)| {
        let child_name = format!("{run_id}-{index}");
        async move {
            let items = items_in(&input);
            run_ref.enter(items).await;
            let child_arn = map_run_arn_child(shared, sm_name, label, &child_name);
            run_ref.child_started(index, &child_arn, &child_name, shared.clock.now_millis());
            let child = child_execution(shared, &child_arn, &child_name, &input);
            let mut child_cursor = 0;
            // A child execution sees none of the parent's variables.
            let result = (shared.run_branch)(
                &child,
                &processor.states,
                &processor.start_at,
                input.clone(),
                VariableScope::root(),
                false,
                &mut child_cursor,
            )
            .await;
            let error = result.as_ref().err().map(|e| e.name());
            run_ref.leave(items, error);
            run_ref.child_ended(index, error, shared.clock.now_millis());
            (input, result)
        }
    });
    let results: Vec<(Data, Result<Data, StatesError>)> = futures::stream::iter(children)
        .buffered(in_flight)
        .collect()
        .await;
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    if run.tolerance().exceeded(failed, total) {
        run.end(MapRunStatus::Failed, shared.clock.now_millis(), 0);
        let e = StatesError::new(
            names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
            "The specified tolerated failure threshold was exceeded",
        );
        shared.emit(cursor, "MapRunFailed", error_details(&e));
        return Err(e);
    }
    let mut written = 0;
    let outcome = match &s.result_writer {
        Some(writer) if writer.resource.is_some() => {
            let parameters = match writer.parameters.as_ref().or(writer.arguments.as_ref()) {
                Some(t) => fields.template(t, "ResultWriter/Arguments")?,
                None => Data::empty_object(),
            };
            let text = |name: &str| {
                parameters
                    .get(name)
                    .and_then(Data::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let bucket = text("Bucket");
            let (succeeded, failures): (Vec<_>, Vec<_>) =
                results.into_iter().partition(|(_, r)| r.is_ok());
            let record = |(input, r): (Data, Result<Data, StatesError>)| -> Value {
                match r {
                    Ok(output) => {
                        json!({"Input": compact(&input), "Output": compact(&output), "Status": "SUCCEEDED"})
                    }
                    Err(e) => {
                        json!({"Input": compact(&input), "Error": e.error, "Cause": e.cause, "Status": "FAILED"})
                    }
                }
            };
            let succeeded: Vec<Value> = succeeded.into_iter().map(record).collect();
            let failures: Vec<Value> = failures.into_iter().map(record).collect();
            written = (succeeded.len() + failures.len()) as u64;
            let key = reader::write_results(
                shared.objects.as_deref(),
                &bucket,
                &text("Prefix"),
                &run_id,
                &map_run_arn,
                &succeeded,
                &failures,
            )
            .await;
            match key {
                Ok(key) => Ok(Data::from(json!({
                    "MapRunArn": map_run_arn,
                    "ResultWriterDetails": {"Bucket": bucket, "Key": key}
                }))),
                Err(e) => Err(e),
            }
        }
        _ => Ok(results
            .into_iter()
            .map(|(_, r)| r.unwrap_or_else(|e| e.to_error_output()))
            .collect()),
    };
    let now = shared.clock.now_millis();
    match &outcome {
        Ok(_) => {
            run.end(MapRunStatus::Succeeded, now, written);
            shared.emit(cursor, "MapRunSucceeded", Details::new());
        }
        Err(e) => {
            run.end(MapRunStatus::Failed, now, 0);
            shared.emit(cursor, "MapRunFailed", error_details(e));
        }
    };
    drop(aborted);
    outcome
}

/// Ends a Map Run with `status` when dropped, unless it already ended.
struct EndGuard<'a> {
    run: &'a MapRunEntry,
    shared: &'a Shared,
    status: MapRunStatus,
}

impl Drop for EndGuard<'_> {
    fn drop(&mut self) {
        self.run.end(self.status, self.shared.clock.now_millis(), 0);
    }
}

/// The child executions' inputs: read, selected, batched.
async fn map_run_inputs(
    visit: &Visit<'_>,
    s: &Map,
    items: Option<Vec<(Option<String>, Data)>>,
    fields: &Fields<'_>,
) -> Result<Vec<Data>, StatesError> {
    // With an ItemReader, the reader's items are the items: ItemsPath is not applied.
    let items = match (&s.item_reader, items) {
        (Some(r), _) => reader::read_items(r, fields, visit.shared.objects.as_deref())
            .await?
            .into_iter()
            .map(|v| (None, Data::from(v)))
            .collect(),
        (None, items) => items.unwrap_or_default(),
    };
    let inputs = iteration_inputs(s, items, fields)?;
    match &s.item_batcher {
        Some(batcher) => batch(inputs, batcher, fields),
        None => Ok(inputs),
    }
}

fn map_run_arn_child(shared: &Shared, sm_name: &str, label: &str, child_name: &str) -> String {
    format!(
        "arn:aws:states:{}:{}:execution:{sm_name}/{label}:{child_name}",
        shared.region(),
        shared.account()
    )
}

/// A child execution of a Map Run: its own context (`Execution.Input` is the item) and its
/// own history, which does not appear in the parent's.
fn child_execution(parent: &Shared, arn: &str, name: &str, input: &Data) -> Shared {
    let mut execution: Object = parent
        .execution
        .execution()
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| *key != "Input")
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    execution.insert("Id".into(), arn.into());
    execution.insert("Name".into(), name.into());
    execution.insert("Input".into(), input.clone());
    let execution = std::sync::Arc::new(crate::expr::context::ExecutionContext::given(
        Data::object(execution),
        parent.execution.state_machine().clone(),
        parent.region().to_string().into(),
        parent.account().to_string().into(),
    ));
    Shared {
        run_branch: parent.run_branch,
        clock: parent.clock.clone(),
        tasks: parent.tasks.clone(),
        callbacks: parent.callbacks.clone(),
        activities: parent.activities.clone(),
        history: History::new(false),
        execution,
        state_names: parent.state_names.clone(),
        task_resources: parent.task_resources.clone(),
        objects: parent.objects.clone(),
        default_language: parent.default_language,
        context_override: None,
        state_mock: None,
        variable_budget: Default::default(),
        durable: None,
        expression_limits: parent.expression_limits,
        map_runs: parent.map_runs.clone(),
    }
}
