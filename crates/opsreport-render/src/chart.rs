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
}

impl Cartesian {
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
        let with_target = self.target.as_ref().map_or(data_max, |(target, _)| data_max.max(*target));
        self.max.unwrap_or_else(|| nice_ceiling(with_target * 1.12, self.unit))
    }
}

/// A round number at or above `value` for an axis end.
fn nice_ceiling(value: f64, unit: Unit) -> f64 {
    if value <= 0.0 {
        return if unit == Unit::Count { 5.0 } else { 1.0 };
    }
    let magnitude = 10f64.powf(value.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        let candidate = step * magnitude;
        if candidate >= value {
            return if unit == Unit::Count { candidate.max(5.0).ceil() } else { candidate };
        }
    }
    value
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

fn muted(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&MUTED)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

fn legend(root: &Area, series: &[Series], y: i32) -> DrawResult {
    if series.len() < 2 {
        return Ok(());
    }
    let mut x = 80;
    for (index, item) in series.iter().enumerate() {
        let color = PALETTE[index % PALETTE.len()];
        root.draw(&Rectangle::new([(x, y), (x + 14, y + 14)], color.filled()))?;
        root.draw(&Rectangle::new([(x, y), (x + 14, y + 14)], INK.stroke_width(1)))?;
        root.draw(&Text::new(
            crate::text::without_controls(&item.name, false).into_owned(),
            (x + 20, y + 7),
            font(15).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += 40 + item.name.chars().count() as i32 * 9;
    }
    Ok(())
}

fn ellipsize(text: &str, max: usize) -> String {
    let text = crate::text::without_controls(text, false);
    if text.chars().count() <= max { text.into_owned() } else { format!("{}…", text.chars().take(max - 1).collect::<String>()) }
}

type ValueChart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart with categories along x (labels drawn by the caller) and values along y, with the
/// report's mesh: light horizontal grid, unit ticks, the value axis title.
fn value_chart<'a, 'b>(
    root: &'a Area<'b>,
    spec: &Cartesian,
    bottom: f64,
    top: f64,
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
        .build_cartesian_2d(0f64..spec.categories.len() as f64, bottom..top)?;
    let unit = spec.unit;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(MUTED.stroke_width(1))
        .y_desc(spec.value_axis.clone())
        .axis_desc_style(muted(15))
        .label_style(muted(14))
        .y_label_formatter(&|value| unit.tick(*value))
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

/// Characters of a category label on one line: about 8 px a character at 14 px, in the width
/// of its category.
fn category_chars(spec: &Cartesian) -> usize {
    ((WIDTH as usize - 120) / spec.categories.len().max(1) / 8).clamp(4, 40)
}

/// A category label in at most two lines: split at the space nearest its middle when it does
/// not fit on one, each line cut with "…" if still too long.
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

fn draw_vertical_bars(svg: &mut String, spec: &Cartesian) -> DrawResult {
    let root = SVGBackend::with_string(svg, (WIDTH, spec.height)).into_drawing_area();
    root.fill(&WHITE)?;
    let count = spec.categories.len();
    let top = spec.value_max();
    let mut chart = value_chart(&root, spec, 0.0, top)?;
    let unit = spec.unit;
    let series_count = spec.series.len().max(1);
    let group_width = 0.72;
    for index in 0..count {
        let mut base = 0.0;
        for (number, series) in spec.series.iter().enumerate() {
            let Some(value) = series.values.get(index).copied().flatten() else { continue };
            let color = PALETTE[number % PALETTE.len()];
            let (left, right, low, high) = if spec.stacked {
                let left = index as f64 + (1.0 - group_width) / 2.0;
                (left, left + group_width, base, base + value)
            } else {
                let width = group_width / series_count as f64;
                let left = index as f64 + (1.0 - group_width) / 2.0 + width * number as f64;
                (left, left + width * 0.92, 0.0, value)
            };
            chart.draw_series(std::iter::once(Rectangle::new([(left, low), (right, high)], color.filled())))?;
            // Values are printed on bars with room for them: on a chart of many narrow bars (the
            // days of a month) only on the bars that stand out.
            let crowded = count > 16 && value / top < 0.1;
            if value > 0.0 && !crowded && (!spec.stacked || (high - low) / top > 0.06) {
                let label_y = if spec.stacked { (low + high) / 2.0 } else { high };
                let (x, y) = chart.backend_coord(&((left + right) / 2.0, label_y));
                let (text_color, offset, anchor) = if spec.stacked {
                    (if number == 0 || number == 4 { WHITE } else { INK }, 0, VPos::Center)
                } else {
                    (INK, -4, VPos::Bottom)
                };
                let size = if count > 8 && !spec.stacked && series_count > 1 { 11 } else { 13 };
                root.draw(&Text::new(
                    unit.format(value),
                    (x, y + offset),
                    (FONT, size).into_font().color(&text_color).pos(Pos::new(HPos::Center, anchor)),
                ))?;
            }
            base += value;
        }
        let (x, y) = chart.backend_coord(&(index as f64 + 0.5, 0.0));
        for (line, text) in category_lines(&spec.categories[index], category_chars(spec)).into_iter().enumerate() {
            root.draw(&Text::new(text, (x, y + 8 + 17 * line as i32), font(14).pos(Pos::new(HPos::Center, VPos::Top))))?;
        }
    }
    target_line(&root, &mut chart, spec)?;
    legend(&root, &spec.series, 6)?;
    root.present()?;
    Ok(())
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
    let top = spec.value_max();
    let unit = spec.unit;
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        .margin_right(90)
        .x_label_area_size(40)
        .y_label_area_size(300)
        .build_cartesian_2d(0f64..top, 0f64..count as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(6)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(MUTED.stroke_width(1))
        .x_desc(spec.value_axis.clone())
        .axis_desc_style(muted(15))
        .label_style(muted(14))
        .x_label_formatter(&|value| unit.tick(*value))
        .draw()?;
    for index in 0..count {
        // First category at the top.
        let row = (count - 1 - index) as f64;
        let value = spec.series.first().and_then(|series| series.values.get(index).copied().flatten()).unwrap_or(0.0);
        chart.draw_series(std::iter::once(Rectangle::new([(0.0, row + 0.18), (value, row + 0.82)], PALETTE[1].filled())))?;
        let (x, y) = chart.backend_coord(&(value, row + 0.5));
        root.draw(&Text::new(unit.format(value), (x + 6, y), font(13).pos(Pos::new(HPos::Left, VPos::Center))))?;
        let (x, y) = chart.backend_coord(&(0.0, row + 0.5));
        root.draw(&Text::new(
            ellipsize(&spec.categories[index], 36),
            (x - 8, y),
            font(14).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    if let Some((target, label)) = &spec.target {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*target, 0.0), (*target, count as f64)],
            TARGET.stroke_width(2),
        )))?;
        let (x, y) = chart.backend_coord(&(*target, count as f64));
        root.draw(&Text::new(
            label.clone(),
            (x, y - 2),
            (FONT, 13).into_font().color(&TARGET).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
    }
    root.present()?;
    Ok(())
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
    let top = spec.value_max();
    // Every value axis starts at zero: a zoomed axis makes a small change look large.
    let bottom = 0.0;
    let unit = spec.unit;
    let mut chart = value_chart(&root, spec, bottom, top)?;
    target_line(&root, &mut chart, spec)?;
    let label_every = count.div_ceil(12).max(1);
    for (number, series) in spec.series.iter().enumerate() {
        let color = PALETTE[number % PALETTE.len()];
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs = Vec::new();
        for (index, value) in series.values.iter().enumerate() {
            match value {
                Some(value) => run.push((index as f64 + 0.5, *value)),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for run in runs.into_iter().filter(|run| !run.is_empty()) {
            chart.draw_series(std::iter::once(PathElement::new(run.clone(), color.stroke_width(3))))?;
            let marker_size = if count > 15 { 2 } else { 5 };
            chart.draw_series(run.iter().map(|point| Circle::new(*point, marker_size, color.filled())))?;
            // Values are printed while they cannot run into each other: one series, or two over
            // few points (a value equal to the first series' is printed once).
            if count <= 12 && (spec.series.len() == 1 || (spec.series.len() == 2 && count <= 6)) {
                for point in &run {
                    let index = (point.0 - 0.5).round() as usize;
                    let repeated = number > 0 && spec.series[0].values.get(index).copied().flatten() == Some(point.1);
                    if repeated {
                        continue;
                    }
                    let (x, y) = chart.backend_coord(point);
                    let above = number == 0;
                    root.draw(&Text::new(
                        unit.format(point.1),
                        (x, if above { y - 9 } else { y + 9 }),
                        font(13).pos(Pos::new(HPos::Center, if above { VPos::Bottom } else { VPos::Top })),
                    ))?;
                }
            }
        }
    }
    for index in (0..count).step_by(label_every) {
        let (x, y) = chart.backend_coord(&(index as f64 + 0.5, bottom));
        root.draw(&Text::new(spec.categories[index].clone(), (x, y + 8), font(14).pos(Pos::new(HPos::Center, VPos::Top))))?;
    }
    legend(&root, &spec.series, 6)?;
    root.present()?;
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
            series: vec![Series { name: "Opened".into(), values: vec![Some(2.0), Some(5.0), None] }],
            unit: Unit::Count,
            stacked: false,
            target: None,
            max: None,
            height: 300,
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

    #[test]
    fn empty_series_are_detected() {
        let mut spec = sample();
        spec.series[0].values = vec![None, None, None];
        assert!(spec.is_empty());
    }
}
