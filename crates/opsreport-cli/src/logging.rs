//! Logs on stderr, never mixed with data on stdout: `tracing` events and spans, either as plain
//! lines for a person (`error: …`, `warning: …`, info without a prefix) or as one JSON object
//! per line for CloudWatch (`--log-format json`), where every span's close event carries its
//! duration (`time.busy`, `time.idle`), and every event the fields of its spans (`spans`:
//! `account_id`, `month`, then the stage).
//!
//! While a progress bar is on screen, log lines are printed above it (the bar is suspended for
//! the write), so neither garbles the other.

use std::fmt;
use std::io::Write;
use std::sync::Mutex;

use clap::ValueEnum;
use indicatif::ProgressBar;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{FmtSpan, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// `--log-format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Plain lines for a terminal.
    #[default]
    Human,
    /// One JSON object per line, with span durations (for CloudWatch Logs).
    Json,
}

/// The variable that overrides which events are logged (`tracing` filter syntax, e.g.
/// `debug` or `opsreport_extract=debug`).
pub const FILTER_VARIABLE: &str = "OPSREPORT_LOG";

/// What is logged when [`FILTER_VARIABLE`] is unset: the job's own information, and only
/// warnings from the libraries under it (the AWS SDK, Polars, Typst).
const DEFAULT_FILTER: &str = "warn,opsreport=info,opsreport_extract=info";

/// The progress bar on screen, if any: log lines are written around it.
static PROGRESS: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Installs the global subscriber. A filter that does not parse is named and the default used.
pub fn init(format: LogFormat) {
    let (filter, filter_error) = match std::env::var(FILTER_VARIABLE) {
        Ok(text) if !text.trim().is_empty() => match EnvFilter::try_new(&text) {
            Ok(filter) => (filter, None),
            Err(error) => (
                EnvFilter::new(DEFAULT_FILTER),
                Some(format!("{FILTER_VARIABLE}={text:?} is not a log filter ({error}); using {DEFAULT_FILTER:?}")),
            ),
        },
        _ => (EnvFilter::new(DEFAULT_FILTER), None),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(StderrAroundProgress);
    let installed = match format {
        LogFormat::Human => builder.event_format(HumanLines).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .with_span_events(FmtSpan::CLOSE)
            .try_init(),
    };
    // A second initialisation (only possible in tests) keeps the first subscriber.
    drop(installed);
    if let Some(message) = filter_error {
        tracing::warn!("{message}");
    }
}

/// Shows `bar` until [`hide_progress`]; log lines go above it meanwhile.
pub fn show_progress(bar: ProgressBar) {
    *PROGRESS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(bar);
}

/// Removes the progress bar from the screen.
pub fn hide_progress() {
    if let Some(bar) = PROGRESS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take() {
        bar.finish_and_clear();
    }
}

/// Writes `text` to stderr as one piece, above the progress bar when there is one.
pub fn write_stderr(text: &[u8]) {
    let progress = PROGRESS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
    let write = || {
        let mut stderr = std::io::stderr().lock();
        // Nowhere to report a failed write to stderr.
        let _ = stderr.write_all(text);
        let _ = stderr.flush();
    };
    match progress {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

/// The subscriber's writer: each event is collected and written whole by [`write_stderr`].
struct StderrAroundProgress;

/// One event's text, written when the formatter drops it.
struct EventBuffer(Vec<u8>);

impl Write for EventBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventBuffer {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            write_stderr(&self.0);
        }
    }
}

impl<'a> MakeWriter<'a> for StderrAroundProgress {
    type Writer = EventBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        EventBuffer(Vec::with_capacity(256))
    }
}

/// Plain lines: `error: message key=value …`, `warning: …`, information without a prefix.
/// The fields of the enclosing spans are left out: messages name their account themselves.
struct HumanLines;

impl<S, N> FormatEvent<S, N> for HumanLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, context: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let prefix = match *event.metadata().level() {
            Level::ERROR => "error: ",
            Level::WARN => "warning: ",
            Level::INFO => "",
            Level::DEBUG => "debug: ",
            Level::TRACE => "trace: ",
        };
        write!(writer, "{prefix}")?;
        context.format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
