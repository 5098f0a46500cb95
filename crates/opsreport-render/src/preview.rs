//! Page images of a finished PDF, for a quick look in the console: the PDF's own pages drawn
//! again (with the fonts it embeds), so the picture is what the reader gets.

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{RenderCache, RenderSettings};

/// Pixels per PDF point of a page image: an A4 page is about 480 pixels wide.
pub const PREVIEW_SCALE: f32 = 0.8;

/// The number of pages of a PDF.
pub fn page_count(pdf: &[u8]) -> Result<usize, String> {
    Ok(open(pdf)?.pages().len())
}

/// Page `number` (from 1) of a PDF as a PNG image, `scale` pixels per point.
pub fn page_png(pdf: &[u8], number: usize, scale: f32) -> Result<Vec<u8>, String> {
    let document = open(pdf)?;
    let pages = document.pages();
    let page = number
        .checked_sub(1)
        .and_then(|index| pages.get(index))
        .ok_or_else(|| format!("the PDF has {} page(s), not a page {number}", pages.len()))?;
    let settings = RenderSettings { x_scale: scale, y_scale: scale, bg_color: WHITE, ..RenderSettings::default() };
    let pixmap = hayro::render(page, &RenderCache::new(), &InterpreterSettings::default(), &settings);
    let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    // The background is opaque, so the premultiplied pixels are the plain ones.
    let image = image::RgbaImage::from_raw(width, height, pixmap.data_as_u8_slice().to_vec())
        .ok_or("the page image has an unexpected size")?;
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageFormat::Png).map_err(|error| format!("cannot encode the page image: {error}"))?;
    Ok(png.into_inner())
}

fn open(pdf: &[u8]) -> Result<Pdf, String> {
    Pdf::new(pdf.to_vec()).map_err(|error| format!("not a readable PDF: {error:?}"))
}
