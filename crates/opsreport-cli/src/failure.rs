//! A failure with the exit code it maps to.

use std::fmt::Display;

/// Exit code 1: some accounts failed (the others were written).
pub const EXIT_SOME_FAILED: u8 = 1;
/// Exit code 2: bad usage, bad configuration or invalid input data.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code 3: a source or sink failed (AWS, disk).
pub const EXIT_SOURCE_OR_SINK: u8 = 3;

/// An error and the exit code it ends the process with.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// What went wrong, with context.
    pub error: anyhow::Error,
}

impl Failure {
    /// Bad usage, configuration or input data (exit 2).
    pub fn bad_input(error: impl Into<anyhow::Error>) -> Self {
        Self { code: EXIT_BAD_INPUT, error: error.into() }
    }

    /// A source or sink failure (exit 3).
    pub fn source_or_sink(error: impl Into<anyhow::Error>) -> Self {
        Self { code: EXIT_SOURCE_OR_SINK, error: error.into() }
    }

    /// The exit code an extract error maps to.
    pub fn from_extract(error: opsreport_extract::ExtractError) -> Self {
        if error.is_bad_input() { Self::bad_input(error) } else { Self::source_or_sink(error) }
    }

    /// Adds context to the message.
    pub fn context(self, context: impl Display + Send + Sync + 'static) -> Self {
        Self { code: self.code, error: self.error.context(context) }
    }
}

/// Result of a subcommand: the exit code on success.
pub type Outcome = Result<u8, Failure>;
