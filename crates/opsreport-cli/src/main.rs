//! `opsreport`: the one binary. It parses flags, reads the configuration, runs a subcommand and
//! maps every failure to the exit codes of the CLI contract (0 ok, 1 some accounts failed,
//! 2 bad usage, configuration or input data, 3 a source or sink failed).
//!
//! Only this crate reads the environment, prints, and decides exit codes.

// Extract errors carry the dataset, file, column and row they name; they occur once per failed
// load, so their size does not matter (the same allowance as in opsreport-extract).
#![allow(clippy::result_large_err)]

mod aws;
mod choice;
mod commands;
mod console;
mod failure;
mod fleet;
mod logging;
mod memory;
mod output;
mod pipeline;
mod s3;
mod settings;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::failure::Failure;

/// Monthly service performance reports for managed-service accounts.
#[derive(Parser, Debug)]
#[command(name = "opsreport", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Configuration file (TOML). Default: ./opsreport.toml when it exists, else built-in defaults.
    #[arg(long, global = true, env = "OPSREPORT_CONFIG", value_name = "FILE")]
    config: Option<std::path::PathBuf>,

    /// Log lines on stderr: `human`, or `json` (one object per line, with span durations, for
    /// CloudWatch). Which events: OPSREPORT_LOG (filter syntax, e.g. `debug`).
    #[arg(long, global = true, env = "OPSREPORT_LOG_FORMAT", value_enum, default_value = "human")]
    log_format: logging::LogFormat,

    /// Folders of fallback fonts for scripts Inter does not draw (Chinese, Japanese, Korean,
    /// Arabic, Hebrew, Thai, Devanagari): Noto Sans CJK, Noto Sans Arabic, … in regular and bold.
    /// Several are separated by `:`; an empty value means none. Default: /usr/share/fonts and
    /// /usr/local/share/fonts.
    #[arg(long, global = true, env = "OPSREPORT_FONT_DIR", value_name = "DIR[:DIR…]", allow_hyphen_values = true)]
    font_dir: Option<std::ffi::OsString>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The main job: write each selected account's monthly report (PDF, metrics.json, tables, manifest).
    Generate(commands::generate::GenerateArgs),
    /// Check a dataset root against the data contract and print a per-dataset summary.
    Validate(commands::validate::ValidateArgs),
    /// Compute every metric of one account's report and print it as metrics.json.
    Metrics(commands::metrics::MetricsArgs),
    /// Write a deterministic synthetic dataset in the contract's layout.
    Fixtures(commands::fixtures::FixturesArgs),
    /// Measure speed and memory per stage on generated data (run a release build from the repository root).
    Bench(commands::bench::BenchArgs),
    /// The web console: see reports, edit notes, regenerate, preview and send (see docs/console.md).
    Serve(console::ServeArgs),
    /// Work with the report template (export it with one report's inputs for the typst CLI).
    Template(commands::template::TemplateArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    logging::init(cli.log_format);
    if let Some(folders) = &cli.font_dir {
        opsreport_render::fonts::use_folders(
            std::env::split_paths(folders).filter(|folder| !folder.as_os_str().is_empty()).collect(),
        );
    }
    let result = settings::load_config(cli.config.as_deref()).and_then(|config| match cli.command {
        Command::Generate(args) => commands::generate::run(&config, args, cli.log_format),
        Command::Template(args) => commands::template::run(&config, args),
        Command::Validate(args) => commands::validate::run(&config, args),
        Command::Metrics(args) => commands::metrics::run(&config, args),
        Command::Fixtures(args) => commands::fixtures::run(args),
        Command::Bench(args) => commands::bench::run(&config, args),
        Command::Serve(args) => console::run(&config, args),
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure { code, error }) => {
            tracing::error!("{error:#}");
            ExitCode::from(code)
        }
    }
}
