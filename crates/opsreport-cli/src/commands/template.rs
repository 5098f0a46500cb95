//! `opsreport template export`: the template with one report's inputs beside it, so the official
//! `typst` CLI builds the same report:
//! `typst compile --ignore-system-fonts --font-path DIR/fonts DIR/report.typ`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use opsreport_model::Config;
use opsreport_render::{Layout, PdfFlavour, ReportInput};

use crate::commands::generate::{Selection, resolve};
use crate::failure::{Failure, Outcome};
use crate::output::write_atomically;
use crate::pipeline;
use crate::settings;

/// `opsreport template …`.
#[derive(Args, Debug)]
pub struct TemplateArgs {
    #[command(subcommand)]
    command: TemplateCommand,
}

#[derive(Subcommand, Debug)]
enum TemplateCommand {
    /// Write the template, its fonts and one report's data and charts into a folder.
    Export(ExportArgs),
}

#[derive(Args, Debug)]
struct ExportArgs {
    #[command(flatten)]
    selection: Selection,
    /// Folder to write into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Runs `opsreport template export`.
pub fn run(config: &Config, args: TemplateArgs) -> Outcome {
    let TemplateCommand::Export(args) = args.command;
    let resolved = resolve(config, &args.selection)?;
    let Some(account) = resolved.accounts.first() else {
        return Err(Failure::bad_input(anyhow::anyhow!("no account selected")));
    };
    let data = resolved.source.load_account(account, &resolved.period).map_err(Failure::from_extract)?;
    let metrics = pipeline::metrics(&data, config, resolved.generated_on)?;
    let logo = settings::logo(config)?;
    let input = ReportInput {
        metrics: &metrics,
        notes: data.notes.as_ref(),
        config,
        logo,
        flavour: PdfFlavour::Standard,
        layout: Layout::Document,
    };
    let (files, _, _) = opsreport_render::template_inputs(&input).map_err(Failure::source_or_sink)?;
    let write = |relative: &str, bytes: &[u8]| {
        write_atomically(&args.out.join(relative), bytes).map_err(|error| {
            Failure::source_or_sink(anyhow::anyhow!("cannot write {}: {error}", args.out.join(relative).display()))
        })
    };
    for (name, bytes) in opsreport_render::template_sources() {
        let relative = if name.ends_with(".otf") { format!("fonts/{name}") } else { name.to_owned() };
        write(&relative, bytes)?;
    }
    for (name, bytes) in &files {
        write(name, bytes)?;
    }
    // The fallback fonts this report draws text with (a name in Japanese, …), so the official CLI
    // finds the same fonts in fonts/.
    let fallback = opsreport_render::fallback_fonts_used(&files, resolved.generated_on, Layout::Document)
        .map_err(Failure::source_or_sink)?;
    for (name, bytes) in &fallback {
        write(&format!("fonts/{name}"), bytes)?;
    }
    println!(
        "wrote the template and the inputs of account {account}, {} to {}; build the document (or slides.typ, the deck) with:\n  typst compile --ignore-system-fonts --font-path {}/fonts --creation-timestamp {} {}/report.typ",
        resolved.period.label(),
        args.out.display(),
        args.out.display(),
        resolved.generated_on.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0),
        args.out.display()
    );
    Ok(0)
}
