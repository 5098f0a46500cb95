//! The graded scorecard on the hand-made fixture: each area's score and the overall one equal
//! the published rule (docs/metrics.md, `scorecard`) worked out here from the report's own
//! measures and the configured weights and thresholds — with the defaults and with others.

use opsreport_extract::{LocalSource, Source};
use opsreport_metrics::{MetricsContext, MetricsInput, compute};
use opsreport_model::metrics::Metrics;
use opsreport_model::scorecard::{Area, Grade};
use opsreport_model::{AccountId, Config, ReportPeriod, YearMonth};

fn metrics_with(config: Config, month: &str) -> Metrics {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    let source = LocalSource::new(format!("{manifest_dir}/../../fixtures/handmade")).unwrap();
    let account = AccountId::parse("000000000001").unwrap();
    let period = ReportPeriod::new(YearMonth::parse(month).unwrap(), chrono_tz::Tz::UTC);
    let data = source.load_account(&account, &period).unwrap();
    let input =
        MetricsInput { frames: data.frames(), histories: data.histories(), quality: data.quality(), several_accounts: false };
    let context = MetricsContext {
        subject: opsreport_model::Subject::Account(account),
        period,
        config,
        generated_on: period.default_generated_on(),
        generator_version: "opsreport test".into(),
        input_fingerprint: "test".into(),
    };
    compute(&input, &context).unwrap()
}

/// The published line: 100 at `full`, 0 at `zero`, to one decimal.
fn published(value: f64, full: f64, zero: f64) -> f64 {
    let share = ((value - zero) / (full - zero)).clamp(0.0, 1.0);
    (share * 1000.0).round() / 10.0
}

/// Each area's value as docs/metrics.md defines it, from the report's own figures.
fn expected_scores(m: &Metrics, config: &Config) -> Vec<(Area, Option<f64>)> {
    let card = &config.scorecard;
    let sla = config.sla.adherence_target_pct;
    let lowest = [&m.incidents.response_sla_pct, &m.incidents.resolution_sla_pct]
        .iter()
        .flat_map(|values| [values.high, values.medium, values.low])
        .flatten()
        .reduce(f64::min);
    let endpoint =
        |pct: Option<f64>, target: f64| pct.map(|pct| published(pct, target, target - card.availability.zero_below_target));
    let availability = [
        endpoint(m.availability.console.pct, m.availability.console.target_pct),
        endpoint(m.availability.api.pct, m.availability.api.target_pct),
    ]
    .into_iter()
    .flatten()
    .reduce(f64::min);
    let against = |value: Option<f64>, target: f64, span: f64| value.map(|value| published(value, target, target - span));
    vec![
        (Area::Incidents, lowest.map(|value| published(value, sla, sla - card.incidents.zero_below_target))),
        (Area::Availability, availability),
        (
            Area::Patching,
            against(m.patching.compliance_pct, config.patching.compliance_target_pct, card.patching.zero_below_target),
        ),
        (Area::Backups, against(m.backups.success_rate_pct, config.backups.success_target_pct, card.backups.zero_below_target)),
        (Area::Changes, against(m.rfcs.success_rate_pct, config.rfcs.success_target_pct, card.changes.zero_below_target)),
        (
            Area::Cost,
            m.cost.mom_change_pct.map(|growth| published(growth, card.cost.full_at_growth_pct, card.cost.zero_at_growth_pct)),
        ),
    ]
}

fn check(m: &Metrics, config: &Config) {
    let expected = expected_scores(m, config);
    let scores: Vec<(Area, Option<f64>)> = m.scorecard.areas.iter().map(|area| (area.area, area.score)).collect();
    assert_eq!(scores, expected);
    let (mut sum, mut weights) = (0.0, 0.0);
    for (area, score) in &expected {
        let weight = config.scorecard.weight(*area);
        if let Some(score) = score.filter(|_| weight > 0.0) {
            sum += weight * score;
            weights += weight;
        }
    }
    let overall = (sum / weights * 10.0).round() / 10.0;
    assert_eq!(m.scorecard.overall, Some(overall), "{:?}", m.scorecard);
    assert_eq!(m.scorecard.grade, Some(config.scorecard.grade(overall)));
    for area in &m.scorecard.areas {
        assert_eq!(area.reason.is_some(), area.score.is_none_or(|score| score < 100.0), "{area:?}");
        assert_eq!(area.history.len(), 6, "six months of history");
        // The history's last month is the report's month, scored by the same rule.
        assert_eq!(area.history.last().and_then(|point| point.score), area.score, "{:?}", area.area);
    }
}

#[test]
fn the_scorecard_follows_the_published_weights_and_thresholds() {
    let defaults = Config::default();
    let october = metrics_with(defaults.clone(), "2026-10");
    check(&october, &defaults);
    assert!(october.scorecard.areas.iter().filter(|area| area.score.is_some()).count() >= 4, "{:?}", october.scorecard);
    // The hand-made month misses every target by far: it scores nothing with the defaults.
    assert_eq!(october.scorecard.overall, Some(0.0));
    // Other weights and thresholds: incidents left out, every band wider, cost heavier.
    let config = Config::from_toml(
        "[scorecard]\ngrade_a = 50.0\ngrade_b = 40.0\ngrade_c = 30.0\n[scorecard.incidents]\nweight = 0.0\nzero_below_target = 100.0\n\
         [scorecard.availability]\nweight = 50.0\nzero_below_target = 60.0\n[scorecard.patching]\nweight = 15.0\nzero_below_target = 100.0\n\
         [scorecard.backups]\nweight = 15.0\nzero_below_target = 100.0\n[scorecard.changes]\nweight = 15.0\nzero_below_target = 100.0\n\
         [scorecard.cost]\nweight = 40.0\nfull_at_growth_pct = 0.0\nzero_at_growth_pct = 100.0\n",
        "test.toml",
    )
    .unwrap();
    let strict = metrics_with(config.clone(), "2026-10");
    check(&strict, &config);
    assert!(strict.scorecard.overall.is_some_and(|overall| overall > 0.0), "{:?}", strict.scorecard);
    // Availability: 50 % against 99.9 %, no points at 39.9 %: (50 − 39.9) / 60 → 16.8.
    assert_eq!(strict.scorecard.areas[1].score, Some(16.8));
    assert_eq!(strict.scorecard.weight_scored, 100.0, "incidents' weight is 0: all of the weight there is is scored");
    // Nothing to score: a month without any data has no score and no grade, and says why.
    let empty = metrics_with(Config::default(), "2025-01");
    assert_eq!((empty.scorecard.overall, empty.scorecard.grade), (None, None::<Grade>));
    assert!(empty.scorecard.areas.iter().all(|area| area.score.is_none() && area.reason.is_some()), "{:?}", empty.scorecard);
}
