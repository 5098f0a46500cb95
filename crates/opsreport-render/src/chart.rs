//! Chart primitives drawn with plotters into SVG strings: vertical and horizontal bars
//! (grouped or stacked), lines with gaps, pies and donuts.
//!
//! One palette everywhere, ordered dark to light so series stay apart in greyscale; values are
//! printed on bars and slices so colour is never the only cue. Bars and labels are drawn from
//! sorted data as plain rectangles and texts (never a hash-ordered series), so the same data gives
//! the same SVG bytes. Text uses the report's font family; Typst lays it out when it imports the
//! SVG.

use crate::format::Unit;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The chart labels' font family: a subset of the report's font (Inter) with kerning as its only
/// layout feature, embedded with the template's fonts. Typst decodes every chart SVG of every
/// report and shapes each label; with the full font that cost more than drawing the chart.
/// Characters outside the subset fall back to Inter.
pub const FONT: &str = "Report Chart Sans";

/// Series colours, dark to light: distinct in greyscale.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0x1F, 0x3A, 0x5F),
    RGBColor(0x3C, 0x7D, 0xB5),
    RGBColor(0x8D, 0xB6, 0xDB),
    RGBColor(0xD9, 0x8C, 0x3F),
    RGBColor(0x5E, 0x60, 0x66),
    RGBColor(0xC9, 0xD6, 0xE3),
];
const INK: RGBColor = RGBColor(0x22, 0x26, 0x2E);
const MUTED: RGBColor = RGBColor(0x6B, 0x72, 0x80);
const GRID: RGBColor = RGBColor(0xE3, 0xE7, 0xEC);
const TARGET: RGBColor = RGBColor(0xB0, 0x2A, 0x2A);

/// Canvas size in SVG pixels (the template scales it to the column width).
pub const WIDTH: u32 = 900;

/// A named series of values (`None` = no data for that category).
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// One value per category.
    pub values: Vec<Option<f64>>,
    /// A colour that means something (a status: error red, warning amber, ok green, not
    /// available grey); `None` takes the palette's next.
    pub color: Option<RGBColor>,
}

impl Series {
    /// A series in the palette's colours.
    pub fn new(name: &str, values: Vec<Option<f64>>) -> Self {
        Self { name: name.to_owned(), values, color: None }
    }

    fn color(&self, number: usize) -> RGBColor {
        self.color.unwrap_or(PALETTE[number % PALETTE.len()])
    }
}

/// Colours that carry a status's meaning.
pub mod status {
    use plotters::style::RGBColor;
    /// Error, failed.
    pub const ERROR: RGBColor = RGBColor(0xB0, 0x2A, 0x2A);
    /// Warning.
    pub const WARNING: RGBColor = RGBColor(0xD9, 0x8C, 0x3F);
    /// OK, completed.
    pub const OK: RGBColor = RGBColor(0x2E, 0x7D, 0x4F);
    /// Not available, unknown.
    pub const NOT_AVAILABLE: RGBColor = RGBColor(0xA0, 0xA6, 0xAF);
}

/// A bar or line chart.
#[derive(Clone, Debug)]
pub struct Cartesian {
    /// Axis title of the values, with the unit (e.g. "Incidents").
    pub value_axis: String,
    /// Category labels.
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Series>,
    /// Unit of the values.
    pub unit: Unit,
    /// Stack the series instead of grouping them.
    pub stacked: bool,
    /// A horizontal target line (e.g. an SLA target), with its label.
    pub target: Option<(f64, String)>,
    /// Fixed upper bound of the value axis (e.g. 100 for percentages).
    pub max: Option<f64>,
    /// Canvas height in SVG pixels.
    pub height: u32,
    /// What an empty slot says, `{}` standing for its category ("no {} incidents"): a value the
    /// data cannot give is a labelled gap, never a bar of 0.
    pub gap: String,
}

/// A value axis: from `bottom` to `top` in ticks `step` apart.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Axis {
    bottom: f64,
    top: f64,
    step: f64,
}

impl Axis {
    fn ticks(self) -> usize {
        ((self.top - self.bottom) / self.step).round() as usize + 1
    }

    /// Decimals a tick needs to be told from its neighbours (0 for a step of 1 or more).
    fn places(self) -> usize {
        if self.step >= 1.0 { 0 } else { (-self.step.log10()).ceil() as usize }
    }
}

/// The round step (1, 2 or 5 times a power of ten) at or above `raw`; at least 1 for whole
/// numbers, so a count's axis never reads "0, 0, 1, 1, 2".
fn nice_step(raw: f64, whole: bool) -> f64 {
    if raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|step| *step >= raw * 0.999).unwrap_or(raw);
    if whole { step.max(1.0) } else { step }
}

impl Cartesian {
    fn gap_label(&self, index: usize) -> String {
        let text = if self.gap.is_empty() { "no data" } else { self.gap.as_str() };
        text.replace("{}", &crate::text::without_controls(&self.categories[index], false))
    }

    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.series.iter().flat_map(|series| series.values.iter().flatten().copied())
    }

    /// The value axis: from zero to a round number over the data and the target, in at most six
    /// ticks; a percentage trend (a line up to 100 %) starts at a round number below its lowest
    /// point and the target, so the line is not glued to the target at the top of 0–100.
    fn axis(&self, fitted: bool) -> Axis {
        let whole = matches!(self.unit, Unit::Count);
        let Some(top) = self.max else {
            let raw = self.value_max() * 1.12;
            let raw = if whole { raw.max(4.0) } else { raw };
            let step = nice_step(raw / 6.0, whole);
            return Axis { bottom: 0.0, top: ((raw / step).ceil() * step).max(step), step };
        };
        let low = self.values().chain(self.target.iter().map(|(target, _)| *target)).fold(top, f64::min);
        if !fitted || self.unit != Unit::Percent || low <= 0.0 {
            return Axis { bottom: 0.0, top, step: nice_step(top / 5.0, whole) };
        }
        let pad = ((top - low) * 0.3).max(1.0);
        let step = nice_step((top - (low - pad)) / 5.0, whole);
        let bottom = (((low - pad) / step).floor() * step).max(0.0);
        Axis { bottom, top, step }
    }

    /// True when there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty() || self.series.iter().all(|series| series.values.iter().all(Option::is_none))
    }

    fn value_max(&self) -> f64 {
        let data_max = if self.stacked {
            (0..self.categories.len())
                .map(|index| self.series.iter().filter_map(|series| series.values.get(index).copied().flatten()).sum::<f64>())
                .fold(0.0, f64::max)
        } else {
            self.series.iter().flat_map(|series| series.values.iter().flatten().copied()).fold(0.0, f64::max)
        };
        self.target.as_ref().map_or(data_max, |(target, _)| data_max.max(*target))
    }
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

fn muted(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&MUTED)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// The legend above a chart of two or more series: a swatch (a line, dashed for the second,
/// on a line chart) and the name of each.
fn legend(root: &Area, series: &[Series], y: i32, lined: bool) -> DrawResult {
    if series.len() < 2 {
        return Ok(());
    }
    let mut x = 80;
    for (index, item) in series.iter().enumerate() {
        let color = item.color(index);
        if lined {
            let points = vec![(x, y + 7), (x + 26, y + 7)];
            if index % 2 == 1 {
                root.draw(&DashedPathElement::new(points, 6, 4, color.stroke_width(3)))?;
            } else {
                root.draw(&PathElement::new(points, color.stroke_width(3)))?;
            }
            marker(root, (x + 13, y + 7), 5, color, index)?;
            x += 12;
        } else {
            root.draw(&Rectangle::new([(x, y), (x + 14, y + 14)], color.filled()))?;
            root.draw(&Rectangle::new([(x, y), (x + 14, y + 14)], INK.stroke_width(1)))?;
        }
        root.draw(&Text::new(
            crate::text::without_controls(&item.name, false).into_owned(),
            (x + 20, y + 7),
            font(15).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += 40 + item.name.chars().count() as i32 * 9;
    }
    Ok(())
}

/// A line's point marker: filled for the first series, hollow for the second, so two lines
/// that lie on each other (total and active stacks) are still told apart.
fn marker(root: &Area, at: (i32, i32), size: i32, color: RGBColor, number: usize) -> DrawResult {
    if number % 2 == 1 {
        root.draw(&Circle::new(at, size, WHITE.filled()))?;
        root.draw(&Circle::new(at, size, color.stroke_width(2)))
    } else {
        root.draw(&Circle::new(at, size, color.filled()))
    }
}

fn ellipsize(text: &str, max: usize) -> String {
    let text = crate::text::without_controls(text, false);
    if text.chars().count() <= max { text.into_owned() } else { format!("{}…", text.chars().take(max - 1).collect::<String>()) }
}

type ValueChart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart with categories along x (labels drawn by the caller) and values along y, with the
/// report's mesh: light horizontal grid, a tick at each step of `axis`, the value axis title.
fn value_chart<'a, 'b>(
    root: &'a Area<'b>,
    spec: &Cartesian,
    axis: Axis,
) -> Result<ValueChart<'a, 'b>, DrawingAreaErrorKind<std::io::Error>> {
    // Room above the plot for the legend and for the value printed over a bar at the top.
    let legend_space = match (spec.series.len() > 1, spec.max.is_some()) {
        (true, true) => 52,
        (true, false) => 30,
        (false, true) => 26,
        (false, false) => 8,
    };
    let mut chart = ChartBuilder::on(root)
        .margin_top(legend_space)
        .margin_left(10)
        // The target's label sits in the right margin, clear of the values.
        .margin_right(if spec.target.is_some() { 100 } else { 30 })
        .margin_bottom(6)
        .x_label_area_size(if spec.categories.iter().any(|c| c.chars().count() > category_chars(spec)) { 52 } else { 34 })
        .y_label_area_size(78)
        .build_cartesian_2d(0f64..spec.categories.len() as f64, axis.bottom..axis.top)?;
    let (unit, places) = (spec.unit, axis.places());
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(axis.ticks())
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(MUTED.stroke_width(1))
        .y_desc(spec.value_axis.clone())
        .axis_desc_style(muted(15))
        .label_style(muted(14))
        .y_label_formatter(&|value| unit.tick(*value, places))
        .draw()?;
    Ok(chart)
}

/// The target line across a value chart, labelled in the right margin beside its end.
fn target_line(root: &Area, chart: &mut ValueChart, spec: &Cartesian) -> DrawResult {
    if let Some((target, label)) = &spec.target {
        let count = spec.categories.len() as f64;
        chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, *target), (count, *target)], TARGET.stroke_width(2))))?;
        let (x, y) = chart.backend_coord(&(count, *target));
        root.draw(&Text::new(
            label.clone(),
            (x + 6, y),
            (FONT, 14).into_font().color(&TARGET).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Whether a value label spanning `top..bottom` (pixels) would be struck by the target line.
fn strikes_target(chart: &ValueChart, spec: &Cartesian, top: i32, bottom: i32) -> bool {
    spec.target.as_ref().is_some_and(|(target, _)| {
        let (_, y) = chart.backend_coord(&(0.0, *target));
        (top - 2..=bottom + 2).contains(&y)
    })
}

/// Characters of a category label on one line: about 8 px a character at 14 px, in the width
/// of its category.
fn category_chars(spec: &Cartesian) -> usize {
    ((WIDTH as usize - 120) / spec.categories.len().max(1) / 8).clamp(4, 40)
}

/// A label in at most two lines: split at the space nearest its middle when it does not fit on
/// one, each line cut with "…" if still too long.
fn category_lines(label: &str, max: usize) -> Vec<String> {
    let label = crate::text::without_controls(label, false);
    if label.chars().count() <= max || !label.contains(' ') {
        return vec![ellipsize(&label, max)];
    }
    let middle = label.len() / 2;
    let split = label.match_indices(' ').map(|(at, _)| at).min_by_key(|at| at.abs_diff(middle)).unwrap_or(middle);
    vec![ellipsize(&label[..split], max), ellipsize(&label[split + 1..], max)]
}

/// Vertical bars, grouped or stacked, one group per category.
pub fn vertical_bars(spec: &Cartesian) -> String {
    let mut svg = String::new();
    draw_vertical_bars(&mut svg, spec).expect("drawing into a string cannot fail");
    svg
}

const GROUP_WIDTH: f64 = 0.72;

fn draw_vertical_bars(svg: &mut String, spec: &Cartesian) -> DrawResult {
    let root = SVGBackend::with_string(svg, (WIDTH, spec.height)).into_drawing_area();
    root.fill(&WHITE)?;
    let axis = spec.axis(false);
    let mut chart = value_chart(&root, spec, axis)?;
    for index in 0..spec.categories.len() {
        bar_group(&root, &mut chart, spec, axis, index)?;
        let (x, y) = chart.backend_coord(&(index as f64 + 0.5, 0.0));
        for (line, text) in category_lines(&spec.categories[index], category_chars(spec)).into_iter().enumerate() {
            root.draw(&Text::new(text, (x, y + 8 + 17 * line as i32), font(14).pos(Pos::new(HPos::Center, VPos::Top))))?;
        }
    }
    target_line(&root, &mut chart, spec)?;
    legend(&root, &spec.series, 6, false)?;
    root.present()?;
    Ok(())
}

/// A bar's left and right edge: the category's group, or the series' share of it.
fn bar_slot(spec: &Cartesian, index: usize, number: usize) -> (f64, f64) {
    let left = index as f64 + (1.0 - GROUP_WIDTH) / 2.0;
    if spec.stacked {
        return (left, left + GROUP_WIDTH);
    }
    let width = GROUP_WIDTH / spec.series.len().max(1) as f64;
    let left = left + width * number as f64;
    (left, left + width * 0.92)
}

/// One category's bars and their values; a slot without a value is a labelled gap.
fn bar_group(root: &Area, chart: &mut ValueChart, spec: &Cartesian, axis: Axis, index: usize) -> DrawResult {
    let mut base = 0.0;
    let mut gaps = Vec::new();
    for (number, series) in spec.series.iter().enumerate() {
        let (left, right) = bar_slot(spec, index, number);
        let Some(value) = series.values.get(index).copied().flatten() else {
            gaps.push((left, right));
            continue;
        };
        let (low, high) = if spec.stacked { (base, base + value) } else { (0.0, value) };
        let color = series.color(number);
        chart.draw_series(std::iter::once(Rectangle::new([(left, low), (right, high)], color.filled())))?;
        bar_value(root, chart, spec, axis, [left, right, low, high], color)?;
        base += value;
    }
    // A crowded chart (the days of a month) leaves its gaps unlabelled; a stack is a gap only
    // when none of its parts has a value.
    if spec.categories.len() > 12 || (spec.stacked && gaps.len() < spec.series.len()) {
        return Ok(());
    }
    if gaps.len() == spec.series.len() {
        gaps = vec![(index as f64 + (1.0 - GROUP_WIDTH) / 2.0, index as f64 + (1.0 + GROUP_WIDTH) / 2.0)];
    }
    for (left, right) in gaps {
        gap_label(root, chart, &spec.gap_label(index), left, right)?;
    }
    Ok(())
}

/// "no P1 incidents" in an empty slot, on one line or two, just above the axis.
fn gap_label(root: &Area, chart: &ValueChart, text: &str, left: f64, right: f64) -> DrawResult {
    let (x_left, y) = chart.backend_coord(&(left, chart.y_range().start));
    let (x_right, _) = chart.backend_coord(&(right, chart.y_range().start));
    let chars = ((x_right - x_left) as usize / 7).max(4);
    let lines = category_lines(text, chars);
    let x = (x_left + x_right) / 2;
    for (number, line) in lines.iter().enumerate() {
        let from_axis = 6 + 16 * (lines.len() - 1 - number) as i32;
        root.draw(&Text::new(line.clone(), (x, y - from_axis), muted(13).pos(Pos::new(HPos::Center, VPos::Bottom))))?;
    }
    Ok(())
}

/// A bar's value: inside a stacked part, above a bar (inside its top when the target line
/// would strike it above). Values are printed on bars with room for them: on a chart of many
/// narrow bars (the days of a month) only on the bars that stand out; a 0 among few bars is
/// printed, so it reads as none rather than missing.
fn bar_value(root: &Area, chart: &ValueChart, spec: &Cartesian, axis: Axis, bar: [f64; 4], color: RGBColor) -> DrawResult {
    let [left, right, low, high] = bar;
    let (count, span, value) = (spec.categories.len(), axis.top - axis.bottom, high - low);
    let crowded = count > 16 && value / span < 0.1;
    let zero = value == 0.0 && !spec.stacked && count <= 12;
    if crowded || (value <= 0.0 && !zero) || (spec.stacked && value / span <= 0.06) {
        return Ok(());
    }
    let size: i32 = if count > 8 && !spec.stacked && spec.series.len() > 1 { 11 } else { 13 };
    let contrast = if dark(&color) { WHITE } else { INK };
    let text = spec.unit.format(value);
    if spec.stacked {
        let (x, y) = chart.backend_coord(&((left + right) / 2.0, (low + high) / 2.0));
        return root.draw(&Text::new(
            text,
            (x, y),
            (FONT, size as u32).into_font().color(&contrast).pos(Pos::new(HPos::Center, VPos::Center)),
        ));
    }
    let (x, y) = chart.backend_coord(&((left + right) / 2.0, high));
    let (_, base) = chart.backend_coord(&(left, low));
    let inside = strikes_target(chart, spec, y - 4 - size, y - 4) && base - y > size + 10;
    let (at, anchor, ink) = if inside { (y + 4, VPos::Top, contrast) } else { (y - 4, VPos::Bottom, INK) };
    root.draw(&Text::new(text, (x, at), (FONT, size as u32).into_font().color(&ink).pos(Pos::new(HPos::Center, anchor))))
}

/// Horizontal bars for long category names (products, stacks); one series.
pub fn horizontal_bars(spec: &Cartesian) -> String {
    let mut svg = String::new();
    draw_horizontal_bars(&mut svg, spec).expect("drawing into a string cannot fail");
    svg
}

fn draw_horizontal_bars(svg: &mut String, spec: &Cartesian) -> DrawResult {
    let root = SVGBackend::with_string(svg, (WIDTH, spec.height)).into_drawing_area();
    root.fill(&WHITE)?;
    let count = spec.categories.len();
    let axis = spec.axis(false);
    let (unit, places) = (spec.unit, axis.places());
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        // Room above the plot for the target's label.
        .margin_top(if spec.target.is_some() { 28 } else { 10 })
        .margin_right(90)
        .x_label_area_size(40)
        .y_label_area_size(300)
        .build_cartesian_2d(axis.bottom..axis.top, 0f64..count as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(axis.ticks())
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(MUTED.stroke_width(1))
        .x_desc(spec.value_axis.clone())
        .axis_desc_style(muted(15))
        .label_style(muted(14))
        .x_label_formatter(&|value| unit.tick(*value, places))
        .draw()?;
    for index in 0..count {
        horizontal_bar(&root, &mut chart, spec, index)?;
    }
    if let Some((target, label)) = &spec.target {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*target, 0.0), (*target, count as f64)],
            TARGET.stroke_width(2),
        )))?;
        let (x, y) = chart.backend_coord(&(*target, count as f64));
        root.draw(&Text::new(
            label.clone(),
            (x, y - 4),
            (FONT, 13).into_font().color(&TARGET).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
    }
    root.present()?;
    Ok(())
}

/// One row of a horizontal bar chart (first category at the top): its name, its bar and value
/// (inside the bar's end when the target line would strike it), or its gap.
fn horizontal_bar(root: &Area, chart: &mut ValueChart, spec: &Cartesian, index: usize) -> DrawResult {
    let row = (spec.categories.len() - 1 - index) as f64;
    let (x, y) = chart.backend_coord(&(0.0, row + 0.5));
    root.draw(&Text::new(ellipsize(&spec.categories[index], 36), (x - 8, y), font(14).pos(Pos::new(HPos::Right, VPos::Center))))?;
    let Some(series) = spec.series.first() else { return Ok(()) };
    let Some(value) = series.values.get(index).copied().flatten() else {
        return root.draw(&Text::new(spec.gap_label(index), (x + 6, y), muted(13).pos(Pos::new(HPos::Left, VPos::Center))));
    };
    let color = series.color.unwrap_or(PALETTE[1]);
    chart.draw_series(std::iter::once(Rectangle::new([(0.0, row + 0.18), (value, row + 0.82)], color.filled())))?;
    let text = spec.unit.format(value);
    let (end, _) = chart.backend_coord(&(value, row + 0.5));
    let width = 8 * text.chars().count() as i32;
    let struck =
        spec.target.as_ref().is_some_and(|(target, _)| (end..=end + 8 + width).contains(&chart.backend_coord(&(*target, 0.0)).0));
    if struck && end - x > width + 12 {
        let ink = if dark(&color) { WHITE } else { INK };
        return root.draw(&Text::new(
            text,
            (end - 6, y),
            (FONT, 13).into_font().color(&ink).pos(Pos::new(HPos::Right, VPos::Center)),
        ));
    }
    root.draw(&Text::new(text, (end + 6, y), font(13).pos(Pos::new(HPos::Left, VPos::Center))))
}

/// Lines over categories (months, weeks, days); a `None` value leaves a gap.
pub fn lines(spec: &Cartesian) -> String {
    let mut svg = String::new();
    draw_lines(&mut svg, spec).expect("drawing into a string cannot fail");
    svg
}

fn draw_lines(svg: &mut String, spec: &Cartesian) -> DrawResult {
    let root = SVGBackend::with_string(svg, (WIDTH, spec.height)).into_drawing_area();
    root.fill(&WHITE)?;
    let count = spec.categories.len();
    let axis = spec.axis(true);
    let mut chart = value_chart(&root, spec, axis)?;
    target_line(&root, &mut chart, spec)?;
    for number in 0..spec.series.len() {
        line_series(&root, &mut chart, spec, number)?;
    }
    for index in (0..count).step_by(count.div_ceil(12).max(1)) {
        let (x, y) = chart.backend_coord(&(index as f64 + 0.5, axis.bottom));
        root.draw(&Text::new(spec.categories[index].clone(), (x, y + 8), font(14).pos(Pos::new(HPos::Center, VPos::Top))))?;
    }
    legend(&root, &spec.series, 6, true)?;
    root.present()?;
    Ok(())
}

/// One series of a line chart: its runs of values (a `None` breaks the line), solid for the
/// first series and dashed for the second, their markers and values.
fn line_series(root: &Area, chart: &mut ValueChart, spec: &Cartesian, number: usize) -> DrawResult {
    let series = &spec.series[number];
    let color = series.color(number);
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (index, value) in series.values.iter().enumerate() {
        match value {
            Some(value) => runs.last_mut().expect("one run at least").push((index as f64 + 0.5, *value)),
            None => runs.push(Vec::new()),
        }
    }
    let marker_size = if spec.categories.len() > 15 { 2 } else { 5 };
    for run in runs.into_iter().filter(|run| !run.is_empty()) {
        if number % 2 == 1 {
            chart.draw_series(std::iter::once(DashedPathElement::new(run.clone(), 10, 6, color.stroke_width(3))))?;
        } else {
            chart.draw_series(std::iter::once(PathElement::new(run.clone(), color.stroke_width(3))))?;
        }
        for point in &run {
            marker(root, chart.backend_coord(point), marker_size, color, number)?;
        }
        line_values(root, chart, spec, number, &run)?;
    }
    Ok(())
}

/// A line's values, printed while they cannot run into each other: one series, or two over few
/// points (a value equal to the first series' is printed once); the first series' above its
/// points, the second's below, either moved to the other side when the target line would
/// strike it.
fn line_values(root: &Area, chart: &ValueChart, spec: &Cartesian, number: usize, run: &[(f64, f64)]) -> DrawResult {
    let count = spec.categories.len();
    if count > 12 || !(spec.series.len() == 1 || (spec.series.len() == 2 && count <= 6)) {
        return Ok(());
    }
    for point in run {
        let index = (point.0 - 0.5).round() as usize;
        if number > 0 && spec.series[0].values.get(index).copied().flatten() == Some(point.1) {
            continue;
        }
        let (x, y) = chart.backend_coord(point);
        let mut above = number == 0;
        let struck = if above { strikes_target(chart, spec, y - 22, y - 9) } else { strikes_target(chart, spec, y + 9, y + 22) };
        if struck {
            above = !above;
        }
        root.draw(&Text::new(
            spec.unit.format(point.1),
            (x, if above { y - 9 } else { y + 9 }),
            font(13).pos(Pos::new(HPos::Center, if above { VPos::Bottom } else { VPos::Top })),
        ))?;
    }
    Ok(())
}

/// A donut with labelled slices, the total in its hole, and a legend with values below it, drawn
/// on a narrow canvas so three fit side by side; the legend's type stays readable at that size.
/// `legend_rows` is the longest legend of the donuts drawn side by side with it, so all their
/// canvases are as tall and their captions line up.
pub fn pie(slices: &[(String, f64)], unit: Unit, legend_rows: usize) -> String {
    let mut svg = String::new();
    draw_pie(&mut svg, slices, unit, legend_rows).expect("drawing into a string cannot fail");
    svg
}

const PIE_LEGEND_ROW: i32 = 38;

/// Canvas width of a pie.
pub const PIE_WIDTH: u32 = 420;

/// Whether white text reads on a colour (by its luminance).
fn dark(color: &RGBColor) -> bool {
    0.2126 * f64::from(color.0) + 0.7152 * f64::from(color.1) + 0.0722 * f64::from(color.2) < 140.0
}

fn draw_pie(svg: &mut String, slices: &[(String, f64)], unit: Unit, legend_rows: usize) -> DrawResult {
    let donut = true;
    let radius = 140.0;
    let legend_top = 2 * radius as i32 + 40;
    let height = (legend_top + PIE_LEGEND_ROW * slices.len().max(legend_rows) as i32 + 10) as u32;
    let root = SVGBackend::with_string(svg, (PIE_WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let total: f64 = slices.iter().map(|(_, value)| value).sum();
    let center = (PIE_WIDTH as f64 / 2.0, radius + 16.0);
    let hole = if donut { radius * 0.55 } else { 0.0 };
    let point = |angle: f64, r: f64| ((center.0 + r * angle.cos()).round() as i32, (center.1 + r * angle.sin()).round() as i32);
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for (index, (_, value)) in slices.iter().enumerate() {
        if total <= 0.0 {
            break;
        }
        let sweep = value / total * std::f64::consts::TAU;
        let color = PALETTE[index % PALETTE.len()];
        // One vertex per degree along the outer arc, back along the inner one (or the centre).
        let steps = ((sweep.to_degrees()).ceil() as usize).max(2);
        let mut outline: Vec<(i32, i32)> =
            (0..=steps).map(|step| point(angle + sweep * step as f64 / steps as f64, radius)).collect();
        if donut {
            outline.extend((0..=steps).rev().map(|step| point(angle + sweep * step as f64 / steps as f64, hole)));
        } else {
            outline.push(point(0.0, 0.0));
        }
        root.draw(&Polygon::new(outline, color.filled()))?;
        let share = value / total;
        if share >= 0.06 {
            let middle = angle + sweep / 2.0;
            let label_radius = if donut { (radius + hole) / 2.0 } else { radius * 0.66 };
            let text_color = if dark(&color) { WHITE } else { INK };
            root.draw(&Text::new(
                format!("{:.0}%", share * 100.0),
                point(middle, label_radius),
                (FONT, 22).into_font().color(&text_color).pos(Pos::new(HPos::Center, VPos::Center)),
            ))?;
        }
        angle += sweep;
    }
    if donut {
        let middle = (center.0.round() as i32, center.1.round() as i32);
        root.draw(&Text::new(
            unit.format(total),
            (middle.0, middle.1 - 6),
            (FONT, 28).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
        root.draw(&Text::new(
            "total".to_owned(),
            (middle.0, middle.1 + 22),
            muted(20).pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    let mut y = legend_top;
    for (index, (name, value)) in slices.iter().enumerate() {
        let color = PALETTE[index % PALETTE.len()];
        root.draw(&Rectangle::new([(8, y), (30, y + 22)], color.filled()))?;
        root.draw(&Rectangle::new([(8, y), (30, y + 22)], INK.stroke_width(1)))?;
        root.draw(&Text::new(ellipsize(name, 16), (40, y + 11), font(24).pos(Pos::new(HPos::Left, VPos::Center))))?;
        root.draw(&Text::new(
            unit.format(*value),
            (PIE_WIDTH as i32 - 6, y + 11),
            font(24).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        y += PIE_LEGEND_ROW;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Cartesian {
        Cartesian {
            value_axis: "Incidents".into(),
            categories: vec!["P1".into(), "P2".into(), "P3".into()],
            series: vec![Series::new("Opened", vec![Some(2.0), Some(5.0), None])],
            unit: Unit::Count,
            stacked: false,
            target: None,
            max: None,
            height: 300,
            gap: "no {} incidents".into(),
        }
    }

    #[test]
    fn charts_are_deterministic_svg_with_the_report_font() {
        let first = vertical_bars(&sample());
        assert_eq!(first, vertical_bars(&sample()));
        assert!(first.starts_with("<svg") && first.contains(FONT), "{}", &first[..200]);
        for svg in [horizontal_bars(&sample()), lines(&sample()), pie(&[("A".into(), 3.0), ("B".into(), 1.0)], Unit::Count, 2)] {
            assert!(svg.starts_with("<svg"));
        }
    }

    /// The value-axis ticks of an SVG (muted 14 px texts anchored at their end).
    fn ticks(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter(|part| part.contains("text-anchor=\"end\"") && part.contains("#6B7280") && part.contains("dy=\"0.5ex\""))
            .filter_map(|part| Some(part.split_once('>')?.1.split_once("</text>")?.0.trim().to_owned()))
            .collect()
    }

    #[test]
    fn ticks_are_round_steps_that_read_apart() {
        for (unit, top, expected) in [
            (Unit::Count, 2.0, vec!["0", "1", "2", "3", "4"]),
            (Unit::Count, 37.0, vec!["0", "10", "20", "30", "40", "50"]),
            (Unit::Hours, 2.2, vec!["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]),
            (Unit::Hours, 7.0, vec!["0", "2", "4", "6", "8"]),
        ] {
            let spec = Cartesian { unit, series: vec![Series::new("Opened", vec![Some(top), Some(1.0), Some(0.0)])], ..sample() };
            let mut drawn = ticks(&vertical_bars(&spec));
            drawn.sort_by(|a, b| a.parse::<f64>().unwrap().total_cmp(&b.parse::<f64>().unwrap()));
            assert_eq!(drawn, expected, "{unit:?} up to {top}");
        }
    }

    #[test]
    fn a_percentage_trend_is_fitted_to_its_data_and_target() {
        let spec = Cartesian {
            unit: Unit::Percent,
            max: Some(100.0),
            target: Some((95.0, "target 95%".into())),
            series: vec![Series::new("Compliance", vec![Some(97.5), Some(96.0), Some(99.0)])],
            ..sample()
        };
        let drawn = ticks(&lines(&spec));
        let lowest = drawn.iter().map(|tick| tick.trim_end_matches('%').parse::<f64>().unwrap()).fold(f64::MAX, f64::min);
        assert!((80.0..95.0).contains(&lowest), "{drawn:?}");
        assert!(drawn.contains(&"100%".to_owned()), "{drawn:?}");
        // Bars are never cut: a bar chart of the same values starts at 0.
        assert!(ticks(&vertical_bars(&spec)).contains(&"0%".to_owned()));
    }

    #[test]
    fn a_value_without_data_is_a_labelled_gap() {
        let svg = vertical_bars(&sample());
        assert!(svg.contains(">\nno P3 incidents\n</text>"), "the empty slot says what is missing");
        let horizontal = horizontal_bars(&sample());
        assert!(horizontal.contains(">\nno P3 incidents\n</text>"), "a missing bar is not drawn as 0");
        assert_eq!(horizontal.matches("fill=\"#3C7DB5\"").count(), 2, "two bars, none for the missing value");
    }

    #[test]
    fn a_value_label_is_never_struck_by_the_target_line() {
        let spec = Cartesian {
            unit: Unit::Percent,
            max: Some(100.0),
            target: Some((95.0, "target 95%".into())),
            series: vec![Series::new("Within target", vec![Some(93.0), Some(50.0), Some(99.0)])],
            ..sample()
        };
        let svg = vertical_bars(&spec);
        // 93 % would sit on the 95 % line above its bar: it is printed inside the bar, in white.
        let label = svg.split("<text").find(|part| part.contains(">\n93.0%\n<")).expect("the value is printed");
        assert!(label.contains("#FFFFFF"), "{label}");
        let clear = svg.split("<text").find(|part| part.contains(">\n50.0%\n<")).unwrap();
        assert!(!clear.contains("#FFFFFF"), "a value clear of the line stays above its bar");
    }

    #[test]
    fn two_lines_on_each_other_are_told_apart() {
        let same = vec![Some(4.0), Some(5.0), Some(5.0)];
        let spec = Cartesian { series: vec![Series::new("Total", same.clone()), Series::new("Active", same)], ..sample() };
        let svg = lines(&spec);
        // The second series' markers are hollow (white inside its colour) and its line dashed.
        assert!(svg.matches("fill=\"#FFFFFF\"").count() >= 3, "hollow markers");
        assert!(svg.matches("<polyline").count() + svg.matches("<line").count() > 6, "a dashed line is drawn in pieces");
    }

    #[test]
    fn empty_series_are_detected() {
        let mut spec = sample();
        spec.series[0].values = vec![None, None, None];
        assert!(spec.is_empty());
    }
}
