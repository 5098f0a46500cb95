//! Fallback fonts: the scripts Inter does not cover (Chinese, Japanese, Korean, Arabic, Hebrew,
//! Thai, Devanagari), read from font folders of the machine or the container.
//!
//! Inter (embedded in the binary) draws Latin, Cyrillic and Greek. A customer's name, a contact
//! or a ticket subject in another script is drawn by Typst's font fallback from the fonts found
//! here; only the glyphs used are embedded (Typst subsets every font). Which folders are searched
//! is the binary's choice ([`use_folders`]; by default the system's font folders), and only the
//! files of [`FALLBACK_FILES`] are loaded, memory-mapped, so a folder of hundreds of fonts costs
//! nothing. A character no font covers is drawn as glyph 0 (an empty box): [`missing_glyphs`]
//! finds them in a laid-out report, so a run says so instead of printing boxes silently.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::layout::{Frame, FrameItem};
use typst::text::Font;
use typst_layout::PagedDocument;

/// The font folders searched when the binary names none: Debian's and the local ones.
pub const SYSTEM_FOLDERS: &[&str] = &["/usr/share/fonts", "/usr/local/share/fonts"];

/// The fallback font files, by the start of their file name, in order of preference; the Debian
/// packages `fonts-noto-cjk` and `fonts-noto-core` hold them. Regular and bold weights only.
pub const FALLBACK_FILES: &[&str] =
    &["NotoSansCJK-", "NotoSansArabic-", "NotoSansHebrew-", "NotoSansThai-", "NotoSansDevanagari-", "NotoSans-"];

/// How deep a font folder is searched (Debian: `/usr/share/fonts/opentype/noto/…`).
const MAX_DEPTH: usize = 4;

static FOLDERS: OnceLock<Vec<PathBuf>> = OnceLock::new();

/// Sets the folders the fallback fonts are read from, once per process and before the first
/// report; an empty list means no fallback fonts. Returns false when they were already set.
pub fn use_folders(folders: Vec<PathBuf>) -> bool {
    FOLDERS.set(folders).is_ok()
}

/// The folders in use: the ones set with [`use_folders`], else [`SYSTEM_FOLDERS`].
pub fn folders() -> &'static [PathBuf] {
    FOLDERS.get_or_init(|| SYSTEM_FOLDERS.iter().map(PathBuf::from).collect())
}

/// A fallback font file found in a folder.
pub struct FallbackFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its contents (memory-mapped).
    pub data: Bytes,
}

/// The fallback font files in `folders`: the files of [`FALLBACK_FILES`] in regular and bold,
/// ordered by preference, then by path; a file name found twice is taken from the first folder.
pub fn find(folders: &[PathBuf]) -> Vec<FallbackFile> {
    let mut paths = Vec::new();
    for folder in folders {
        collect(folder, 0, &mut paths);
    }
    paths.sort_by_key(|path| (preference(path), path.clone()));
    let mut seen = BTreeSet::new();
    paths
        .into_iter()
        .filter(|path| seen.insert(path.file_name().map(|name| name.to_owned())))
        .filter_map(|path| map(&path).map(|data| FallbackFile { path, data }))
        .collect()
}

fn collect(folder: &Path, depth: usize, paths: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() && depth < MAX_DEPTH {
            collect(&path, depth + 1, paths);
        } else if is_fallback_file(&path) {
            paths.push(path);
        }
    }
}

/// Whether a file name is one of [`FALLBACK_FILES`] in regular or bold.
fn is_fallback_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else { return false };
    let Some((stem, extension)) = name.rsplit_once('.') else { return false };
    let weight_ok = stem.ends_with("-Regular") || stem.ends_with("-Bold");
    let extension_ok = matches!(extension.to_ascii_lowercase().as_str(), "otf" | "ttf" | "ttc" | "otc");
    weight_ok && extension_ok && preference(path) < FALLBACK_FILES.len()
}

/// The index in [`FALLBACK_FILES`] of the first prefix the file name starts with.
fn preference(path: &Path) -> usize {
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or("");
    FALLBACK_FILES.iter().position(|prefix| name.starts_with(prefix)).unwrap_or(FALLBACK_FILES.len())
}

/// Memory-maps a regular file; a file that cannot be opened or mapped is skipped.
fn map(path: &Path) -> Option<Bytes> {
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    // SAFETY: the map is read-only. Font files belong to the system or the container image and
    // are not rewritten while a report runs; if one were, glyphs could come out wrong, not memory
    // unsafe beyond what any reader of a changing file sees.
    let mapped = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    Some(Bytes::new(mapped))
}

/// The fonts of the fallback files (every face of a collection).
pub fn faces(files: &[FallbackFile]) -> Vec<Font> {
    files.iter().flat_map(|file| Font::iter(file.data.clone())).collect()
}

/// The characters of a laid-out document that no font could draw (glyph 0, ".notdef").
pub fn missing_glyphs(document: &PagedDocument) -> BTreeSet<char> {
    let mut missing = BTreeSet::new();
    for page in document.pages() {
        missing_in(&page.frame, &mut missing);
    }
    missing
}

fn missing_in(frame: &Frame, missing: &mut BTreeSet<char>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => missing_in(&group.frame, missing),
            FrameItem::Text(text) => {
                for glyph in text.glyphs.iter().filter(|glyph| glyph.id == 0) {
                    missing.extend(text.text[glyph.range()].chars().filter(|c| !c.is_whitespace()));
                }
            }
            _ => {}
        }
    }
}

/// The fonts a laid-out document draws text with, by their data (to find the fallback files a
/// report needs).
pub fn used_fonts(document: &PagedDocument) -> Vec<Font> {
    let mut fonts = Vec::new();
    for page in document.pages() {
        used_in(&page.frame, &mut fonts);
    }
    fonts
}

fn used_in(frame: &Frame, fonts: &mut Vec<Font>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => used_in(&group.frame, fonts),
            FrameItem::Text(text) if !fonts.contains(text.font.font()) => fonts.push(text.font.font().clone()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_and_bold_files_of_the_list_are_fallback_files() {
        for name in ["NotoSansCJK-Regular.ttc", "NotoSansArabic-Bold.ttf", "NotoSans-Regular.ttf"] {
            assert!(is_fallback_file(Path::new(name)), "{name}");
        }
        for name in ["NotoSansCJK-Light.ttc", "NotoSerifCJK-Regular.ttc", "NotoSansArabic-Regular.txt", "DejaVuSans.ttf"] {
            assert!(!is_fallback_file(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn files_are_ordered_by_preference_and_a_name_is_taken_once() {
        let root = PathBuf::from(format!("/tmp/opsreport-fonts-{}", std::process::id()));
        let (first, second) = (root.join("a/deep"), root.join("b"));
        std::fs::create_dir_all(&first).unwrap();
        std::fs::create_dir_all(&second).unwrap();
        for (folder, name) in
            [(&first, "NotoSans-Regular.ttf"), (&second, "NotoSansCJK-Bold.ttc"), (&second, "NotoSans-Regular.ttf")]
        {
            std::fs::write(folder.join(name), b"not a font").unwrap();
        }
        let found = find(&[root.join("a"), root.join("b")]);
        let names: Vec<_> = found.iter().map(|file| file.path.strip_prefix(&root).unwrap().to_path_buf()).collect();
        assert_eq!(names, [PathBuf::from("b/NotoSansCJK-Bold.ttc"), PathBuf::from("a/deep/NotoSans-Regular.ttf")]);
        assert!(faces(&found).is_empty(), "a file that is not a font gives no face");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
