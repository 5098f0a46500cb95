//! The Typst `World` of a report: the only IO boundary of rendering, and it does no IO.
//!
//! The template comes from the binary (`include_str!`), the fonts too (`include_bytes!`, parsed
//! once per process), and the report's data and charts are in-memory files. The document date
//! is an input. So the same inputs give the same PDF on any machine. The one exception is text
//! in a script Inter does not draw (Chinese, Arabic, …): it is drawn with the fallback fonts of
//! [`crate::fonts`], read once per process from the font folders the binary names.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Dict, Duration, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The report template and its parts, as shipped in `report-templates/`.
pub const TEMPLATE_FILES: &[(&str, &str)] = &[
    ("report.typ", include_str!("../../../report-templates/report.typ")),
    ("page.typ", include_str!("../../../report-templates/page.typ")),
    ("slides.typ", include_str!("../../../report-templates/slides.typ")),
];

/// The fonts' license, which travels with them when the template is exported.
pub const FONT_LICENSE: (&str, &str) = ("fonts/OFL.txt", include_str!("../../../report-templates/fonts/OFL.txt"));

/// The fonts of the report: Inter and its chart subset (SIL OFL 1.1, `report-templates/fonts/`).
pub const FONT_FILES: &[(&str, &[u8])] = &[
    ("Inter-Regular.otf", include_bytes!("../../../report-templates/fonts/Inter-Regular.otf")),
    ("Inter-Italic.otf", include_bytes!("../../../report-templates/fonts/Inter-Italic.otf")),
    ("Inter-SemiBold.otf", include_bytes!("../../../report-templates/fonts/Inter-SemiBold.otf")),
    ("Inter-Bold.otf", include_bytes!("../../../report-templates/fonts/Inter-Bold.otf")),
    // Chart labels: a subset of Inter Regular with kerning only (`report-templates/fonts/chart-font.py`).
    ("ReportChartSans-Regular.otf", include_bytes!("../../../report-templates/fonts/ReportChartSans-Regular.otf")),
];

/// Fonts, font book, standard library and the parsed template, built once per process.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    fallback: Vec<crate::fonts::FallbackFile>,
    sources: BTreeMap<String, Source>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let mut fonts: Vec<Font> = FONT_FILES.iter().flat_map(|(_, data)| Font::iter(Bytes::new(*data))).collect();
    let fallback = crate::fonts::find(crate::fonts::folders());
    fonts.extend(crate::fonts::faces(&fallback));
    let sources = TEMPLATE_FILES
        .iter()
        .map(|(name, text)| {
            let path = format!("/{name}");
            (path.clone(), Source::new(file_id(&path), (*text).to_owned()))
        })
        .collect();
    // The template leaves the page numbers to `stamp_page_numbers`, which saves Typst a layout pass.
    let mut inputs = Dict::new();
    inputs.insert("page-numbers".into(), "stamped".into_value());
    let library = Library::builder().with_inputs(inputs).build();
    Shared { library: LazyHash::new(library), book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts, fallback, sources }
});

/// Parses the fonts and the library now, so the first report does not pay for it.
pub fn warm_up() {
    LazyLock::force(&SHARED);
}

/// The fallback font files of this process (see [`crate::fonts`]) used by a laid-out document:
/// file name and contents, for a template export that builds the same report.
pub fn fallback_files_used(document: &typst_layout::PagedDocument) -> Vec<(String, Bytes)> {
    let used = crate::fonts::used_fonts(document);
    SHARED
        .fallback
        .iter()
        .filter(|file| used.iter().any(|font| font.data().as_ptr() == file.data.as_ptr()))
        .filter_map(|file| Some((file.path.file_name()?.to_str()?.to_owned(), file.data.clone())))
        .collect()
}

fn file_id(path: &str) -> FileId {
    let virtual_path = VirtualPath::new(path).expect("template paths are valid virtual paths");
    FileId::new(RootedPath::new(VirtualRoot::Project, virtual_path))
}

/// One report's world: the template sources plus in-memory data files.
pub struct ReportWorld {
    main: FileId,
    sources: BTreeMap<String, Source>,
    files: BTreeMap<String, Bytes>,
    today: Datetime,
}

impl ReportWorld {
    /// A world with the shipped templates and the given data files (`data/report.json`,
    /// `charts/<name>.svg`), dated `today`, compiling `main` (`report.typ` or `slides.typ`).
    pub fn new(files: &BTreeMap<String, Vec<u8>>, today: NaiveDate, main: &str) -> Self {
        // Sources share their parsed syntax tree: cloning one is cheap.
        let sources = SHARED.sources.clone();
        let files = files.iter().map(|(name, bytes)| (format!("/{name}"), Bytes::new(bytes.clone()))).collect();
        let today = Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8).expect("a valid date");
        Self { main: file_id(&format!("/{main}")), sources, files, today }
    }

    /// A world that lays out the page numbers of a report of `pages` pages (see
    /// `page-number-pages` in `report-templates/page.typ`).
    pub fn page_numbers(pages: usize, today: NaiveDate) -> Self {
        let mut world = Self::new(&BTreeMap::new(), today, "report.typ");
        let path = "/page-numbers.typ";
        let text = format!("#import \"page.typ\": page-number-pages\n#page-number-pages({pages})\n");
        world.main = file_id(path);
        world.sources.insert(path.to_owned(), Source::new(world.main, text));
        world
    }

    fn path_of(id: FileId) -> String {
        id.vpath().get_with_slash().to_owned()
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        let path = Self::path_of(id);
        self.sources.get(&path).cloned().ok_or_else(|| FileError::NotFound(path.into()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = Self::path_of(id);
        if let Some(bytes) = self.files.get(&path) {
            return Ok(bytes.clone());
        }
        match self.sources.get(&path) {
            Some(source) => Ok(Bytes::from_string(source.text().to_owned())),
            None => Err(FileError::NotFound(path.into())),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
