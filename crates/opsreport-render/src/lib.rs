//! The render stage: `Metrics` (plus notes and branding) in, PDF bytes out.
//!
//! Charts are drawn with plotters into SVG strings, the view model is serialised to JSON, and
//! both are handed to the Typst template in `report-templates/` as in-memory files of a
//! [`world::ReportWorld`]; the PDF is exported with a fixed document date and a stable document
//! id, so the same inputs give the same bytes. The same files can be written next to the template
//! (`template_files`) so the official `typst` CLI builds the same report.

pub mod chart;
pub mod charts;
pub mod fonts;
pub mod format;
pub mod preview;
pub mod text;
pub mod view;
pub mod world;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use opsreport_model::Config;
use opsreport_model::metrics::Metrics;
use opsreport_model::notes::Notes;
use typst::diag::SourceDiagnostic;
use typst::foundations::{Datetime, Smart};
use typst::layout::Point;
use typst::model::Document;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use view::Table;

/// Why a report could not be rendered (a template or export problem, never bad data).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The template did not compile.
    #[error("the report template failed to compile: {0}")]
    Compile(String),
    /// The PDF export failed.
    #[error("PDF export failed: {0}")]
    Export(String),
    /// The view model could not be serialised.
    #[error("cannot serialise the report data: {0}")]
    Json(#[from] serde_json::Error),
}

/// PDF flavour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PdfFlavour {
    /// Plain PDF 1.7.
    #[default]
    Standard,
    /// PDF/A-2b for archiving.
    A2b,
}

/// How the material is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// The A4 document (`report-templates/report.typ`).
    #[default]
    Document,
    /// The 16:9 deck for the meeting screen (`report-templates/slides.typ`).
    Slides,
}

impl Layout {
    /// The PDF's file name in a report folder that holds both layouts (alone, either is
    /// `report.pdf`).
    pub fn file_name(self) -> &'static str {
        match self {
            Layout::Document => "report.pdf",
            Layout::Slides => "slides.pdf",
        }
    }

    /// The main template file.
    pub fn template(self) -> &'static str {
        match self {
            Layout::Document => "report.typ",
            Layout::Slides => "slides.typ",
        }
    }

    /// `document` or `slides`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Document => "document",
            Layout::Slides => "slides",
        }
    }
}

/// Everything one report is rendered from.
pub struct ReportInput<'a> {
    /// The metrics.
    pub metrics: &'a Metrics,
    /// The notes for the month, if any.
    pub notes: Option<&'a Notes>,
    /// Configuration (branding and targets).
    pub config: &'a Config,
    /// A logo as (file extension, bytes), from the branding settings.
    pub logo: Option<(String, Vec<u8>)>,
    /// PDF flavour.
    pub flavour: PdfFlavour,
    /// Document or slides.
    pub layout: Layout,
}

/// Time spent per rendering stage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RenderTimings {
    /// Drawing the charts.
    pub charts: Duration,
    /// Typst layout.
    pub compile: Duration,
    /// PDF export.
    pub export: Duration,
}

/// A rendered report.
pub struct Rendered {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// The report's tables (for `tables/*.csv`).
    pub tables: Vec<Table>,
    /// The template's input files (`data/report.json`, `charts/*.svg`, the logo).
    pub inputs: BTreeMap<String, Vec<u8>>,
    /// Typst warnings (a finished report has none).
    pub warnings: Vec<String>,
    /// Pages in the PDF.
    pub pages: usize,
    /// Where the time went.
    pub timings: RenderTimings,
}

/// Parses fonts and the Typst library once, ahead of the first report.
pub fn warm_up() {
    world::warm_up();
}

/// The template's input files by path (`data/report.json`, `charts/*.svg`, `assets/logo.*`), the
/// report's tables, and the time spent drawing charts.
pub type TemplateInputs = (BTreeMap<String, Vec<u8>>, Vec<Table>, Duration);

/// The template's input files for a report: the JSON view model, the chart SVGs and the logo.
pub fn template_inputs(input: &ReportInput) -> Result<TemplateInputs, RenderError> {
    let started = Instant::now();
    let charts = charts::draw(input.metrics, &charts::Targets::of(input.config));
    let chart_time = started.elapsed();
    let logo_name = input.logo.as_ref().map(|(extension, _)| format!("assets/logo.{extension}"));
    let view_input = view::ViewInput {
        metrics: input.metrics,
        notes: input.notes,
        branding: &input.config.branding,
        sla_target_pct: input.config.sla.adherence_target_pct,
        patch_target_pct: input.config.patching.compliance_target_pct,
        backup_target_pct: input.config.backups.success_target_pct,
        rfc_target_pct: input.config.rfcs.success_target_pct,
        logo: logo_name.clone(),
    };
    let (mut data, tables) = view::build(&view_input, &charts);
    text::make_printable(&mut data);
    let mut files = BTreeMap::new();
    files.insert("data/report.json".to_owned(), serde_json::to_vec_pretty(&data)?);
    for (chart, svg) in charts.svgs {
        files.insert(format!("charts/{}.svg", chart.name()), svg.into_bytes());
    }
    if let (Some(name), Some((_, bytes))) = (logo_name, &input.logo) {
        files.insert(name, bytes.clone());
    }
    Ok((files, tables, chart_time))
}

/// The template files themselves (for `opsreport template export`).
pub fn template_sources() -> Vec<(&'static str, &'static [u8])> {
    let mut files: Vec<(&'static str, &'static [u8])> =
        world::TEMPLATE_FILES.iter().map(|(name, text)| (*name, text.as_bytes())).collect();
    for (name, bytes) in world::FONT_FILES {
        files.push((name, bytes));
    }
    files.push((world::FONT_LICENSE.0, world::FONT_LICENSE.1.as_bytes()));
    files
}

fn describe(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let hints: Vec<String> = diagnostic.hints.iter().map(|hint| format!(" (hint: {})", hint.v)).collect();
            format!("{}{}", diagnostic.message, hints.join(""))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Puts "Page N of M" into the footer of every page but the cover. The template leaves these
/// out when opsreport renders it, because a page counter in the footer makes Typst lay the whole
/// report out a second time; the numbers are laid out instead as pages of their own (the same
/// size, margins and footer, `page.typ`), a few lines of text, and each is laid over its page.
fn stamp_page_numbers(
    document: PagedDocument,
    today: NaiveDate,
    warnings: &mut Vec<String>,
) -> Result<PagedDocument, RenderError> {
    let total = document.pages().len();
    if total < 2 {
        return Ok(document);
    }
    let world = world::ReportWorld::page_numbers(total, today);
    let compiled = typst::compile::<PagedDocument>(&world);
    warnings.extend(compiled.warnings.iter().map(|warning| describe(std::slice::from_ref(warning))));
    let numbers = compiled.output.map_err(|errors| RenderError::Compile(format!("page numbers: {}", describe(&errors))))?;
    let mut pages = document.pages().to_vec();
    if numbers.pages().len() != total - 1 {
        return Err(RenderError::Compile(format!("page numbers: {} pages for a report of {total}", numbers.pages().len())));
    }
    for (page, number) in pages.iter_mut().skip(1).zip(numbers.pages()) {
        if page.frame.size() != number.frame.size() {
            return Err(RenderError::Compile("page numbers: a page of another size than the report's".into()));
        }
        page.frame.push_frame(Point::zero(), number.frame.clone());
    }
    Ok(PagedDocument::new(pages.into_iter().collect(), document.info().clone()))
}

/// A warning naming the characters no font could draw, if any: they print as empty boxes.
fn missing_glyphs_warning(document: &PagedDocument) -> Option<String> {
    let missing = fonts::missing_glyphs(document);
    if missing.is_empty() {
        return None;
    }
    let shown: String = missing.iter().take(20).collect();
    let codes: Vec<String> = missing.iter().take(5).map(|c| format!("U+{:04X}", u32::from(*c))).collect();
    let folders: Vec<String> = fonts::folders().iter().map(|folder| folder.display().to_string()).collect();
    let searched =
        if folders.is_empty() { "no font folder was given".to_owned() } else { format!("searched: {}", folders.join(", ")) };
    Some(format!(
        "characters print as empty boxes because no font covers them ({} in all): {shown} ({}); give --font-dir a folder with fonts for them (Noto Sans CJK, Noto Sans Arabic, …; {searched})",
        missing.len(),
        codes.join(", "),
    ))
}

/// Lays out a report from its template inputs and returns the fallback font files it draws text
/// with (for `opsreport template export`, so the official CLI finds the same fonts).
pub fn fallback_fonts_used(
    inputs: &BTreeMap<String, Vec<u8>>,
    today: NaiveDate,
    layout: Layout,
) -> Result<Vec<(String, Vec<u8>)>, RenderError> {
    let world = world::ReportWorld::new(inputs, today, layout.template());
    let document = typst::compile::<PagedDocument>(&world).output.map_err(|errors| RenderError::Compile(describe(&errors)))?;
    Ok(world::fallback_files_used(&document).into_iter().map(|(name, data)| (name, data.to_vec())).collect())
}

/// Reports rendered between two sweeps of Typst's memo cache: a sweep walks the whole cache, so
/// it is not run after every report.
const MEMO_SWEEP_EVERY: usize = 2;

/// Sweeps a memoized Typst result survives without being used (with [`MEMO_SWEEP_EVERY`], about
/// four reports).
const MEMO_MAX_AGE: usize = 2;

/// Reports rendered by this process.
static RENDERED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Renders one report to PDF bytes.
pub fn render(input: &ReportInput) -> Result<Rendered, RenderError> {
    let (inputs, tables, chart_time) = template_inputs(input)?;
    let generated_on = input.metrics.generated_on;
    let world = world::ReportWorld::new(&inputs, generated_on, input.layout.template());

    let started = Instant::now();
    let compiled = typst::compile::<PagedDocument>(&world);
    let mut warnings: Vec<String> = compiled.warnings.iter().map(|warning| describe(std::slice::from_ref(warning))).collect();
    let document = compiled.output.map_err(|errors| RenderError::Compile(describe(&errors)))?;
    // The deck numbers its own slides; the document's numbers are stamped (see `page.typ`).
    let document = match input.layout {
        Layout::Document => stamp_page_numbers(document, generated_on, &mut warnings)?,
        Layout::Slides => document,
    };
    warnings.extend(missing_glyphs_warning(&document));
    let compile_time = started.elapsed();

    let started = Instant::now();
    let date = Datetime::from_ymd(generated_on.year(), generated_on.month() as u8, generated_on.day() as u8)
        .ok_or_else(|| RenderError::Export("document date out of range".into()))?;
    let standards = match input.flavour {
        PdfFlavour::Standard => PdfStandards::default(),
        PdfFlavour::A2b => PdfStandards::new(&[PdfStandard::A_2b]).map_err(|error| RenderError::Export(format!("{error:?}")))?,
    };
    let options = PdfOptions {
        ident: Smart::Custom(format!(
            "opsreport/{}/{}/{}/{}",
            input.metrics.subject.key(),
            input.metrics.kind,
            input.metrics.period,
            input.layout.name()
        )),
        creator: Smart::Custom(Some(input.metrics.generator_version.clone())),
        timestamp: Some(Timestamp::new_utc(date)),
        standards,
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| RenderError::Export(describe(&errors)))?;
    let export_time = started.elapsed();
    // Typst memoizes across compilations; results unused for a few reports are dropped, so a
    // fleet's memory stays flat while the template's own work stays cached.
    if RENDERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % MEMO_SWEEP_EVERY == MEMO_SWEEP_EVERY - 1 {
        typst::comemo::evict(MEMO_MAX_AGE);
    }
    Ok(Rendered {
        pages: document.pages().len(),
        pdf,
        tables,
        inputs,
        warnings,
        timings: RenderTimings { charts: chart_time, compile: compile_time, export: export_time },
    })
}
