//! Errors of the extract stage: each names the dataset, the file and the column or row at
//! fault, and says what to do about it.

use std::path::PathBuf;

use opsreport_model::DatasetName;

/// What an error is about: one of the contract's datasets, the notes, or an Athena run as a
/// whole (its `UNLOAD` clean-up, a query that fails for all datasets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A dataset.
    Dataset(DatasetName),
    /// The notes files.
    Notes,
    /// The Athena run.
    Athena,
}

impl From<DatasetName> for Subject {
    fn from(dataset: DatasetName) -> Self {
        Subject::Dataset(dataset)
    }
}

impl From<&DatasetName> for Subject {
    fn from(dataset: &DatasetName) -> Self {
        Subject::Dataset(*dataset)
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Subject::Dataset(dataset) => dataset.as_str(),
            Subject::Notes => "notes",
            Subject::Athena => "athena",
        })
    }
}

/// Result with [`ExtractError`].
pub type Result<T, E = ExtractError> = std::result::Result<T, E>;

/// Why a dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The dataset root is missing.
    #[error("source folder {} does not exist or is not a folder: pass --source with the folder that holds the dataset folders (incidents/, alerts/, …)", path.display())]
    RootNotFound {
        /// The root given.
        path: PathBuf,
    },
    /// Listing or opening failed at the operating-system level.
    #[error("dataset {dataset}: cannot read {}: {source}", path.display())]
    Io {
        /// Dataset (or `notes`).
        dataset: Subject,
        /// Path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Something in the dataset tree the layout has no place for (a misspelt partition folder,
    /// a file outside a month folder, a folder or special file among the data files): it would
    /// otherwise be skipped without a word.
    #[error("dataset {dataset}: {} {reason}", path.display())]
    UnexpectedEntry {
        /// Dataset.
        dataset: Subject,
        /// The entry.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A partition folder whose account id is not 12 digits.
    #[error("dataset {dataset}: partition folder {} does not hold a valid account id ({reason}); rename it aws_account_id=<12 digits>", path.display())]
    InvalidPartition {
        /// Dataset.
        dataset: Subject,
        /// The folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Not a Parquet file, truncated, or otherwise unreadable.
    #[error(
        "dataset {dataset}, file {file}: not a readable Parquet file ({reason}); re-export the file or move it out of the dataset folder"
    )]
    UnreadableFile {
        /// Dataset.
        dataset: Subject,
        /// File, relative to the source root.
        file: String,
        /// What the reader said.
        reason: String,
    },
    /// A required column is absent.
    #[error(
        "dataset {dataset}, file {file}: required column `{column}` is missing; add it (see docs/data-contract.md for the {dataset} columns)"
    )]
    MissingColumn {
        /// Dataset.
        dataset: Subject,
        /// File.
        file: String,
        /// Column.
        column: String,
    },
    /// A column whose type cannot be cast losslessly to the contract's type.
    #[error(
        "dataset {dataset}, file {file}: column `{column}` has type {found} but the contract says {expected}; write it as {expected} (see docs/data-contract.md)"
    )]
    WrongType {
        /// Dataset.
        dataset: Subject,
        /// File.
        file: String,
        /// Column.
        column: String,
        /// The type found.
        found: String,
        /// The contract's type.
        expected: String,
    },
    /// A required column with no value in any row of a file.
    #[error(
        "dataset {dataset}, file {file}: required column `{column}` is null in all {rows} rows; fill it or fix the export that wrote the file"
    )]
    AllNull {
        /// Dataset.
        dataset: Subject,
        /// File.
        file: String,
        /// Column.
        column: String,
        /// Rows in the file.
        rows: u64,
    },
    /// A row whose `aws_account_id` is not the partition's account.
    #[error(
        "dataset {dataset}, file {file}, row {row}: aws_account_id {found:?} does not match the partition's account {expected}; a file must only hold rows of the account in its folder name"
    )]
    AccountMismatch {
        /// Dataset.
        dataset: Subject,
        /// File.
        file: String,
        /// Row (0-based, within the file).
        row: u64,
        /// The value in the row.
        found: String,
        /// The account of the partition.
        expected: String,
    },
    /// A row that breaks one of the contract's row rules (an impossible value).
    #[error("dataset {dataset}, file {file}, row {row}: {problem}; fix the row at its source and export it again (or remove it)")]
    ImplausibleValue {
        /// Dataset.
        dataset: Subject,
        /// File.
        file: String,
        /// Row (0-based, within the file).
        row: u64,
        /// The column whose value is impossible.
        column: String,
        /// What is wrong, with the values.
        problem: String,
    },
    /// A row filed under the wrong `month=` folder.
    #[error(
        "dataset {dataset}, file {file}, row {row}: `{column}` = {value} is outside the file's partition month={month} (the UTC month of `{column}`); move the row to the partition of its own month"
    )]
    OutsidePartition {
        /// Dataset.
        dataset: Subject,
        /// File.
        file: String,
        /// Row (0-based, within the file).
        row: u64,
        /// The partition column.
        column: String,
        /// Its value in that row.
        value: String,
        /// The folder's month.
        month: String,
    },
    /// Rows with the same key but different values.
    #[error(
        "dataset {dataset}: {key} {value} appears {count} times with different values (files {files}); keep one row per {key}"
    )]
    ConflictingDuplicates {
        /// Dataset.
        dataset: Subject,
        /// Key columns, comma-separated.
        key: String,
        /// The key's value.
        value: String,
        /// Rows with that key.
        count: u64,
        /// Files holding them.
        files: String,
    },
    /// A notes file that is not valid.
    #[error("{0}; fix the file (see docs/notes.md)")]
    Notes(#[from] opsreport_model::notes::NotesError),
    /// An Athena or S3 setting that cannot work (exit code 2: fix the configuration).
    #[error("{key}: {reason}")]
    AthenaSetting {
        /// The configuration key and its environment variable.
        key: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// An Athena API call failed after the SDK's retries.
    #[error(
        "dataset {dataset}: Athena {operation} failed: {reason}; check the credentials, region, endpoint (AWS_ENDPOINT_URL_ATHENA), workgroup and database"
    )]
    Athena {
        /// Dataset (or `accounts`).
        dataset: Subject,
        /// The API operation.
        operation: String,
        /// What the SDK said.
        reason: String,
    },
    /// A query that ended `FAILED` or `CANCELLED`.
    #[error(
        "dataset {dataset}: Athena query {query_execution_id} ended {state}: {reason}; check the table (queries/ddl/{dataset}.sql) and the query (queries/{dataset}.sql), then re-run"
    )]
    QueryFailed {
        /// Dataset.
        dataset: Subject,
        /// Athena's id of the execution.
        query_execution_id: String,
        /// `FAILED` or `CANCELLED`.
        state: String,
        /// Athena's `StateChangeReason` (and error message).
        reason: String,
    },
    /// The run deadline passed while queries were still running.
    #[error(
        "Athena did not finish within the run deadline of {seconds} s (still waiting for: {pending}); the queries were stopped — raise athena.deadline_seconds or check the workgroup's queue, then re-run"
    )]
    Deadline {
        /// The deadline.
        seconds: u64,
        /// Datasets not finished.
        pending: String,
    },
    /// An S3 call of the source failed after the SDK's retries.
    #[error(
        "dataset {dataset}: cannot {operation} {uri}: {reason}; check the bucket, the credentials and the endpoint (AWS_ENDPOINT_URL_S3)"
    )]
    S3 {
        /// Dataset (or `notes`, `accounts`).
        dataset: Subject,
        /// What was being done.
        operation: String,
        /// The object or prefix.
        uri: String,
        /// What the SDK said.
        reason: String,
    },
    /// A query result value that does not parse as the type Athena declared for its column.
    #[error(
        "dataset {dataset}, Athena query {query_execution_id}, result row {row}: column `{column}` of type {athena_type} holds {value:?}, which cannot be read; check the table's column type (queries/ddl/{dataset}.sql)"
    )]
    ResultValue {
        /// Dataset.
        dataset: Subject,
        /// Athena's id of the execution.
        query_execution_id: String,
        /// Row of the result (0-based, header excluded).
        row: u64,
        /// Column.
        column: String,
        /// Athena's type name.
        athena_type: String,
        /// The text.
        value: String,
    },
    /// A value of a real-format export (text) that does not parse as its contract column's type.
    #[error(
        "dataset {dataset}, file {file}, line {line}: column `{column}` holds {value:?}, which is not {expected}; fix the export or map the value in [datasets.{dataset}.values.{contract_column}] (see docs/sources.md)"
    )]
    BadText {
        /// Dataset.
        dataset: Subject,
        /// File (or result part).
        file: String,
        /// Line of the file (1-based; for JSON lines and CSV the text line, header included) or
        /// row of a result.
        line: u64,
        /// The source column.
        column: String,
        /// The contract column it maps to.
        contract_column: String,
        /// The text found (at most 64 characters).
        value: String,
        /// What was expected, in words.
        expected: String,
    },
    /// A real-format file that is not in its format at all (not JSON lines, not CSV, not Parquet).
    #[error(
        "dataset {dataset}, file {file}: not readable as {format} ({reason}); check `format` in [datasets.{dataset}] (docs/sources.md)"
    )]
    BadExport {
        /// Dataset.
        dataset: Subject,
        /// File.
        file: String,
        /// The configured format.
        format: String,
        /// What is wrong, with the line where there is one.
        reason: String,
    },
    /// An account cell of a real export that is not an AWS account id.
    #[error(
        "dataset {dataset}, file {file}, line {line}: `{column}` = {value:?} is not an AWS account id (12 digits); a spreadsheet may have written it as a number: export the column as text"
    )]
    BadAccountId {
        /// Dataset.
        dataset: Subject,
        /// File (or result part).
        file: String,
        /// Line of the file (or row of a result).
        line: u64,
        /// The source column.
        column: String,
        /// The value found (at most 64 characters).
        value: String,
    },
    /// A row of a shared export whose second account column names another account.
    #[error(
        "dataset {dataset}, file {file}, line {line}: `{column}` = {value:?} names another account than the row's account column ({expected}); a row belongs to one account: fix the export"
    )]
    ForeignRow {
        /// Dataset.
        dataset: Subject,
        /// File.
        file: String,
        /// Line of the file.
        line: u64,
        /// The column (a spelling of `aws_account_id`).
        column: String,
        /// The value found.
        value: String,
        /// The account of the row.
        expected: String,
    },
    /// An input file (or one account's input) larger than `[limits]` allows.
    #[error(
        "dataset {dataset}, file {file}: {what} is {size} bytes, more than the {limit} bytes `[limits] {key}` allows; split the export or raise the limit (docs/sources.md)"
    )]
    InputTooLarge {
        /// Dataset.
        dataset: Subject,
        /// File.
        file: String,
        /// What was measured, in words.
        what: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
        /// The configuration key of the limit.
        key: &'static str,
    },
    /// A symbolic link in an account's input that leads out of the folder it was found in
    /// (possibly into another account's partition): refused, never read as the account's own.
    #[error(
        "dataset {dataset}: {} is a symbolic link to {}, outside {}; an account's input is read only from its own folder: copy the data there or remove the link", path.display(), target.display(), within.display()
    )]
    LinkOutside {
        /// Dataset.
        dataset: Subject,
        /// The link.
        path: PathBuf,
        /// Where it leads.
        target: PathBuf,
        /// The folder it must stay inside.
        within: PathBuf,
    },
    /// A configured source that cannot be used as configured.
    #[error("[datasets.{dataset}]: {reason}")]
    SourceSetting {
        /// Dataset.
        dataset: Subject,
        /// What is wrong and what to do.
        reason: String,
    },
    /// Polars failed while combining validated data (a bug or resource problem, not bad data).
    #[error("dataset {dataset}: {reason}")]
    Engine {
        /// Dataset.
        dataset: Subject,
        /// Polars' message.
        reason: String,
    },
}

impl ExtractError {
    /// True when the input data, notes or settings are at fault (exit code 2); false for IO
    /// and AWS problems of the source itself (exit code 3).
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            ExtractError::Io { .. }
                | ExtractError::Engine { .. }
                | ExtractError::Athena { .. }
                | ExtractError::QueryFailed { .. }
                | ExtractError::Deadline { .. }
                | ExtractError::S3 { .. }
                | ExtractError::ResultValue { .. }
                | ExtractError::LinkOutside { .. }
        )
    }
}
