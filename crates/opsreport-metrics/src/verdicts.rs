//! `verdicts.*`: whether each headline figure met its target, by one rule ([`meets`]) used by
//! every place that decides it — the availability section, the insights and this summary, which
//! the PDF's met/missed marks read.

use opsreport_model::Config;
use opsreport_model::metrics::{ByPriority, Metrics, Verdicts};

/// Whether `values` meet `target`: `None` when there is no value, else whether every value there
/// is reaches it.
pub fn meets(values: impl IntoIterator<Item = Option<f64>>, target: f64) -> Option<bool> {
    let mut any = false;
    let mut all = true;
    for value in values.into_iter().flatten() {
        any = true;
        all &= value >= target;
    }
    any.then_some(all)
}

/// The verdicts of a report.
pub fn derive(metrics: &Metrics, config: &Config) -> Verdicts {
    let incidents = &metrics.incidents;
    let (response, resolution) = (&incidents.response_sla_pct, &incidents.resolution_sla_pct);
    let sla = config.sla.adherence_target_pct;
    let priority = |pick: fn(&ByPriority<Option<f64>>) -> Option<f64>| meets([pick(response), pick(resolution)], sla);
    Verdicts {
        sla_adherence: meets(
            [response.high, response.medium, response.low, resolution.high, resolution.medium, resolution.low],
            sla,
        ),
        sla_response: meets([response.high, response.medium, response.low], sla),
        sla_resolution: meets([resolution.high, resolution.medium, resolution.low], sla),
        mttr_high: incidents.mttr_minutes.high.map(|mttr| mttr <= incidents.resolution_target_minutes.high),
        sla_by_priority: ByPriority {
            high: priority(|values| values.high),
            medium: priority(|values| values.medium),
            low: priority(|values| values.low),
        },
        service_request_response: meets([metrics.service_requests.response_sla_pct.total], sla),
        patch_compliance: meets([metrics.patching.compliance_pct], config.patching.compliance_target_pct),
        backup_success: meets([metrics.backups.success_rate_pct], config.backups.success_target_pct),
        rfc_success: meets([metrics.rfcs.success_rate_pct], config.rfcs.success_target_pct),
        console_availability: metrics.availability.console.target_met,
        api_availability: metrics.availability.api.target_met,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_value_no_verdict_and_every_value_must_meet() {
        assert_eq!(meets([None, None], 95.0), None);
        assert_eq!(meets([Some(96.0), None], 95.0), Some(true));
        assert_eq!(meets([Some(96.0), Some(94.9)], 95.0), Some(false));
        assert_eq!(meets([Some(95.0)], 95.0), Some(true));
    }
}
