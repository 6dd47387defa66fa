//! The top level, nested scopes, and each state type.

use serde_json::Value;

use super::fields::{Lang, Obj, A, B, P};
use super::template::kind_of;
use super::Decoder;
use crate::model::*;
use crate::Pointer;

/// Longest execution, task timeout and wait AWS accepts, in seconds.
const MAX_SECONDS: u64 = 99_999_999;
/// Longest `MaxDelaySeconds` of a retrier.
const MAX_DELAY_SECONDS: u64 = 31_622_401;
/// Longest Map Run label.
const MAX_LABEL: usize = 40;

const TRANSITION: [(&str, Lang); 2] = [("Next", B), ("End", B)];

impl Decoder {
    pub(crate) fn machine(&mut self, value: &Value) -> StateMachine {
        let Value::Object(map) = value else {
            self.report(&Pointer::root(), "Definition must be a valid JSON object");
            return StateMachine::default();
        };
        // The machine's language decides how every state is read, so it is read first.
        let mut obj = Obj {
            map,
            ptr: Pointer::root(),
            lang: QueryLanguage::JsonPath,
        };
        let query_language = self.query_language_field(&obj);
        self.machine_language = query_language.unwrap_or_default();
        obj.lang = self.machine_language;
        const FIELDS: &[(&str, Lang)] = &[
            ("Comment", B),
            ("StartAt", B),
            ("States", B),
            ("Version", B),
            ("TimeoutSeconds", B),
            ("QueryLanguage", B),
        ];
        self.check_fields(&obj, FIELDS, &["States", "StartAt"]);
        StateMachine {
            comment: self.string(&obj, "Comment"),
            start_at: self.string(&obj, "StartAt").unwrap_or_default(),
            states: self.states(&obj),
            version: self.string(&obj, "Version"),
            timeout_seconds: self.uint(&obj, "TimeoutSeconds", 1, MAX_SECONDS),
            query_language,
        }
    }

    fn query_language_field(&mut self, obj: &Obj<'_>) -> Option<QueryLanguage> {
        self.enum_field(
            obj,
            "QueryLanguage",
            &[QueryLanguage::JsonPath, QueryLanguage::Jsonata],
            QueryLanguage::as_str,
        )
    }

    fn states(&mut self, obj: &Obj<'_>) -> States {
        let mut out = States::default();
        let Some(v) = obj.get("States") else {
            return out;
        };
        let ptr = obj.at("States");
        let Some(map) = self.object(v, &ptr, "States") else {
            return out;
        };
        if map.is_empty() {
            self.report(&ptr, "Value cannot be empty");
        }
        for (name, state) in map {
            if let Some(state) = self.state(state, &ptr.key(name)) {
                out.insert(name.clone(), state);
            }
        }
        out
    }

    /// A nested scope: a Parallel branch or a Map processor.
    fn branch(
        &mut self,
        value: &Value,
        ptr: &Pointer,
        processor: bool,
    ) -> (Branch, Option<ProcessorConfig>) {
        let Some(map) = self.object(
            value,
            ptr,
            if processor {
                "ItemProcessor"
            } else {
                "A branch"
            },
        ) else {
            return (Branch::default(), None);
        };
        let obj = Obj {
            map,
            ptr: ptr.clone(),
            lang: self.machine_language,
        };
        let fields: &[(&str, Lang)] = if processor {
            &[
                ("Comment", B),
                ("StartAt", B),
                ("States", B),
                ("ProcessorConfig", B),
            ]
        } else {
            &[("Comment", B), ("StartAt", B), ("States", B)]
        };
        self.check_fields(&obj, fields, &["States", "StartAt"]);
        let config = obj
            .get("ProcessorConfig")
            .and_then(|v| self.processor_config(v, &obj.at("ProcessorConfig")));
        let branch = Branch {
            comment: self.string(&obj, "Comment"),
            start_at: self.string(&obj, "StartAt").unwrap_or_default(),
            states: self.states(&obj),
        };
        (branch, config)
    }

    fn processor_config(&mut self, value: &Value, ptr: &Pointer) -> Option<ProcessorConfig> {
        let map = self.object(value, ptr, "ProcessorConfig")?;
        let obj = Obj {
            map,
            ptr: ptr.clone(),
            lang: self.machine_language,
        };
        self.check_fields(&obj, &[("Mode", B), ("ExecutionType", B)], &[]);
        let mode = self.enum_field(&obj, "Mode", ProcessorMode::ALL, ProcessorMode::as_str);
        let execution_type = self.enum_field(
            &obj,
            "ExecutionType",
            ExecutionType::ALL,
            ExecutionType::as_str,
        );
        if mode == Some(ProcessorMode::Distributed) && !map.contains_key("ExecutionType") {
            self.report(ptr, "These fields are required: [ExecutionType]");
        }
        Some(ProcessorConfig {
            mode,
            execution_type,
        })
    }

    pub(crate) fn state(&mut self, value: &Value, ptr: &Pointer) -> Option<State> {
        let map = self.object(value, ptr, "A state")?;
        let mut obj = Obj {
            map,
            ptr: ptr.clone(),
            lang: self.machine_language,
        };
        let own_language = self.query_language_field(&obj);
        obj.lang = own_language.unwrap_or(self.machine_language);
        let state_type = match map.get("Type") {
            None => {
                self.report(ptr, "These fields are required: [Type]");
                return None;
            }
            Some(Value::String(t)) => StateType::from_name(t),
            Some(_) => None,
        };
        let Some(state_type) = state_type else {
            let names: Vec<&str> = StateType::ALL.iter().map(|t| t.as_str()).collect();
            self.report(
                &obj.at("Type"),
                format!(
                    "The field 'Type' should have one of these values: [{}]",
                    names.join(", ")
                ),
            );
            return None;
        };
        let comment = self.string(&obj, "Comment");
        let state = match state_type {
            StateType::Task => State::Task(self.task(&obj, comment, own_language)),
            StateType::Pass => State::Pass(self.pass(&obj, comment, own_language)),
            StateType::Choice => State::Choice(self.choice(&obj, comment, own_language)),
            StateType::Wait => State::Wait(self.wait(&obj, comment, own_language)),
            StateType::Succeed => State::Succeed(self.succeed(&obj, comment, own_language)),
            StateType::Fail => State::Fail(self.fail(&obj, comment, own_language)),
            StateType::Parallel => State::Parallel(self.parallel(&obj, comment, own_language)),
            StateType::Map => State::Map(self.map_state(&obj, comment, own_language)),
        };
        Some(state)
    }

    fn check_state_fields(
        &mut self,
        obj: &Obj<'_>,
        specific: &[(&str, Lang)],
        transition: bool,
        required: &[&str],
    ) {
        let mut allowed: Vec<(&str, Lang)> =
            vec![("Type", B), ("Comment", B), ("QueryLanguage", B)];
        allowed.extend_from_slice(specific);
        if transition {
            allowed.extend_from_slice(&TRANSITION);
        }
        self.check_fields(obj, &allowed, required);
    }

    fn transition(&mut self, obj: &Obj<'_>) -> Transition {
        let next = self.string(obj, "Next");
        let end = self.bool_field(obj, "End");
        match (next, end) {
            (Some(n), None) => Transition::Next(n),
            (None, Some(true)) => Transition::End,
            (Some(n), Some(_)) => {
                self.report(
                    &obj.ptr,
                    "The state must contain exactly one of 'Next' and 'End'",
                );
                Transition::Next(n)
            }
            (None, Some(false)) => {
                self.report(
                    &obj.at("End"),
                    "'End' must be true when present; use 'Next' to continue",
                );
                Transition::End
            }
            (None, None) => {
                if !obj.map.contains_key("Next") && !obj.map.contains_key("End") {
                    self.report(
                        &obj.ptr,
                        "The state must contain exactly one of 'Next' and 'End'",
                    );
                }
                Transition::End
            }
        }
    }

    fn io_paths(&mut self, obj: &Obj<'_>) -> (Option<Nullable<Path>>, Option<Nullable<Path>>) {
        (
            self.nullable_path(obj, "InputPath", false),
            self.nullable_path(obj, "OutputPath", false),
        )
    }

    fn result_path(&mut self, obj: &Obj<'_>) -> Option<Nullable<Path>> {
        let path = self.nullable_path(obj, "ResultPath", true)?;
        if let Nullable::Value(p) = &path {
            if *p.root() != PathRoot::Input {
                self.report(&obj.at("ResultPath"), "The value for the field 'ResultPath' must start with '$.' : it cannot reference the context object or a variable");
            }
        }
        Some(path)
    }

    fn task(
        &mut self,
        obj: &Obj<'_>,
        comment: Option<String>,
        query_language: Option<QueryLanguage>,
    ) -> Task {
        const FIELDS: &[(&str, Lang)] = &[
            ("Resource", B),
            ("Parameters", P),
            ("Arguments", A),
            ("InputPath", P),
            ("ResultSelector", P),
            ("ResultPath", P),
            ("OutputPath", P),
            ("Output", A),
            ("Assign", B),
            ("TimeoutSeconds", B),
            ("TimeoutSecondsPath", P),
            ("HeartbeatSeconds", B),
            ("HeartbeatSecondsPath", P),
            ("Credentials", B),
            ("Retry", B),
            ("Catch", B),
        ];
        self.check_state_fields(obj, FIELDS, true, &["Resource"]);
        self.at_most_one(obj, &["TimeoutSeconds", "TimeoutSecondsPath"]);
        self.at_most_one(obj, &["HeartbeatSeconds", "HeartbeatSecondsPath"]);
        let (input_path, output_path) = self.io_paths(obj);
        let resource = match obj.get("Resource") {
            Some(Value::String(s)) => {
                if let Some(why) = resource_problem(s) {
                    self.report(&obj.at("Resource"), why);
                }
                Resource::Uri(s.clone())
            }
            Some(other @ Value::Object(_)) => Resource::CloudFormation(other.clone()),
            Some(other) => {
                self.report(
                    &obj.at("Resource"),
                    format!(
                        "The field 'Resource' must be a string, found {}",
                        kind_of(other)
                    ),
                );
                Resource::default()
            }
            None => Resource::default(),
        };
        Task {
            comment,
            query_language,
            resource,
            parameters: self.template_field(obj, "Parameters"),
            arguments: self.template_field(obj, "Arguments"),
            input_path,
            result_selector: self.payload_template_field(obj, "ResultSelector"),
            result_path: self.result_path(obj),
            output_path,
            output: self.template_field(obj, "Output"),
            assign: self.assign_field(obj),
            timeout_seconds: self.uint_or_jsonata(obj, "TimeoutSeconds", 1, MAX_SECONDS),
            timeout_seconds_path: self.path(obj, "TimeoutSecondsPath", true),
            heartbeat_seconds: self.uint_or_jsonata(obj, "HeartbeatSeconds", 1, MAX_SECONDS),
            heartbeat_seconds_path: self.path(obj, "HeartbeatSecondsPath", true),
            credentials: self.template_field(obj, "Credentials"),
            retry: self.retry(obj),
            catch: self.catch(obj),
            transition: self.transition(obj),
        }
    }

    fn pass(
        &mut self,
        obj: &Obj<'_>,
        comment: Option<String>,
        query_language: Option<QueryLanguage>,
    ) -> Pass {
        const FIELDS: &[(&str, Lang)] = &[
            ("Result", P),
            ("Parameters", P),
            ("InputPath", P),
            ("ResultPath", P),
            ("OutputPath", P),
            ("Output", A),
            ("Assign", B),
        ];
        self.check_state_fields(obj, FIELDS, true, &[]);
        let (input_path, output_path) = self.io_paths(obj);
        Pass {
            comment,
            query_language,
            result: obj.get("Result").cloned(),
            parameters: self.template_field(obj, "Parameters"),
            input_path,
            result_path: self.result_path(obj),
            output_path,
            output: self.template_field(obj, "Output"),
            assign: self.assign_field(obj),
            transition: self.transition(obj),
        }
    }

    fn choice(
        &mut self,
        obj: &Obj<'_>,
        comment: Option<String>,
        query_language: Option<QueryLanguage>,
    ) -> Choice {
        const FIELDS: &[(&str, Lang)] = &[
            ("Choices", B),
            ("Default", B),
            ("InputPath", P),
            ("OutputPath", P),
            ("Output", A),
            ("Assign", B),
        ];
        self.check_state_fields(obj, FIELDS, false, &["Choices"]);
        let (input_path, output_path) = self.io_paths(obj);
        Choice {
            comment,
            query_language,
            choices: self.choice_rules(obj),
            default: self.string(obj, "Default"),
            input_path,
            output_path,
            output: self.template_field(obj, "Output"),
            assign: self.assign_field(obj),
        }
    }

    fn wait(
        &mut self,
        obj: &Obj<'_>,
        comment: Option<String>,
        query_language: Option<QueryLanguage>,
    ) -> Wait {
        const FIELDS: &[(&str, Lang)] = &[
            ("Seconds", B),
            ("Timestamp", B),
            ("SecondsPath", P),
            ("TimestampPath", P),
            ("InputPath", P),
            ("OutputPath", P),
            ("Output", A),
            ("Assign", B),
        ];
        self.check_state_fields(obj, FIELDS, true, &[]);
        let durations = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"];
        if durations
            .iter()
            .filter(|d| obj.map.contains_key(**d))
            .count()
            != 1
        {
            self.report(&obj.ptr, "The state must contain exactly one of [\"Seconds\", \"SecondsPath\", \"Timestamp\", \"TimestampPath\"]");
        }
        let timestamp = self.string_or_jsonata(obj, "Timestamp");
        if let Some(MaybeJsonata::Literal(t)) = &timestamp {
            if !is_rfc3339_timestamp(t) {
                self.report(
                    &obj.at("Timestamp"),
                    "String does not match RFC3339 timestamp",
                );
            }
        }
        let (input_path, output_path) = self.io_paths(obj);
        Wait {
            comment,
            query_language,
            seconds: self.uint_or_jsonata(obj, "Seconds", 0, MAX_SECONDS),
            timestamp,
            seconds_path: self.path(obj, "SecondsPath", true),
            timestamp_path: self.path(obj, "TimestampPath", true),
            input_path,
            output_path,
            output: self.template_field(obj, "Output"),
            assign: self.assign_field(obj),
            transition: self.transition(obj),
        }
    }

    fn succeed(
        &mut self,
        obj: &Obj<'_>,
        comment: Option<String>,
        query_language: Option<QueryLanguage>,
    ) -> Succeed {
        self.check_state_fields(
            obj,
            &[("InputPath", P), ("OutputPath", P), ("Output", A)],
            false,
            &[],
        );
        let (input_path, output_path) = self.io_paths(obj);
        Succeed {
            comment,
            query_language,
            input_path,
            output_path,
            output: self.template_field(obj, "Output"),
        }
    }

    fn fail(
        &mut self,
        obj: &Obj<'_>,
        comment: Option<String>,
        query_language: Option<QueryLanguage>,
    ) -> Fail {
        self.check_state_fields(
            obj,
            &[
                ("Error", B),
                ("ErrorPath", P),
                ("Cause", B),
                ("CausePath", P),
            ],
            false,
            &[],
        );
        self.at_most_one(obj, &["Error", "ErrorPath"]);
        self.at_most_one(obj, &["Cause", "CausePath"]);
        Fail {
            comment,
            query_language,
            error: self.string_or_jsonata(obj, "Error"),
            error_path: self.query_field(obj, "ErrorPath"),
            cause: self.string_or_jsonata(obj, "Cause"),
            cause_path: self.query_field(obj, "CausePath"),
        }
    }

    fn parallel(
        &mut self,
        obj: &Obj<'_>,
        comment: Option<String>,
        query_language: Option<QueryLanguage>,
    ) -> Parallel {
        const FIELDS: &[(&str, Lang)] = &[
            ("Branches", B),
            ("Parameters", P),
            ("Arguments", A),
            ("InputPath", P),
            ("ResultSelector", P),
            ("ResultPath", P),
            ("OutputPath", P),
            ("Output", A),
            ("Assign", B),
            ("Retry", B),
            ("Catch", B),
        ];
        self.check_state_fields(obj, FIELDS, true, &["Branches"]);
        let mut branches = Vec::new();
        if let Some(v) = obj.get("Branches") {
            let ptr = obj.at("Branches");
            match v {
                Value::Array(items) if items.is_empty() => {
                    self.report(&ptr, "Value cannot be empty")
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        branches.push(self.branch(item, &ptr.index(i), false).0);
                    }
                }
                other => self.report(
                    &ptr,
                    format!(
                        "The field 'Branches' must be an array, found {}",
                        kind_of(other)
                    ),
                ),
            }
        }
        let (input_path, output_path) = self.io_paths(obj);
        Parallel {
            comment,
            query_language,
            branches,
            parameters: self.template_field(obj, "Parameters"),
            arguments: self.template_field(obj, "Arguments"),
            input_path,
            result_selector: self.payload_template_field(obj, "ResultSelector"),
            result_path: self.result_path(obj),
            output_path,
            output: self.template_field(obj, "Output"),
            assign: self.assign_field(obj),
            retry: self.retry(obj),
            catch: self.catch(obj),
            transition: self.transition(obj),
        }
    }

    fn map_state(
        &mut self,
        obj: &Obj<'_>,
        comment: Option<String>,
        query_language: Option<QueryLanguage>,
    ) -> Map {
        const FIELDS: &[(&str, Lang)] = &[
            ("ItemProcessor", B),
            ("Iterator", B),
            ("ItemsPath", P),
            ("Items", A),
            ("ItemSelector", B),
            ("Parameters", P),
            ("ItemReader", B),
            ("ItemBatcher", B),
            ("ResultWriter", B),
            ("MaxConcurrency", B),
            ("MaxConcurrencyPath", P),
            ("ToleratedFailureCount", B),
            ("ToleratedFailureCountPath", P),
            ("ToleratedFailurePercentage", B),
            ("ToleratedFailurePercentagePath", P),
            ("Label", B),
            ("InputPath", P),
            ("ResultSelector", P),
            ("ResultPath", P),
            ("OutputPath", P),
            ("Output", A),
            ("Assign", B),
            ("Retry", B),
            ("Catch", B),
        ];
        self.check_state_fields(obj, FIELDS, true, &[]);
        for pair in [
            ["ItemSelector", "Parameters"],
            ["ItemsPath", "Items"],
            ["MaxConcurrency", "MaxConcurrencyPath"],
            ["ToleratedFailureCount", "ToleratedFailureCountPath"],
            [
                "ToleratedFailurePercentage",
                "ToleratedFailurePercentagePath",
            ],
        ] {
            self.at_most_one(obj, &pair);
        }
        let uses_iterator_field =
            obj.map.contains_key("Iterator") && !obj.map.contains_key("ItemProcessor");
        let (item_processor, processor_config) =
            match (obj.get("ItemProcessor"), obj.get("Iterator")) {
                (Some(p), None) => self.branch(p, &obj.at("ItemProcessor"), true),
                (None, Some(p)) => self.branch(p, &obj.at("Iterator"), true),
                (Some(p), Some(_)) => {
                    self.report(
                        &obj.ptr,
                        "The object may have only one of [\"ItemProcessor\", \"Iterator\"]",
                    );
                    self.branch(p, &obj.at("ItemProcessor"), true)
                }
                (None, None) => {
                    self.report(&obj.ptr, "These fields are required: [ItemProcessor]");
                    (Branch::default(), None)
                }
            };
        let label = self.string(obj, "Label");
        if let Some(label) = &label {
            if let Some(why) = label_problem(label) {
                self.report(&obj.at("Label"), why);
            }
        }
        let (input_path, output_path) = self.io_paths(obj);
        Map {
            comment,
            query_language,
            item_processor,
            processor_config,
            uses_iterator_field,
            items_path: self.path(obj, "ItemsPath", true),
            items: self.template_field(obj, "Items"),
            item_selector: self.template_field(obj, "ItemSelector"),
            parameters: self.template_field(obj, "Parameters"),
            item_reader: self.item_reader(obj),
            item_batcher: self.item_batcher(obj),
            result_writer: self.result_writer(obj),
            max_concurrency: self.uint_or_jsonata(obj, "MaxConcurrency", 0, u64::from(u32::MAX)),
            max_concurrency_path: self.path(obj, "MaxConcurrencyPath", true),
            tolerated_failure_count: self.uint_or_jsonata(
                obj,
                "ToleratedFailureCount",
                0,
                u64::from(u32::MAX),
            ),
            tolerated_failure_count_path: self.path(obj, "ToleratedFailureCountPath", true),
            tolerated_failure_percentage: self.number_or_jsonata(
                obj,
                "ToleratedFailurePercentage",
                0.0,
                100.0,
            ),
            tolerated_failure_percentage_path: self.path(
                obj,
                "ToleratedFailurePercentagePath",
                true,
            ),
            label,
            input_path,
            result_selector: self.payload_template_field(obj, "ResultSelector"),
            result_path: self.result_path(obj),
            output_path,
            output: self.template_field(obj, "Output"),
            assign: self.assign_field(obj),
            retry: self.retry(obj),
            catch: self.catch(obj),
            transition: self.transition(obj),
        }
    }

    fn sub_object<'v>(&mut self, obj: &Obj<'v>, name: &str) -> Option<Obj<'v>> {
        let v = obj.get(name)?;
        let ptr = obj.at(name);
        let map = self.object(v, &ptr, name)?;
        Some(Obj {
            map,
            ptr,
            lang: obj.lang,
        })
    }

    fn item_reader(&mut self, obj: &Obj<'_>) -> Option<ItemReader> {
        let reader = self.sub_object(obj, "ItemReader")?;
        self.check_fields(
            &reader,
            &[
                ("Resource", B),
                ("Parameters", P),
                ("Arguments", A),
                ("ReaderConfig", B),
            ],
            &["Resource"],
        );
        let reader_config = self.sub_object(&reader, "ReaderConfig").map(|config| {
            const FIELDS: &[(&str, Lang)] = &[
                ("InputType", B),
                ("CSVHeaderLocation", B),
                ("CSVHeaders", B),
                ("CSVDelimiter", B),
                ("MaxItems", B),
                ("MaxItemsPath", P),
                ("ItemsPointer", B),
                ("Transformation", B),
                ("ManifestType", B),
            ];
            self.check_fields(&config, FIELDS, &[]);
            self.at_most_one(&config, &["MaxItems", "MaxItemsPath"]);
            ReaderConfig {
                input_type: self.enum_field(
                    &config,
                    "InputType",
                    InputType::ALL,
                    InputType::as_str,
                ),
                csv_header_location: self.enum_field(
                    &config,
                    "CSVHeaderLocation",
                    CsvHeaderLocation::ALL,
                    CsvHeaderLocation::as_str,
                ),
                csv_headers: self.string_list(&config, "CSVHeaders", false),
                csv_delimiter: self.enum_field(
                    &config,
                    "CSVDelimiter",
                    CsvDelimiter::ALL,
                    CsvDelimiter::as_str,
                ),
                max_items: self.uint_or_jsonata(&config, "MaxItems", 0, 100_000_000),
                max_items_path: self.path(&config, "MaxItemsPath", true),
                items_pointer: self.string(&config, "ItemsPointer"),
                transformation: self.enum_field(
                    &config,
                    "Transformation",
                    ReaderTransformation::ALL,
                    ReaderTransformation::as_str,
                ),
                manifest_type: self.enum_field(
                    &config,
                    "ManifestType",
                    ManifestType::ALL,
                    ManifestType::as_str,
                ),
            }
        });
        Some(ItemReader {
            resource: self.string(&reader, "Resource").unwrap_or_default(),
            parameters: self.template_field(&reader, "Parameters"),
            arguments: self.template_field(&reader, "Arguments"),
            reader_config,
        })
    }

    fn item_batcher(&mut self, obj: &Obj<'_>) -> Option<ItemBatcher> {
        let batcher = self.sub_object(obj, "ItemBatcher")?;
        const FIELDS: &[(&str, Lang)] = &[
            ("MaxItemsPerBatch", B),
            ("MaxItemsPerBatchPath", P),
            ("MaxInputBytesPerBatch", B),
            ("MaxInputBytesPerBatchPath", P),
            ("BatchInput", B),
        ];
        self.check_fields(&batcher, FIELDS, &[]);
        self.at_most_one(&batcher, &["MaxItemsPerBatch", "MaxItemsPerBatchPath"]);
        self.at_most_one(
            &batcher,
            &["MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"],
        );
        if !FIELDS[..4]
            .iter()
            .any(|(f, _)| batcher.map.contains_key(*f))
        {
            self.report(
                &batcher.ptr,
                "The ItemBatcher must contain at least one of [\"MaxItemsPerBatch\", \"MaxItemsPerBatchPath\", \"MaxInputBytesPerBatch\", \"MaxInputBytesPerBatchPath\"]",
            );
        }
        Some(ItemBatcher {
            max_items_per_batch: self.uint_or_jsonata(
                &batcher,
                "MaxItemsPerBatch",
                1,
                u64::from(u32::MAX),
            ),
            max_items_per_batch_path: self.path(&batcher, "MaxItemsPerBatchPath", true),
            max_input_bytes_per_batch: self.uint_or_jsonata(
                &batcher,
                "MaxInputBytesPerBatch",
                1,
                262_144,
            ),
            max_input_bytes_per_batch_path: self.path(&batcher, "MaxInputBytesPerBatchPath", true),
            batch_input: self.template_field(&batcher, "BatchInput"),
        })
    }

    fn result_writer(&mut self, obj: &Obj<'_>) -> Option<ResultWriter> {
        let writer = self.sub_object(obj, "ResultWriter")?;
        self.check_fields(
            &writer,
            &[
                ("Resource", B),
                ("Parameters", P),
                ("Arguments", A),
                ("WriterConfig", B),
            ],
            &[],
        );
        if writer.map.is_empty() {
            self.report(&writer.ptr, "The ResultWriter must contain a 'WriterConfig', or a 'Resource' with its parameters");
        }
        let writer_config = self.sub_object(&writer, "WriterConfig").map(|config| {
            self.check_fields(&config, &[("OutputType", B), ("Transformation", B)], &[]);
            WriterConfig {
                output_type: self.enum_field(
                    &config,
                    "OutputType",
                    WriterOutputType::ALL,
                    WriterOutputType::as_str,
                ),
                transformation: self.enum_field(
                    &config,
                    "Transformation",
                    WriterTransformation::ALL,
                    WriterTransformation::as_str,
                ),
            }
        });
        Some(ResultWriter {
            resource: self.string(&writer, "Resource"),
            parameters: self.template_field(&writer, "Parameters"),
            arguments: self.template_field(&writer, "Arguments"),
            writer_config,
        })
    }

    fn handler_list<T>(
        &mut self,
        obj: &Obj<'_>,
        name: &str,
        mut one: impl FnMut(&mut Self, &Obj<'_>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let v = obj.get(name)?;
        let ptr = obj.at(name);
        let Value::Array(items) = v else {
            self.report(&ptr, format!("The field '{name}' must be an array"));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = ptr.index(i);
            if let Some(map) = self.object(item, &at, &format!("Each element of '{name}'")) {
                if let Some(t) = one(
                    self,
                    &Obj {
                        map,
                        ptr: at,
                        lang: obj.lang,
                    },
                ) {
                    out.push(t);
                }
            }
        }
        Some(out)
    }

    fn retry(&mut self, obj: &Obj<'_>) -> Option<Vec<Retrier>> {
        self.handler_list(obj, "Retry", |d, r| {
            const FIELDS: &[(&str, Lang)] = &[
                ("ErrorEquals", B),
                ("IntervalSeconds", B),
                ("MaxAttempts", B),
                ("BackoffRate", B),
                ("MaxDelaySeconds", B),
                ("JitterStrategy", B),
                ("Comment", B),
            ];
            d.check_fields(r, FIELDS, &["ErrorEquals"]);
            Some(Retrier {
                comment: d.string(r, "Comment"),
                error_equals: d.string_list(r, "ErrorEquals", true).unwrap_or_default(),
                interval_seconds: d.uint(r, "IntervalSeconds", 1, MAX_SECONDS),
                max_attempts: d.uint(r, "MaxAttempts", 0, MAX_SECONDS),
                backoff_rate: d.number(r, "BackoffRate", 1.0, f64::MAX),
                max_delay_seconds: d.uint(r, "MaxDelaySeconds", 1, MAX_DELAY_SECONDS),
                jitter_strategy: d.enum_field(
                    r,
                    "JitterStrategy",
                    &[JitterStrategy::Full, JitterStrategy::None],
                    JitterStrategy::as_str,
                ),
            })
        })
    }

    fn catch(&mut self, obj: &Obj<'_>) -> Option<Vec<Catcher>> {
        self.handler_list(obj, "Catch", |d, c| {
            const FIELDS: &[(&str, Lang)] = &[
                ("ErrorEquals", B),
                ("Next", B),
                ("ResultPath", P),
                ("Output", A),
                ("Assign", B),
                ("Comment", B),
            ];
            d.check_fields(c, FIELDS, &["ErrorEquals", "Next"]);
            Some(Catcher {
                comment: d.string(c, "Comment"),
                error_equals: d.string_list(c, "ErrorEquals", true).unwrap_or_default(),
                next: d.string(c, "Next").unwrap_or_default(),
                result_path: d.result_path(c),
                output: d.template_field(c, "Output"),
                assign: d.assign_field(c),
            })
        })
    }
}

/// What is wrong with a Map Run label, in the words AWS uses.
fn label_problem(label: &str) -> Option<String> {
    if label.is_empty() {
        return Some("Label cannot be empty".to_string());
    }
    if label.chars().count() > MAX_LABEL {
        return Some(format!("Label cannot exceed {MAX_LABEL} characters"));
    }
    let bad = label
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || "?*<>{}[]:;,\\|^~$#%&`\"".contains(c))?;
    Some(format!(
        "Label contains invalid character: {}",
        show_char(bad)
    ))
}

/// A character quoted the way AWS's messages quote it: `'\t'`, `'\x9f'`, `'\\'`.
fn show_char(c: char) -> String {
    match c {
        '\t' => "'\\t'".to_string(),
        '\n' => "'\\n'".to_string(),
        '\r' => "'\\r'".to_string(),
        '\\' => "'\\\\'".to_string(),
        c if c.is_control() && (c as u32) < 0x100 => format!("'\\x{:02x}'", c as u32),
        c => format!("'{c}'"),
    }
}

/// Problems AWS reports for a Task `Resource` before anything runs.
fn resource_problem(resource: &str) -> Option<String> {
    if let Some(start) = resource.find("${") {
        if !resource[start..].contains('}') {
            return Some(format!(
                "The resource '{resource}' has an unterminated '${{' placeholder"
            ));
        }
        return None;
    }
    let parts: Vec<&str> = resource.splitn(7, ':').collect();
    if parts.len() >= 6 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" {
        let rest = parts.get(6).copied().unwrap_or_default();
        let (name, qualifier) = match rest.split_once(':') {
            Some((n, q)) => (n, Some(q)),
            None => (rest, None),
        };
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let qualifier_ok = qualifier.is_none_or(|q| {
            !q.is_empty()
                && q.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$')
        });
        if !name_ok || !qualifier_ok {
            return Some(format!("The resource provided {resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."));
        }
    }
    if parts.len() >= 6
        && parts[0] == "arn"
        && parts[2] == "states"
        && parts[3].is_empty()
        && parts[4].is_empty()
    {
        let service_action = parts[5..].join(":");
        if !crate::validate::is_known_integration(&service_action) {
            return Some(format!("The resource provided {resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."));
        }
    }
    None
}
