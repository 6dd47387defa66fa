//! The console's pages and actions. Pages live at stable URLs: `/` (state machines and
//! activities), `/state-machines/{name}` (definition, graph, executions, a start form) and
//! `/executions/{executionArn}` (the ARN percent-encoded: graph with each state's status,
//! input and output, history, and the stop, redrive and task-token forms). `?fragment=1`
//! gives a page's `<main>` alone, which the script swaps in to keep it live.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use percent_encoding::percent_decode_str;
use serde_json::Value;
use stepfn::durable::{Engine, EngineError, StateMachineInfo};
use stepfn::store::{ExecutionQuery, RunStatus};
use stepfn_codegen::emit::graph::{svg_annotated, SvgAnnotations};
use stepfn_codegen::ExecutionType;

use super::progress::{enclosing, Progress};
use crate::percent::encode;

/// History events shown per page of an execution's history.
const EVENTS_PER_PAGE: usize = 250;
/// Executions shown per page of a state machine's list.
const EXECUTIONS_PER_PAGE: usize = 50;
/// The most executions counted per state machine on the home page.
const COUNT_LIMIT: usize = 10_000;

/// The statuses a graph's states take, in the legend's order.
const LEGEND: [(&str, &str); 7] = [
    ("SUCCEEDED", "succeeded"),
    ("RUNNING", "running or waiting"),
    ("FAILED", "failed"),
    ("CAUGHT", "failed, caught"),
    ("ABORTED", "aborted"),
    ("TIMED_OUT", "timed out"),
    ("NOT_RUN", "not run"),
];

/// A page's content, before its layout.
struct Page {
    title: String,
    /// Whether the script keeps refreshing it (an execution that runs, a list).
    live: bool,
    body: Markup,
}

/// Why a page or action could not be given.
struct Problem {
    status: StatusCode,
    message: String,
}

impl From<EngineError> for Problem {
    fn from(e: EngineError) -> Self {
        let status = match e.code() {
            "StateMachineDoesNotExist" | "ExecutionDoesNotExist" | "ResourceNotFound" => {
                StatusCode::NOT_FOUND
            }
            "InternalFailure" => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        Problem {
            status,
            message: format!("{}: {e}", e.code()),
        }
    }
}

fn not_found(what: &str) -> Problem {
    Problem {
        status: StatusCode::NOT_FOUND,
        message: format!("{what} does not exist"),
    }
}

/// A path segment's text (`%3A` and the like decoded).
fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

fn machine_url(name: &str) -> String {
    format!("/state-machines/{}", encode(name))
}

fn execution_url(arn: &str) -> String {
    format!("/executions/{}", encode(arn))
}

fn query_map(query: &str) -> HashMap<String, String> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn time(millis: i64) -> String {
    stepfn_codegen::format_rfc3339_millis(millis)
}

/// JSON text pretty-printed, or as it is when it is not JSON.
fn pretty(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

/// Answers a GET of `path`.
pub(super) fn page(engine: &Engine, path: &str, query: &str) -> Response {
    let query = query_map(query);
    let result = if path == "/" || path.is_empty() {
        home(engine)
    } else if let Some(name) = path.strip_prefix("/state-machines/") {
        machine_page(engine, &decode(name), &query)
    } else if let Some(arn) = path.strip_prefix("/executions/") {
        execution_page(engine, &decode(arn), &query)
    } else {
        Err(not_found(&format!("The page {path}")))
    };
    match result {
        Ok(page) => render(page, query.contains_key("fragment")),
        Err(problem) => problem_page(problem),
    }
}

fn layout(title: &str, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · stepfn" }
                link rel="stylesheet" href="/console/assets/console.css";
                script src="/console/assets/console.js" defer {}
            }
            body {
                header {
                    a.brand href="/" { "stepfn" }
                    span.subtitle { "local Step Functions" }
                }
                (main)
            }
        }
    }
}

fn render(page: Page, fragment: bool) -> Response {
    let body = page.body.into_string();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    let version = format!("{:x}", hasher.finish());
    let main = html! {
        main #live data-live=(page.live) data-version=(version) { (PreEscaped(&body)) }
    };
    let text = if fragment {
        main.into_string()
    } else {
        layout(&page.title, main).into_string()
    };
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

fn problem_page(problem: Problem) -> Response {
    let body = layout(
        "Error",
        html! {
            main #live data-live="false" {
                h1 { "Error" }
                p.error { (problem.message) }
                p { a href="/" { "Back to the state machines" } }
            }
        },
    );
    (
        problem.status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body.into_string(),
    )
        .into_response()
}

fn status_badge(status: &str) -> Markup {
    html! { span.badge data-status=(status) { (status) } }
}

/// How many executions of `machine` are in each status (at most [`COUNT_LIMIT`] looked at).
fn counts(
    engine: &Engine,
    machine: &StateMachineInfo,
) -> Result<(Vec<(String, usize)>, bool), Problem> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut query = ExecutionQuery {
        state_machine_arn: Some(machine.arn.clone()),
        max_results: 1000,
        ..Default::default()
    };
    let mut seen = 0;
    loop {
        let page = engine.list_executions(&query)?;
        for record in &page.items {
            let status = record.status.as_str();
            match counts.iter_mut().find(|(s, _)| s == status) {
                Some((_, n)) => *n += 1,
                None => counts.push((status.to_string(), 1)),
            }
        }
        seen += page.items.len();
        match page.next_token {
            Some(token) if seen < COUNT_LIMIT => query.next_token = Some(token),
            Some(_) => return Ok((counts, true)),
            None => return Ok((counts, false)),
        }
    }
}

fn home(engine: &Engine) -> Result<Page, Problem> {
    let machines = engine.list_state_machines()?;
    let activities = engine.list_activities()?;
    let mut rows = Vec::new();
    for machine in &machines {
        let (counted, more) = if machine.machine_type == ExecutionType::Standard {
            counts(engine, machine)?
        } else {
            (Vec::new(), false)
        };
        rows.push((machine, counted, more));
    }
    let body = html! {
        h1 { "State machines" }
        @if machines.is_empty() {
            p.empty { "No state machines yet: create one with the AWS CLI or an SDK (CreateStateMachine)." }
        } @else {
            table.list #machines {
                thead { tr { th { "Name" } th { "Type" } th { "Created" } th { "Executions" } } }
                tbody {
                    @for (machine, counted, more) in &rows {
                        tr data-machine=(machine.name) {
                            td { a href=(machine_url(&machine.name)) { (machine.name) } }
                            td { (machine.machine_type.as_str()) }
                            td { (time(machine.created_millis)) }
                            td.counts {
                                @if machine.machine_type == ExecutionType::Express {
                                    span.muted { "Express: not kept" }
                                } @else if counted.is_empty() {
                                    span.muted { "none" }
                                }
                                @for (status, n) in counted {
                                    span.count data-status=(status) { (status) " " (n) }
                                    " "
                                }
                                @if *more { span.muted { "(first " (COUNT_LIMIT) " counted)" } }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Activities" }
        @if activities.is_empty() {
            p.empty { "No activities." }
        } @else {
            table.list #activities {
                thead { tr { th { "Name" } th { "ARN" } th { "Created" } } }
                tbody {
                    @for activity in &activities {
                        tr { td { (activity.name) } td.arn { (activity.arn) } td { (time(activity.created_millis)) } }
                    }
                }
            }
        }
    };
    Ok(Page {
        title: "State machines".into(),
        live: true,
        body,
    })
}

fn find_machine(engine: &Engine, name: &str) -> Result<StateMachineInfo, Problem> {
    engine
        .list_state_machines()?
        .into_iter()
        .find(|m| m.name == name)
        .ok_or_else(|| not_found(&format!("The state machine '{name}'")))
}

fn machine_page(
    engine: &Engine,
    name: &str,
    query: &HashMap<String, String>,
) -> Result<Page, Problem> {
    let machine = find_machine(engine, name)?;
    let graph = stepfn_codegen::parse::from_str(&machine.definition)
        .map(|m| stepfn_codegen::emit::graph::svg(&m))
        .unwrap_or_default();
    let status = query.get("status").and_then(|s| RunStatus::parse(s));
    let executions = if machine.machine_type == ExecutionType::Standard {
        Some(engine.list_executions(&ExecutionQuery {
            state_machine_arn: Some(machine.arn.clone()),
            status,
            max_results: EXECUTIONS_PER_PAGE,
            next_token: query.get("next").cloned(),
        })?)
    } else {
        None
    };
    let older_url = |next: Option<&str>| {
        next.map(|next| {
            let mut url = format!("{}?next={}", machine_url(name), encode(next));
            if let Some(s) = status {
                url.push_str("&status=");
                url.push_str(s.as_str());
            }
            url
        })
    };
    let filter_url = |s: Option<&str>| match s {
        Some(s) => format!("{}?status={s}", machine_url(name)),
        None => machine_url(name),
    };
    let body = html! {
        p.crumbs { a href="/" { "State machines" } " / " }
        h1 { (machine.name) }
        dl.summary {
            dt { "ARN" } dd.arn { (machine.arn) }
            dt { "Type" } dd { (machine.machine_type.as_str()) }
            dt { "Created" } dd { (time(machine.created_millis)) }
            @if let Some(revision) = &machine.revision_id { dt { "Revision" } dd { (revision) } }
        }
        section.start {
            h2 { "Start an execution" }
            form.start method="post" action=(format!("{}/executions", machine_url(name))) {
                label { "Name (optional) " input type="text" name="name" maxlength="80"; }
                label { "Input (JSON)" textarea name="input" rows="5" data-json="true" { "{}" } }
                p.form-error hidden {}
                button type="submit" { "Start execution" }
            }
        }
        section.graph {
            h2 { "Graph" }
            div.graph { (PreEscaped(graph)) }
        }
        @if let Some(page) = &executions {
            section.executions {
                h2 { "Executions" }
                p.filters {
                    a href=(filter_url(None)) data-current=(status.is_none()) { "All" }
                    @for s in ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"] {
                        " " a href=(filter_url(Some(s))) data-current=(status.map(|x| x.as_str()) == Some(s)) { (s) }
                    }
                }
                @if page.items.is_empty() {
                    p.empty { "No executions." }
                } @else {
                    table.list #executions {
                        thead { tr { th { "Name" } th { "Status" } th { "Started" } th { "Ended" } } }
                        tbody {
                            @for record in &page.items {
                                tr data-execution=(record.name) {
                                    td { a href=(execution_url(&record.execution_arn)) { (record.name) } }
                                    td { (status_badge(record.status.as_str())) }
                                    td { (time(record.start_millis)) }
                                    td { @if let Some(stop) = record.stop_millis { (time(stop)) } }
                                }
                            }
                        }
                    }
                }
                @if let Some(url) = older_url(page.next_token.as_deref()) {
                    p.paging { a.next href=(url) { "Older executions →" } }
                }
            }
        } @else {
            p.muted { "Express executions run in memory and are not listed." }
        }
        section.definition {
            details {
                summary { "Definition" }
                pre { (pretty(&machine.definition)) }
            }
        }
    };
    Ok(Page {
        title: machine.name.clone(),
        live: true,
        body,
    })
}

/// Seconds since the epoch, as the history's timestamps give them, in milliseconds.
fn event_millis(event: &Value) -> i64 {
    (event["timestamp"].as_f64().unwrap_or(0.0) * 1000.0).round() as i64
}

fn execution_page(
    engine: &Engine,
    arn: &str,
    query: &HashMap<String, String>,
) -> Result<Page, Problem> {
    let record = engine.describe_execution(arn)?;
    let source = engine.execution_source(arn)?;
    let machine = stepfn_codegen::parse::from_str(&source.state_machine.definition).ok();
    let events = engine.full_execution_history(arn)?;
    let scopes = machine.as_ref().map(enclosing).unwrap_or_default();
    let progress = Progress::of(&events, &scopes);
    let mut notes = HashMap::new();
    for (state, counts) in &progress.iterations {
        notes.insert(
            state.clone(),
            format!(
                "{} ok · {} failed · {} running",
                counts.succeeded, counts.failed, counts.running
            ),
        );
    }
    for (state, run) in &progress.map_runs {
        if let Ok(run) = engine.describe_map_run(run) {
            let c = run.execution_counts;
            notes.insert(
                state.clone(),
                format!(
                    "{} ok · {} failed · {} running of {}",
                    c.succeeded,
                    c.failed + c.timed_out + c.aborted,
                    c.running + c.pending,
                    c.total
                ),
            );
        }
    }
    let graph = machine
        .as_ref()
        .map(|m| {
            svg_annotated(
                m,
                &SvgAnnotations {
                    status: progress.statuses(),
                    note: notes,
                    default_status: Some("NOT_RUN".into()),
                },
            )
        })
        .unwrap_or_default();
    let tokens = engine.tokens_of(arn);
    let running = record.status == RunStatus::Running;
    let redrivable = matches!(
        record.status,
        RunStatus::Failed | RunStatus::TimedOut | RunStatus::Aborted
    );
    let pages = events.len().div_ceil(EVENTS_PER_PAGE).max(1);
    let page_index = query
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(0)
        .min(pages - 1);
    let start = events
        .first()
        .map(event_millis)
        .unwrap_or(record.start_millis);
    let shown = events
        .iter()
        .skip(page_index * EVENTS_PER_PAGE)
        .take(EVENTS_PER_PAGE);
    let url = execution_url(arn);
    let page_url = |i: usize| format!("{url}?page={i}");
    let machine_name = &source.state_machine.name;
    let mut states: Vec<(&String, &super::progress::StateProgress)> =
        progress.states.iter().collect();
    states.sort_by_key(|(_, s)| s.entered_id);
    let body = html! {
        p.crumbs {
            a href="/" { "State machines" } " / "
            a href=(machine_url(machine_name)) { (machine_name) } " / "
        }
        h1 { (record.name) " " (status_badge(record.status.as_str())) }
        dl.summary {
            dt { "ARN" } dd.arn { (record.execution_arn) }
            dt { "Started" } dd { (time(record.start_millis)) }
            @if let Some(stop) = record.stop_millis { dt { "Ended" } dd { (time(stop)) } }
            @if record.redrive_count > 0 { dt { "Redriven" } dd { (record.redrive_count) " times" } }
            @if let Some(version) = &source.qualifiers.version_arn { dt { "Version" } dd.arn { (version) } }
            @if let Some(alias) = &source.qualifiers.alias_arn { dt { "Alias" } dd.arn { (alias) } }
        }
        @if running || redrivable {
            section.actions {
                @if running {
                    form.stop method="post" action=(format!("{url}/stop")) {
                        button type="submit" data-confirm="Stop this execution?" { "Stop" }
                    }
                }
                @if redrivable {
                    form.redrive method="post" action=(format!("{url}/redrive")) {
                        button type="submit" { "Redrive" }
                    }
                }
            }
        }
        @if !tokens.is_empty() {
            section.tokens {
                h2 { "Waiting for a callback" }
                @for (token, entered) in &tokens {
                    @let state = progress.owners.get(entered).cloned().unwrap_or_default();
                    div.token data-token-state=(state) {
                        p { "The state " strong { (state) } " waits for SendTaskSuccess or SendTaskFailure." }
                        form.success method="post" action=(format!("{url}/send-success")) {
                            input type="hidden" name="token" value=(token);
                            label { "Output (JSON)" textarea name="output" rows="3" data-json="true" { "{}" } }
                            p.form-error hidden {}
                            button type="submit" { "Send success" }
                        }
                        form.failure method="post" action=(format!("{url}/send-failure")) {
                            input type="hidden" name="token" value=(token);
                            label { "Error " input type="text" name="error" value="Console.Rejected"; }
                            label { "Cause " input type="text" name="cause"; }
                            button type="submit" { "Send failure" }
                        }
                    }
                }
            }
        }
        section.graph {
            h2 { "Graph" }
            ul.legend {
                @for (status, label) in LEGEND { li { span.swatch data-status=(status) {} (label) } }
            }
            div.split {
            div.graph data-clickable="true" { (PreEscaped(graph)) }
            aside.details-pane {
            p.muted { "Click a state for its input, output and error." }
            @for (name, state) in &states {
                section.state-details data-state-details=(name) hidden {
                    h3 { (name) " " (status_badge(state.status)) }
                    @if state.retries > 0 { p { "Retried " (state.retries) " times" } }
                    @if let Some(error) = &state.error { p.error { (error) @if let Some(cause) = &state.cause { ": " (cause) } } }
                    @if let Some(input) = &state.input { h4 { "Input" } pre { (pretty(input)) } }
                    @if let Some(output) = &state.output { h4 { "Output" } pre { (pretty(output)) } }
                }
            }
            }
            }
        }
        section.io {
            h2 { "Input and output" }
            h4 { "Input" } pre.input { (pretty(&record.input)) }
            @if let Some(output) = &record.output { h4 { "Output" } pre.output { (pretty(output)) } }
            @if let Some(error) = &record.error { h4 { "Error" } pre.error { (error) } }
            @if let Some(cause) = &record.cause { h4 { "Cause" } pre.cause { (cause) } }
        }
        section.history {
            h2 { "History " span.muted { "(" (events.len()) " events)" } }
            @if pages > 1 {
                p.paging {
                    @if page_index > 0 { a href=(page_url(0)) { "First" } " " a href=(page_url(page_index - 1)) { "← Earlier" } " " }
                    "Page " (page_index + 1) " of " (pages)
                    @if page_index + 1 < pages { " " a href=(page_url(page_index + 1)) { "Later →" } " " a href=(page_url(pages - 1)) { "Last" } }
                }
            }
            table.list #events {
                thead { tr { th { "ID" } th { "Type" } th { "Time" } th { "State" } th { "Details" } } }
                tbody {
                    @for event in shown {
                        @let id = event["id"].as_u64().unwrap_or(0);
                        tr data-event-type=(event["type"].as_str().unwrap_or_default()) {
                            td { (id) }
                            td { (event["type"].as_str().unwrap_or_default()) }
                            td { "+" (event_millis(event) - start) " ms" }
                            td { (progress.owners.get(&id).map(String::as_str).unwrap_or("")) }
                            td {
                                @if let Some(details) = super::progress::details(event) {
                                    details data-key=(id) {
                                        summary { "details" }
                                        pre { (serde_json::to_string_pretty(details).unwrap_or_default()) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Page {
        title: record.name.clone(),
        live: running,
        body,
    })
}

/// Answers a POST to `path` with the form `body`: an action, then back to the page.
pub(super) async fn act(engine: &Engine, path: &str, body: &[u8]) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    match perform(engine, path, &form).await {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)], "").into_response(),
        Err(problem) => problem_page(problem),
    }
}

async fn perform(
    engine: &Engine,
    path: &str,
    form: &HashMap<String, String>,
) -> Result<String, Problem> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let optional = |name: &str| form.get(name).filter(|v| !v.is_empty()).cloned();
    if let Some(rest) = path.strip_prefix("/state-machines/") {
        let Some(name) = rest.strip_suffix("/executions") else {
            return Err(not_found(&format!("The action {path}")));
        };
        let machine = find_machine(engine, &decode(name))?;
        let input = match field("input") {
            "" => "{}",
            text => text,
        };
        let started = engine
            .start_execution(&machine.arn, optional("name").as_deref(), input)
            .await?;
        return Ok(execution_url(&started.execution_arn));
    }
    let Some(rest) = path.strip_prefix("/executions/") else {
        return Err(not_found(&format!("The action {path}")));
    };
    let Some((arn, action)) = rest.rsplit_once('/') else {
        return Err(not_found(&format!("The action {path}")));
    };
    let arn = decode(arn);
    match action {
        "stop" => {
            engine.stop_execution(&arn, None, None).await?;
        }
        "redrive" => {
            engine.redrive_execution(&arn).await?;
        }
        "send-success" => {
            let output = match field("output") {
                "" => "{}",
                text => text,
            };
            engine.send_task_success(field("token"), output).await?;
        }
        "send-failure" => {
            engine
                .send_task_failure(field("token"), optional("error"), optional("cause"))
                .await?;
        }
        _ => return Err(not_found(&format!("The action {path}"))),
    }
    Ok(execution_url(&arn))
}
