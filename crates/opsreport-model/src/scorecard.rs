//! The graded scorecard: `[scorecard]` (the published weights and thresholds) and what a report
//! scores with them (`metrics.json` `scorecard`). The rules that turn a measure into points live
//! in `opsreport-metrics/src/scorecard.rs`; the definitions are in `docs/metrics.md`.

use serde::{Deserialize, Serialize};

/// An area the scorecard grades, in the order it lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// Incidents answered and resolved within their targets.
    Incidents,
    /// Console and API availability.
    Availability,
    /// Patch compliance.
    Patching,
    /// Backup success.
    Backups,
    /// Change (RFC) success.
    Changes,
    /// The growth of the charges.
    Cost,
}

impl Area {
    /// Every area, in the scorecard's order.
    pub const ALL: [Area; 6] = [Area::Incidents, Area::Availability, Area::Patching, Area::Backups, Area::Changes, Area::Cost];

    /// The area's name in the report.
    pub fn title(self) -> &'static str {
        match self {
            Area::Incidents => "Incidents and SLA",
            Area::Availability => "Availability",
            Area::Patching => "Patching",
            Area::Backups => "Backups",
            Area::Changes => "Changes",
            Area::Cost => "Cost",
        }
    }

    /// What the area's score is measured on.
    pub fn measure(self) -> &'static str {
        match self {
            Area::Incidents => "lowest response or resolution SLA share of any priority",
            Area::Availability => "console and API availability, the lower-scoring of the two",
            Area::Patching => "patch compliance",
            Area::Backups => "backup success rate",
            Area::Changes => "change success rate",
            Area::Cost => "growth of the charges (AWS and AMS) over the previous period",
        }
    }
}

/// A grade, from a score and `[scorecard]`'s grade thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grade {
    /// At or above `grade_a`.
    A,
    /// At or above `grade_b`.
    B,
    /// At or above `grade_c`.
    C,
    /// Below `grade_c`.
    D,
}

impl Grade {
    /// The grade's letter.
    pub fn letter(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }
}

/// `[scorecard.<area>]` of an area scored against its target: full marks at the target (the
/// configured `[sla]`, `[availability]`, `[patching]`, `[backups]` or `[rfcs]` one), none at
/// `zero_below_target` percentage points under it, in a straight line between. A table given
/// gives both keys (a default taken from another area would surprise).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRule {
    /// The area's weight in the overall score (relative to the other areas').
    pub weight: f64,
    /// How many percentage points under the target score nothing.
    pub zero_below_target: f64,
}

/// `[scorecard.cost]`: full marks while the charges grow at most `full_at_growth_pct` over the
/// previous period (a fall included), none from `zero_at_growth_pct`, in a straight line between.
/// A table given gives all three keys.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRule {
    /// The area's weight in the overall score.
    pub weight: f64,
    /// Growth, percent, at or under which the area scores 100.
    pub full_at_growth_pct: f64,
    /// Growth, percent, from which the area scores 0.
    pub zero_at_growth_pct: f64,
}

/// `[scorecard]`: the weights and thresholds the scorecard is computed with, published in
/// `docs/metrics.md` with these defaults.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScorecardSettings {
    /// A score at or above this is an A.
    pub grade_a: f64,
    /// … a B.
    pub grade_b: f64,
    /// … a C; below it, a D.
    pub grade_c: f64,
    /// Incidents: the lowest SLA share against `[sla] adherence_target_pct`.
    pub incidents: TargetRule,
    /// Availability: each endpoint against its `[availability]` target.
    pub availability: TargetRule,
    /// Patching: compliance against `[patching] compliance_target_pct`.
    pub patching: TargetRule,
    /// Backups: success against `[backups] success_target_pct`.
    pub backups: TargetRule,
    /// Changes: success against `[rfcs] success_target_pct`.
    pub changes: TargetRule,
    /// Cost: the charges' growth.
    pub cost: CostRule,
}

impl Default for ScorecardSettings {
    fn default() -> Self {
        Self {
            grade_a: 90.0,
            grade_b: 75.0,
            grade_c: 60.0,
            incidents: TargetRule { weight: 25.0, zero_below_target: 20.0 },
            availability: TargetRule { weight: 20.0, zero_below_target: 1.0 },
            patching: TargetRule { weight: 15.0, zero_below_target: 20.0 },
            backups: TargetRule { weight: 15.0, zero_below_target: 10.0 },
            changes: TargetRule { weight: 15.0, zero_below_target: 15.0 },
            cost: CostRule { weight: 10.0, full_at_growth_pct: 5.0, zero_at_growth_pct: 25.0 },
        }
    }
}

impl ScorecardSettings {
    /// Whether every setting is its default (the configuration then fingerprints as before).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The rule of an area scored against its target (`None` for cost).
    pub fn target_rule(&self, area: Area) -> Option<TargetRule> {
        match area {
            Area::Incidents => Some(self.incidents),
            Area::Availability => Some(self.availability),
            Area::Patching => Some(self.patching),
            Area::Backups => Some(self.backups),
            Area::Changes => Some(self.changes),
            Area::Cost => None,
        }
    }

    /// An area's weight.
    pub fn weight(&self, area: Area) -> f64 {
        self.target_rule(area).map_or(self.cost.weight, |rule| rule.weight)
    }

    /// The grade of a score.
    pub fn grade(&self, score: f64) -> Grade {
        if score >= self.grade_a {
            Grade::A
        } else if score >= self.grade_b {
            Grade::B
        } else if score >= self.grade_c {
            Grade::C
        } else {
            Grade::D
        }
    }

    /// The first setting out of its range: its key, value and rule.
    pub fn out_of_range(&self) -> Option<(String, String, &'static str)> {
        let bad = |key: &str, value: f64, rule: &'static str| Some((format!("scorecard.{key}"), value.to_string(), rule));
        for area in Area::ALL {
            let weight = self.weight(area);
            if !(0.0..=100.0).contains(&weight) {
                return bad(&format!("{}.weight", key(area)), weight, "a weight from 0 to 100");
            }
            if let Some(rule) = self.target_rule(area)
                && !(rule.zero_below_target > 0.0 && rule.zero_below_target <= 100.0)
            {
                return bad(
                    &format!("{}.zero_below_target", key(area)),
                    rule.zero_below_target,
                    "percentage points greater than 0, at most 100",
                );
            }
        }
        if Area::ALL.iter().all(|area| self.weight(*area) == 0.0) {
            return bad("incidents.weight", 0.0, "a weight above 0 for at least one area");
        }
        let cost = &self.cost;
        if !(cost.full_at_growth_pct.is_finite()
            && cost.zero_at_growth_pct.is_finite()
            && cost.zero_at_growth_pct > cost.full_at_growth_pct)
        {
            return bad("cost.zero_at_growth_pct", cost.zero_at_growth_pct, "a growth greater than cost.full_at_growth_pct");
        }
        let grades = [("grade_a", self.grade_a), ("grade_b", self.grade_b), ("grade_c", self.grade_c)];
        if let Some((key, value)) = grades.iter().find(|(_, value)| !(0.0..=100.0).contains(value)) {
            return bad(key, *value, "a score from 0 to 100");
        }
        if !(self.grade_a > self.grade_b && self.grade_b > self.grade_c) {
            return bad("grade_b", self.grade_b, "a score under grade_a and over grade_c");
        }
        None
    }
}

/// An area's key in `[scorecard]`.
pub fn key(area: Area) -> &'static str {
    match area {
        Area::Incidents => "incidents",
        Area::Availability => "availability",
        Area::Patching => "patching",
        Area::Backups => "backups",
        Area::Changes => "changes",
        Area::Cost => "cost",
    }
}

/// `scorecard`: a score from 0 to 100 per area and overall, with its grade, its history over the
/// trend's periods and why each area lost points.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// The weighted mean of the scored areas' scores, to one decimal (null: no area scored).
    pub overall: Option<f64>,
    /// Its grade.
    pub grade: Option<Grade>,
    /// The weight of the areas in the overall score, of the weight of all six.
    pub weight_scored: f64,
    /// The overall score at each of the last six periods of the trend.
    pub history: Vec<ScorePoint>,
    /// Each area, in [`Area::ALL`]'s order.
    pub areas: Vec<AreaScore>,
}

/// One area's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AreaScore {
    /// The area.
    pub area: Area,
    /// Its weight (`[scorecard.<area>] weight`).
    pub weight: f64,
    /// The measure scored (a percentage; cost: the growth in percent).
    pub value: Option<f64>,
    /// The value that scores 100 (the target; cost: the growth at which points start to go).
    pub full_at: Option<f64>,
    /// The value that scores 0.
    pub zero_at: Option<f64>,
    /// 0 to 100, to one decimal; null when there is nothing to score.
    pub score: Option<f64>,
    /// Its grade.
    pub grade: Option<Grade>,
    /// Why it lost points, or why it is not scored; null at full marks.
    pub reason: Option<String>,
    /// The area's score at each of the last six periods of the trend.
    pub history: Vec<ScorePoint>,
}

/// A score at one period of the trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScorePoint {
    /// The period (a month, or a week in a weekly review).
    pub period: crate::PeriodId,
    /// The score (null: nothing to score then).
    pub score: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_and_ranges() {
        let settings = ScorecardSettings::default();
        assert_eq!(
            [95.0, 90.0, 89.9, 75.0, 60.0, 59.9].map(|score| settings.grade(score)),
            [Grade::A, Grade::A, Grade::B, Grade::B, Grade::C, Grade::D]
        );
        assert_eq!(Area::ALL.iter().map(|area| settings.weight(*area)).sum::<f64>(), 100.0);
        assert_eq!(settings.out_of_range(), None);
        let mut bad = settings;
        bad.cost.zero_at_growth_pct = 1.0;
        assert_eq!(bad.out_of_range().unwrap().0, "scorecard.cost.zero_at_growth_pct");
        let mut bad = settings;
        bad.grade_b = 95.0;
        assert_eq!(bad.out_of_range().unwrap().0, "scorecard.grade_b");
        let mut bad = settings;
        bad.patching.zero_below_target = 0.0;
        assert_eq!(bad.out_of_range().unwrap().0, "scorecard.patching.zero_below_target");
    }
}
