use serde_json::Number;

use super::{
    Assign, Branch, Catcher, MaybeJsonata, Nullable, Path, QueryLanguage, Retrier, Template,
    Transition,
};

/// A Map state: runs its processor once per item, inline or as child executions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage`.
    pub query_language: Option<QueryLanguage>,
    /// `ItemProcessor`, or the legacy `Iterator` when `uses_iterator_field` is set.
    pub item_processor: Branch,
    /// `ItemProcessor.ProcessorConfig`.
    pub processor_config: Option<ProcessorConfig>,
    /// The document wrote the processor as the deprecated `Iterator`.
    pub uses_iterator_field: bool,
    /// `ItemsPath` (JSONPath).
    pub items_path: Option<Path>,
    /// `Items` (JSONata): an array literal or an expression.
    pub items: Option<Template>,
    /// `ItemSelector`.
    pub item_selector: Option<Template>,
    /// `Parameters` (JSONPath): the deprecated name of `ItemSelector`.
    pub parameters: Option<Template>,
    /// `ItemReader` (distributed).
    pub item_reader: Option<ItemReader>,
    /// `ItemBatcher` (distributed).
    pub item_batcher: Option<ItemBatcher>,
    /// `ResultWriter` (distributed).
    pub result_writer: Option<ResultWriter>,
    /// `MaxConcurrency` (0: no limit).
    pub max_concurrency: Option<MaybeJsonata<u64>>,
    /// `MaxConcurrencyPath` (JSONPath).
    pub max_concurrency_path: Option<Path>,
    /// `ToleratedFailureCount`.
    pub tolerated_failure_count: Option<MaybeJsonata<u64>>,
    /// `ToleratedFailureCountPath` (JSONPath).
    pub tolerated_failure_count_path: Option<Path>,
    /// `ToleratedFailurePercentage` (0 to 100), kept as written.
    pub tolerated_failure_percentage: Option<MaybeJsonata<Number>>,
    /// `ToleratedFailurePercentagePath` (JSONPath).
    pub tolerated_failure_percentage_path: Option<Path>,
    /// `Label`: the Map Run's label.
    pub label: Option<String>,
    /// `InputPath` (JSONPath).
    pub input_path: Option<Nullable<Path>>,
    /// `ResultSelector` (JSONPath).
    pub result_selector: Option<Template>,
    /// `ResultPath` (JSONPath).
    pub result_path: Option<Nullable<Path>>,
    /// `OutputPath` (JSONPath).
    pub output_path: Option<Nullable<Path>>,
    /// `Output` (JSONata).
    pub output: Option<Template>,
    /// `Assign`.
    pub assign: Option<Assign>,
    /// `Retry`.
    pub retry: Option<Vec<Retrier>>,
    /// `Catch`.
    pub catch: Option<Vec<Catcher>>,
    /// `Next` or `End`.
    pub transition: Transition,
}

impl Map {
    /// The processing mode: inline unless `ProcessorConfig.Mode` says `DISTRIBUTED`.
    pub fn mode(&self) -> ProcessorMode {
        self.processor_config
            .as_ref()
            .and_then(|c| c.mode)
            .unwrap_or_default()
    }
}

/// `ItemProcessor.ProcessorConfig`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessorConfig {
    /// `Mode`.
    pub mode: Option<ProcessorMode>,
    /// `ExecutionType` (distributed only).
    pub execution_type: Option<ExecutionType>,
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The value as written in ASL.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The value written `s`, if any.
            pub fn from_name(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }
    };
}

string_enum! {
    /// `ProcessorConfig.Mode`.
    #[derive(Default)]
    ProcessorMode {
        /// Iterations run inside the execution.
        #[default]
        Inline => "INLINE",
        /// Iterations run as child executions.
        Distributed => "DISTRIBUTED",
    }
}

string_enum! {
    /// `ProcessorConfig.ExecutionType` of a distributed Map's child executions.
    ExecutionType {
        /// Standard workflows.
        Standard => "STANDARD",
        /// Express workflows.
        Express => "EXPRESS",
    }
}

/// `ItemReader` of a distributed Map.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemReader {
    /// `Resource`: `arn:aws:states:::s3:getObject` or `...:s3:listObjectsV2`.
    pub resource: String,
    /// `Parameters` (JSONPath).
    pub parameters: Option<Template>,
    /// `Arguments` (JSONata).
    pub arguments: Option<Template>,
    /// `ReaderConfig`.
    pub reader_config: Option<ReaderConfig>,
}

/// `ItemReader.ReaderConfig`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReaderConfig {
    /// `InputType`.
    pub input_type: Option<InputType>,
    /// `CSVHeaderLocation`.
    pub csv_header_location: Option<CsvHeaderLocation>,
    /// `CSVHeaders`.
    pub csv_headers: Option<Vec<String>>,
    /// `CSVDelimiter`.
    pub csv_delimiter: Option<CsvDelimiter>,
    /// `MaxItems`.
    pub max_items: Option<MaybeJsonata<u64>>,
    /// `MaxItemsPath` (JSONPath).
    pub max_items_path: Option<Path>,
    /// `ItemsPointer`: a JSON pointer to the array inside the object read.
    pub items_pointer: Option<String>,
    /// `Transformation`.
    pub transformation: Option<ReaderTransformation>,
    /// `ManifestType`.
    pub manifest_type: Option<ManifestType>,
}

string_enum! {
    /// `ReaderConfig.InputType`.
    InputType {
        /// Comma (or other) separated values.
        Csv => "CSV",
        /// A JSON array.
        Json => "JSON",
        /// JSON Lines.
        Jsonl => "JSONL",
        /// Apache Parquet.
        Parquet => "PARQUET",
        /// An Athena or S3 inventory manifest.
        Manifest => "MANIFEST",
    }
}

string_enum! {
    /// `ReaderConfig.CSVHeaderLocation`.
    CsvHeaderLocation {
        /// The first row holds the headers.
        FirstRow => "FIRST_ROW",
        /// `CSVHeaders` gives them.
        Given => "GIVEN",
    }
}

string_enum! {
    /// `ReaderConfig.CSVDelimiter`.
    CsvDelimiter {
        /// `,`
        Comma => "COMMA",
        /// `|`
        Pipe => "PIPE",
        /// `;`
        Semicolon => "SEMICOLON",
        /// ` `
        Space => "SPACE",
        /// tab
        Tab => "TAB",
    }
}

string_enum! {
    /// `ReaderConfig.Transformation`.
    ReaderTransformation {
        /// Items are the listing's metadata.
        None => "NONE",
        /// Each listed object is read and its items flattened.
        LoadAndFlatten => "LOAD_AND_FLATTEN",
    }
}

string_enum! {
    /// `ReaderConfig.ManifestType`.
    ManifestType {
        /// An Athena UNLOAD manifest.
        AthenaData => "ATHENA_DATA",
        /// An S3 inventory manifest.
        S3Inventory => "S3_INVENTORY",
    }
}

/// `ItemBatcher` of a distributed Map.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch`.
    pub max_items_per_batch: Option<MaybeJsonata<u64>>,
    /// `MaxItemsPerBatchPath` (JSONPath).
    pub max_items_per_batch_path: Option<Path>,
    /// `MaxInputBytesPerBatch`.
    pub max_input_bytes_per_batch: Option<MaybeJsonata<u64>>,
    /// `MaxInputBytesPerBatchPath` (JSONPath).
    pub max_input_bytes_per_batch_path: Option<Path>,
    /// `BatchInput`: added to every batch.
    pub batch_input: Option<Template>,
}

/// `ResultWriter` of a distributed Map.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResultWriter {
    /// `Resource`: `arn:aws:states:::s3:putObject`.
    pub resource: Option<String>,
    /// `Parameters` (JSONPath).
    pub parameters: Option<Template>,
    /// `Arguments` (JSONata).
    pub arguments: Option<Template>,
    /// `WriterConfig`.
    pub writer_config: Option<WriterConfig>,
}

/// `ResultWriter.WriterConfig`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriterConfig {
    /// `OutputType`.
    pub output_type: Option<WriterOutputType>,
    /// `Transformation`.
    pub transformation: Option<WriterTransformation>,
}

string_enum! {
    /// `WriterConfig.OutputType`.
    WriterOutputType {
        /// One JSON array per file.
        Json => "JSON",
        /// JSON Lines.
        Jsonl => "JSONL",
    }
}

string_enum! {
    /// `WriterConfig.Transformation`.
    WriterTransformation {
        /// Child execution metadata and output.
        None => "NONE",
        /// Outputs only.
        Compact => "COMPACT",
        /// Outputs only, arrays flattened.
        Flatten => "FLATTEN",
    }
}
