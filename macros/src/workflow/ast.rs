//! What a `workflow!` block says, as parsed: names keep their spans for every error.

use super::context::ContextField;
use super::intrinsic::Intrinsic;
use proc_macro2::Span;
use syn::{Attribute, Expr, Ident, Lit, LitStr, Path, Type, Visibility};

/// The whole block.
pub struct Workflow {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub input: Type,
    pub output: Type,
    /// `timeout = "5m";` (TimeoutSeconds of the execution).
    pub timeout: Option<u64>,
    /// `query_language = jsonata;`: emit JSONata states instead of JSONPath ones.
    pub jsonata: bool,
    pub body: Body,
}

/// A list of states with its start: the machine, a Parallel branch, a Map's processor.
pub struct Body {
    /// Where the body's braces are, for errors about the body as a whole.
    pub span: Span,
    pub start: Option<Ident>,
    pub states: Vec<StateDef>,
}

/// `Name: kind ...;`
pub struct StateDef {
    pub name: Ident,
    pub comment: Option<String>,
    pub kind: Kind,
    /// `assign(name = .path, ...)`: workflow variables set from the state's result (Task,
    /// Parallel, Map, Pass with a result) or input (the others).
    pub assign: Vec<(Ident, FieldPath)>,
}

/// Where a state goes: a state, or the end of its body.
pub enum Target {
    State(Ident),
    End(Span),
}

/// Each state type.
pub enum Kind {
    Task {
        /// The task's marker type, written `(path)`: a parenthesised type, so that a name that is
        /// a plain function rather than a `#[task]` gives rustc's one "expected type" error
        /// wherever the expansion names it (a bare path in generic arguments would give a
        /// second one, about constants).
        task: syn::Type,
        /// `input = .a.b` (InputPath): the task takes that part of the state's input (or of a
        /// variable, or of the execution's input).
        input: Option<TaskInput>,
        /// `result_path = .a` (ResultPath): the result goes into the state's input there.
        result_path: Option<FieldPath>,
        /// `parameters = T { .. }`: the task's input built from the state's input.
        parameters: Option<StructTemplate>,
        /// `result_selector = T { .. }`: the result reshaped before `result_path`.
        result_selector: Option<StructTemplate>,
        /// `output = .a as T` (OutputPath): the part of the output passed on, and its type.
        output: Option<(FieldPath, Type)>,
        next: Target,
        handling: Handling,
    },
    Pass {
        ty: Option<Type>,
        result: Option<Expr>,
        /// `parameters = T { .. }`: the output built from the input.
        parameters: Option<StructTemplate>,
        next: Target,
    },
    Wait {
        wait: WaitFor,
        next: Target,
    },
    Succeed,
    Fail {
        error: Option<LitStr>,
        cause: Option<LitStr>,
    },
    Choice {
        ty: Option<Type>,
        rules: Vec<Rule>,
        default: Option<Ident>,
    },
    Parallel {
        ty: Option<Type>,
        branches: Vec<Body>,
        /// `parallel(result_path = .a, output = .b as T)`: as a Task's.
        shape: Box<Shape>,
        next: Target,
        handling: Handling,
    },
    Map {
        item: Type,
        items: Option<FieldPath>,
        /// `items = $name.field`: the items from a variable instead.
        items_variable: Option<(Ident, FieldPath)>,
        /// `item_selector = T { a: .f, b: item.g, i: index }`: each iteration's input.
        item_selector: Option<StructTemplate>,
        /// `max_items_per_batch = N`: iterations take batches (`stepfn::ItemBatch<Item>`).
        batch: Option<u64>,
        /// `batch_input = T { .. }`: what every batch carries besides its items
        /// (`stepfn::ItemBatch<Item, T>`).
        batch_input: Option<StructTemplate>,
        max_concurrency: Option<u64>,
        distributed: Option<Distributed>,
        body: Box<Body>,
        /// `result_path = .a`, `output = .b as T`: as a Task's.
        shape: Box<Shape>,
        next: Target,
        handling: Handling,
    },
}

/// Where a Parallel's or Map's result goes (ResultPath) and what part is passed on
/// (OutputPath, with its type), as a Task's.
#[derive(Default)]
pub struct Shape {
    /// `result_selector = T { .. }`: built from the raw result.
    pub result_selector: Option<StructTemplate>,
    pub result_path: Option<FieldPath>,
    pub output: Option<(FieldPath, Type)>,
}

/// A Distributed Map's settings.
#[derive(Default)]
pub struct Distributed {
    /// `reader = s3_json("bucket", "key")`: the ItemReader.
    pub reader: Option<Reader>,
    pub tolerated_failure_percentage: Option<f64>,
    pub tolerated_failure_count: Option<u64>,
    /// `writer = s3("bucket", "prefix")`: the ResultWriter's bucket and prefix.
    pub writer: Option<(LitStr, LitStr)>,
}

/// A Distributed Map's ItemReader: `s3_json`, `s3_jsonl`, `s3_csv` or `s3_manifest` of a
/// bucket and key, with its options.
pub struct Reader {
    /// `JSON`, `JSONL`, `CSV` or `MANIFEST`.
    pub input_type: &'static str,
    pub bucket: LitStr,
    pub key: LitStr,
    /// `headers = ["a", "b"]` (CSVHeaders, GIVEN); absent: the first row (FIRST_ROW).
    pub csv_headers: Option<Vec<LitStr>>,
    /// `delimiter = pipe`: `COMMA`, `PIPE`, `SEMICOLON`, `SPACE` or `TAB`.
    pub csv_delimiter: Option<&'static str>,
    /// `max_items = N` (MaxItems).
    pub max_items: Option<u64>,
}

/// `Type { field: .path, other: "literal" }`: a payload template written as the struct it
/// builds, so rustc checks every field.
pub struct StructTemplate {
    pub ty: Path,
    pub fields: Vec<(Ident, TemplateValue)>,
    /// `..` at the end: the members not written are left out (`Option`s, `None`).
    pub rest: bool,
}

/// One field of a [`StructTemplate`].
pub enum TemplateValue {
    Path(FieldPath),
    Literal(Lit),
    /// `item.a.b` in a Map's `item_selector`: a field of the current item.
    Item(FieldPath),
    /// `index` in a Map's `item_selector`: the item's position.
    Index(Ident),
    /// `$total`, `$order.id`: a workflow variable (or a field of it), as a state assigned it.
    Variable {
        name: Ident,
        path: FieldPath,
    },
    /// `format("Order {}", .id)`, `uuid()`...: an intrinsic function's result.
    Call(Box<Call>),
    /// `Body { a: .x, b: "y" }`: a nested object, itself a struct template.
    Struct(Box<StructTemplate>),
    /// `context.execution.id`, `context.task.token`...: a field of the context object.
    Context(&'static ContextField, Span),
    /// `Some(value)`: an optional member given a value.
    Some(Box<TemplateValue>, Span),
    /// `[a, b]`: an array of values.
    Array(Vec<TemplateValue>, Span),
}

/// How long a Wait state waits.
pub enum WaitFor {
    Seconds(u64),
    Until(LitStr),
    /// `wait for .seconds` (SecondsPath).
    SecondsField(FieldPath),
    /// `wait until .when` (TimestampPath).
    UntilField(FieldPath),
}

/// Retry and Catch of a Task, Parallel or Map state.
#[derive(Default)]
pub struct Handling {
    pub retry: Vec<Retry>,
    pub catch: Vec<Catch>,
}

/// An entry of `ErrorEquals`.
pub enum ErrorRef {
    /// `States::ALL`, `States::Timeout`...: the ASL name `States.<ident>`.
    States(Ident),
    /// A variant of the task's error enum.
    Variant(Path),
}

pub struct Retry {
    pub errors: Vec<ErrorRef>,
    pub interval: Option<u64>,
    pub max_attempts: Option<u64>,
    pub backoff: Option<f64>,
    pub max_delay: Option<u64>,
    pub jitter_full: bool,
}

pub struct Catch {
    pub errors: Vec<ErrorRef>,
    pub next: Ident,
    /// `(result_path = .error)`: the Error Output goes into the state's input there.
    pub result_path: Option<FieldPath>,
}

/// Where a task's `input` (InputPath) reads.
pub enum TaskInput {
    /// `.a.b`: the state's input.
    Field(FieldPath),
    /// `$name.a`: a variable.
    Variable(Ident, FieldPath),
    /// `context.execution.input.a`: the execution's input.
    ExecutionInput(FieldPath),
}

/// `.a.b`: a path into a state's input.
#[derive(Clone)]
pub struct FieldPath {
    pub fields: Vec<Ident>,
}

/// `when <condition> => Next`.
pub struct Rule {
    pub condition: Condition,
    pub next: Ident,
}

/// A Choice rule's test.
pub enum Condition {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    Compare {
        /// `$name` before the path: the path is into that variable, not the state's input.
        variable: Option<Ident>,
        /// `context.execution.input` before the path: the path is into the execution's input
        /// (where `context` was written).
        execution_input: Option<Span>,
        path: FieldPath,
        op: CompareOp,
        value: Lit,
    },
    /// `.status == Status::Shipped` (or `!=`): a field compared with an enum variant, which
    /// serde writes as a string.
    Variant {
        path: FieldPath,
        negate: bool,
        variant: Path,
    },
    /// `is_present(.a)`, `is_null(.a)`, `matches(.a, "x*")`...
    Test {
        function: Ident,
        path: FieldPath,
        pattern: Option<LitStr>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// `name(args...)` in a template.
pub struct Call {
    pub function: &'static Intrinsic,
    pub name: Ident,
    pub args: Vec<TemplateValue>,
    /// The parentheses, for errors about the arguments as a whole.
    pub span: Span,
}
