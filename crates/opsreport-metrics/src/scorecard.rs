//! `scorecard`: a score from 0 to 100 per area and overall, from the finished metrics and
//! `[scorecard]`'s published weights and thresholds (`docs/metrics.md`). An area scores 100 at
//! its target and 0 at its `zero` threshold, in a straight line between; the overall score is the
//! weighted mean of the areas that could be scored. The history applies the same rule to each of
//! the trend's last six periods, so a point and the period's own score never follow two rules.

use opsreport_model::metrics::{ByPriority, IncidentTrendPoint, Metrics, PercentPoint};
use opsreport_model::scorecard::{Area, AreaScore, ScorePoint, Scorecard, ScorecardSettings};
use opsreport_model::{Config, PeriodId, PeriodKind};

/// How many trend periods the history covers.
pub const HISTORY_PERIODS: usize = 6;

/// What one area is scored on at one period: the value, the values of full and no marks, and
/// what the value is (for the reason).
#[derive(Clone, Debug, PartialEq)]
struct Measured {
    value: f64,
    full_at: f64,
    zero_at: f64,
    what: String,
}

/// A score from 0 to 100, to one decimal: where `value` lies from `zero_at` to `full_at`.
pub fn band(value: f64, full_at: f64, zero_at: f64) -> f64 {
    let share = ((value - zero_at) / (full_at - zero_at)).clamp(0.0, 1.0);
    (share * 1000.0).round() / 10.0
}

/// The scorecard of a report.
pub fn derive(metrics: &Metrics, config: &Config) -> Scorecard {
    let settings = &config.scorecard;
    let periods = history_periods(metrics);
    let areas: Vec<AreaScore> = Area::ALL.iter().map(|area| area_score(*area, metrics, config, &periods)).collect();
    let overall = weighted(settings, areas.iter().map(|area| (area.area, area.score)));
    let history = periods
        .iter()
        .enumerate()
        .map(|(index, period)| ScorePoint {
            period: *period,
            score: weighted(settings, areas.iter().map(|area| (area.area, area.history[index].score))),
        })
        .collect();
    let total: f64 = Area::ALL.iter().map(|area| settings.weight(*area)).sum();
    let scored: f64 = areas.iter().filter(|area| area.score.is_some()).map(|area| area.weight).sum();
    Scorecard {
        overall,
        grade: overall.map(|score| settings.grade(score)),
        weight_scored: if total > 0.0 { (scored / total * 1000.0).round() / 10.0 } else { 0.0 },
        history,
        areas,
    }
}

/// The weighted mean of the scores there are (areas of weight 0 and unscored ones left out), to
/// one decimal.
fn weighted(settings: &ScorecardSettings, scores: impl Iterator<Item = (Area, Option<f64>)>) -> Option<f64> {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (area, score) in scores {
        let weight = settings.weight(area);
        if let Some(score) = score.filter(|_| weight > 0.0) {
            sum += weight * score;
            weights += weight;
        }
    }
    (weights > 0.0).then(|| (sum / weights * 10.0).round() / 10.0)
}

/// The trend's last six periods (the incidents' trend: every kind has it).
fn history_periods(metrics: &Metrics) -> Vec<PeriodId> {
    let months = &metrics.incidents.trend_months;
    months[months.len().saturating_sub(HISTORY_PERIODS)..].iter().map(|point| point.month).collect()
}

fn area_score(area: Area, metrics: &Metrics, config: &Config, periods: &[PeriodId]) -> AreaScore {
    let settings = &config.scorecard;
    let weight = settings.weight(area);
    let history = periods
        .iter()
        .map(|period| ScorePoint {
            period: *period,
            score: at_point(area, metrics, config, *period)
                .map(|measured| band(measured.value, measured.full_at, measured.zero_at)),
        })
        .collect();
    let measured = match now(area, metrics, config) {
        Ok(measured) => measured,
        Err(reason) => {
            return AreaScore {
                area,
                weight,
                value: None,
                full_at: None,
                zero_at: None,
                score: None,
                grade: None,
                reason: Some(reason),
                history,
            };
        }
    };
    let score = band(measured.value, measured.full_at, measured.zero_at);
    AreaScore {
        area,
        weight,
        value: Some(measured.value),
        full_at: Some(measured.full_at),
        zero_at: Some(measured.zero_at),
        score: Some(score),
        grade: Some(settings.grade(score)),
        reason: (score < 100.0).then(|| lost(area, &measured, score)),
        history,
    }
}

/// Why an area lost points, in words: "P1 response SLA share 50.0% against a 95.0% target (no
/// points at 75.0%): 100.0 points lost".
fn lost(area: Area, measured: &Measured, score: f64) -> String {
    let points = ((100.0 - score) * 10.0).round() / 10.0;
    if area == Area::Cost {
        return format!(
            "{} up {:.1}% on the previous period, over the {:.1}% that keeps full marks (no points from {:.1}%): {points:.1} points lost",
            measured.what, measured.value, measured.full_at, measured.zero_at
        );
    }
    // Availability is read to three decimals, as its tiles show it (99.892% is not 99.9%).
    let places = if area == Area::Availability { 3 } else { 1 };
    format!(
        "{} {:.places$}% against a {}% target (no points at {}%): {points:.1} points lost",
        measured.what,
        measured.value,
        threshold(measured.full_at),
        threshold(measured.zero_at)
    )
}

/// A target or threshold as written: one decimal, more only when it has them (99.95).
fn threshold(value: f64) -> String {
    let text = format!("{value:.3}");
    let trimmed = text.trim_end_matches('0');
    if trimmed.ends_with('.') { format!("{trimmed}0") } else { trimmed.to_owned() }
}

/// The area's measure over the period, or why it cannot be scored.
fn now(area: Area, m: &Metrics, config: &Config) -> Result<Measured, String> {
    let settings = &config.scorecard;
    let zero_below = |target: f64| target - settings.target_rule(area).map_or(0.0, |rule| rule.zero_below_target);
    // In the customer's words (the technical reason is the data-quality appendix's).
    let missing = |available: bool, none: &str| {
        if available { none.to_owned() } else { format!("No {} data was delivered for the period", subject(area)) }
    };
    // A percentage scored in full at its target.
    let against = |value: Option<f64>, target: f64, what: &str| {
        value.map(|value| Measured { value, full_at: target, zero_at: zero_below(target), what: what.to_owned() })
    };
    match area {
        Area::Incidents => {
            let target = config.sla.adherence_target_pct;
            lowest_sla(&m.incidents.response_sla_pct, &m.incidents.resolution_sla_pct)
                .map(|(value, what)| Measured { value, full_at: target, zero_at: zero_below(target), what })
                .ok_or_else(|| missing(m.incidents.status.available, "No incident with a target to measure in the period"))
        }
        Area::Availability => availability(m, config, None)
            .ok_or_else(|| missing(m.availability.status.available, "No availability probe in the period")),
        Area::Patching => against(m.patching.compliance_pct, config.patching.compliance_target_pct, "Patch compliance")
            .ok_or_else(|| missing(m.patching.status.available, "No instance to patch in the period")),
        Area::Backups => against(m.backups.success_rate_pct, config.backups.success_target_pct, "Backup success")
            .ok_or_else(|| missing(m.backups.status.available, "No backup job finished in the period")),
        Area::Changes => against(m.rfcs.success_rate_pct, config.rfcs.success_target_pct, "Change success")
            .ok_or_else(|| missing(m.rfcs.status.available, "No change completed in the period")),
        Area::Cost => cost_now(m, config),
    }
}

/// What an area's data is about, as a customer names it ("No backup data was delivered …").
fn subject(area: Area) -> &'static str {
    match area {
        Area::Incidents => "incident",
        Area::Availability => "availability",
        Area::Patching => "patching",
        Area::Backups => "backup",
        Area::Changes => "change request",
        Area::Cost => "billing",
    }
}

/// Cost's measure over the period: the growth over the previous period's charges.
fn cost_now(m: &Metrics, config: &Config) -> Result<Measured, String> {
    if m.kind == PeriodKind::Weekly {
        return Err("Charges are billed per month: not scored in a weekly review".to_owned());
    }
    let rule = &config.scorecard.cost;
    let growth = match m.kind {
        PeriodKind::Quarterly => quarter_growth(&cost_totals(m)),
        _ => m.cost.mom_change_pct,
    };
    growth
        .map(|value| Measured {
            value,
            full_at: rule.full_at_growth_pct,
            zero_at: rule.zero_at_growth_pct,
            what: "Charges".to_owned(),
        })
        .ok_or_else(|| {
            if m.cost.status.available {
                "No charges of the previous period to compare with".to_owned()
            } else {
                "No billing data was delivered for the period".to_owned()
            }
        })
}

/// The cost trend's totals.
fn cost_totals(m: &Metrics) -> Vec<(PeriodId, Option<f64>)> {
    m.cost.trend.iter().map(|point| (point.month, point.total)).collect()
}

/// A quarter's growth over the previous one from six monthly totals (every month known).
fn quarter_growth(totals: &[(PeriodId, Option<f64>)]) -> Option<f64> {
    let sum = |months: &[(PeriodId, Option<f64>)]| months.iter().map(|(_, total)| *total).sum::<Option<f64>>();
    let (before, now) = (sum(totals.get(totals.len().checked_sub(6)?..totals.len() - 3)?)?, sum(&totals[totals.len() - 3..])?);
    growth(now, before)
}

/// The growth of `now` over `before`, percent (none when `before` is not above 0).
fn growth(now: f64, before: f64) -> Option<f64> {
    (before > 0.0).then(|| (now - before) / before * 100.0)
}

/// The lowest SLA share of any priority, response or resolution, and which it is.
fn lowest_sla(response: &ByPriority<Option<f64>>, resolution: &ByPriority<Option<f64>>) -> Option<(f64, String)> {
    let mut lowest: Option<(f64, String)> = None;
    for (clock, values) in [("response", response), ("resolution", resolution)] {
        for (priority, value) in [("P1", values.high), ("P2", values.medium), ("P3", values.low)] {
            if let Some(value) = value
                && lowest.as_ref().is_none_or(|(low, _)| value < *low)
            {
                lowest = Some((value, format!("{priority} {clock} SLA share")));
            }
        }
    }
    lowest
}

/// Availability's measure: the endpoint that scores lower, against its own target. `period`
/// picks a trend point; `None` is the period itself.
fn availability(m: &Metrics, config: &Config, period: Option<PeriodId>) -> Option<Measured> {
    let span = config.scorecard.availability.zero_below_target;
    let value_at = |now: Option<f64>, trend: &[PercentPoint]| match period {
        None => now,
        Some(period) => trend.iter().find(|point| point.month == period).and_then(|point| point.pct),
    };
    let endpoints = [
        (
            "Console availability",
            value_at(m.availability.console.pct, &m.availability.console.trend),
            m.availability.console.target_pct,
        ),
        ("API availability", value_at(m.availability.api.pct, &m.availability.api.trend), m.availability.api.target_pct),
    ];
    endpoints
        .into_iter()
        .filter_map(|(what, value, target)| {
            value.map(|value| Measured { value, full_at: target, zero_at: target - span, what: what.to_owned() })
        })
        .min_by(|left, right| {
            band(left.value, left.full_at, left.zero_at).total_cmp(&band(right.value, right.full_at, right.zero_at))
        })
}

/// The area's measure at one trend period.
fn at_point(area: Area, m: &Metrics, config: &Config, period: PeriodId) -> Option<Measured> {
    let settings = &config.scorecard;
    let pct_at = |trend: &[PercentPoint]| trend.iter().find(|point| point.month == period).and_then(|point| point.pct);
    let against = |value: Option<f64>, target: f64| {
        let span = settings.target_rule(area).map_or(0.0, |rule| rule.zero_below_target);
        value.map(|value| Measured { value, full_at: target, zero_at: target - span, what: String::new() })
    };
    match area {
        Area::Incidents => {
            let point: &IncidentTrendPoint = m.incidents.trend_months.iter().find(|point| point.month == period)?;
            let (value, _) = lowest_sla(&point.response_sla_pct, &point.resolution_sla_pct)?;
            against(Some(value), config.sla.adherence_target_pct)
        }
        Area::Availability => availability(m, config, Some(period)),
        Area::Patching => against(pct_at(&m.patching.trend), config.patching.compliance_target_pct),
        Area::Backups => against(pct_at(&m.backups.trend), config.backups.success_target_pct),
        Area::Changes => against(
            m.rfcs.trend.iter().find(|point| point.month == period).and_then(|point| point.success_rate_pct),
            config.rfcs.success_target_pct,
        ),
        Area::Cost => {
            if m.kind == PeriodKind::Weekly {
                return None;
            }
            let totals = cost_totals(m);
            let index = totals.iter().position(|(month, _)| *month == period)?;
            let value = growth(totals[index].1?, totals.get(index.checked_sub(1)?)?.1?)?;
            let rule = &settings.cost;
            Some(Measured { value, full_at: rule.full_at_growth_pct, zero_at: rule.zero_at_growth_pct, what: String::new() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_is_a_straight_line_from_zero_to_full_marks() {
        assert_eq!(band(95.0, 95.0, 75.0), 100.0);
        assert_eq!(band(99.0, 95.0, 75.0), 100.0);
        assert_eq!(band(85.0, 95.0, 75.0), 50.0);
        assert_eq!(band(70.0, 95.0, 75.0), 0.0);
        // Cost: full marks at 5 % growth or less, none from 25 %.
        assert_eq!(band(15.0, 5.0, 25.0), 50.0);
        assert_eq!(band(-3.0, 5.0, 25.0), 100.0);
        assert_eq!(band(30.0, 5.0, 25.0), 0.0);
        assert_eq!(quarter_growth(&[]), None);
        assert_eq!([threshold(95.0), threshold(99.95), threshold(98.9)], ["95.0", "99.95", "98.9"]);
    }

    #[test]
    fn the_overall_score_is_the_weighted_mean_of_the_scored_areas() {
        let settings = ScorecardSettings::default();
        let scores = [(Area::Incidents, Some(80.0)), (Area::Availability, Some(100.0)), (Area::Cost, None)];
        // (25 × 80 + 20 × 100) / 45 = 88.9
        assert_eq!(weighted(&settings, scores.into_iter()), Some(88.9));
        assert_eq!(weighted(&settings, [(Area::Cost, None)].into_iter()), None);
    }
}
