#!/usr/bin/env python3
"""The month's figures of one account computed by DuckDB from the same Parquet files that
`opsreport metrics` reads: what `opsreport bench` compares the metrics stage with.

Usage: duckdb_metrics.py DATA_ROOT ACCOUNT MONTH [TIMEZONE]

It runs the aggregations the report needs per section, in SQL: counts by status, severity,
source and outcome; rates; mean times; the backup recovery-point gaps (a window over every
resource's completions); the lists the report prints in full (failed backup jobs, security
events); the six-month trends. It reads only the partitions of the months a report reads
(the six trend months). Deduplication follows the data contract (latest `dataset_datetime`
of a backup job wins). It prints one JSON object on stdout: a few headline figures (for a
sanity check against metrics.json) and this process's peak resident size.
"""

import json
import resource
import sys
import time

import duckdb

SECURITY_SOURCES = ("GuardDuty", "SecurityHub", "Macie", "Inspector", "IAMAccessAnalyzer", "Detective")
TERMINAL = ("COMPLETED", "FAILED", "ABORTED", "EXPIRED", "PARTIAL")


def peak_rss_mib() -> int:
    """This process's peak resident size: the kernel's high-water mark of its own memory (the
    rusage maximum would include the image of the process that started it, from before exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def months_back(month: str, count: int) -> list[str]:
    year, number = (int(part) for part in month.split("-"))
    out = []
    for back in range(count - 1, -1, -1):
        index = year * 12 + number - 1 - back
        out.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    return out


def files(root: str, dataset: str, account: str, months: list[str]) -> str:
    return "[" + ", ".join(f"'{root}/{dataset}/aws_account_id={account}/month={m}/*.parquet'" for m in months) + "]"


def main() -> None:
    root, account, month = sys.argv[1], sys.argv[2], sys.argv[3]
    zone = sys.argv[4] if len(sys.argv) > 4 else "UTC"
    started = time.monotonic()
    trend = months_back(month, 6)
    first = f"TIMESTAMPTZ '{month}-01 00:00:00 {zone}'"
    end = f"({first} + INTERVAL 1 MONTH)"
    db = duckdb.connect()
    db.execute("SET threads TO 2")
    db.execute(f"SET TimeZone = '{zone}'")

    def scan(dataset: str, months: list[str] = trend) -> str:
        return f"read_parquet({files(root, dataset, account, months)}, hive_partitioning = false, union_by_name = true)"

    out = {}
    # Backups: deduplicated jobs, the month's outcomes, coverage, stored bytes, RPO gaps, failed list, trend.
    db.execute(
        f"""CREATE TEMP TABLE jobs AS
        SELECT * EXCLUDE (rank) FROM (
          SELECT backup_job_id, backup_job_status, creation_dt_utc, completion_dt_utc, backup_size_in_bytes,
                 resource_id, resource_type, status_message,
                 row_number() OVER (PARTITION BY backup_job_id ORDER BY dataset_datetime DESC) AS rank
          FROM {scan('backup_jobs')}) WHERE rank = 1"""
    )
    current = f"(SELECT * FROM jobs WHERE creation_dt_utc >= {first} AND creation_dt_utc < {end})"
    out["backups_by_status"] = dict(db.execute(f"SELECT backup_job_status, count(*) FROM {current} GROUP BY 1").fetchall())
    out["backups_coverage"] = db.execute(
        f"""SELECT count(DISTINCT resource_id), count(DISTINCT resource_id) FILTER (backup_job_status = 'COMPLETED'),
                   sum(backup_size_in_bytes) FILTER (backup_job_status = 'COMPLETED') FROM {current}"""
    ).fetchone()
    out["backups_rpo_breaches"] = db.execute(
        f"""WITH done AS (
              SELECT resource_id, epoch_us(completion_dt_utc) AS done,
                     lag(epoch_us(completion_dt_utc)) OVER (PARTITION BY resource_id ORDER BY completion_dt_utc) AS previous
              FROM {current} WHERE backup_job_status = 'COMPLETED' AND completion_dt_utc IS NOT NULL),
            gaps AS (SELECT resource_id, max(done - coalesce(previous, epoch_us({first}))) AS inner_gap, max(done) AS last
                     FROM done GROUP BY 1),
            resources AS (SELECT resource_id, first(resource_type) AS resource_type FROM {current} GROUP BY 1)
            SELECT count(*) FROM (
              SELECT CASE WHEN last IS NULL THEN epoch_us({end}) - epoch_us({first})
                          ELSE greatest(inner_gap, epoch_us({end}) - last) END AS longest
              FROM resources LEFT JOIN gaps USING (resource_id))
            WHERE longest > 24 * 3600 * 1e6"""
    ).fetchone()[0]
    failed = db.execute(
        f"""SELECT backup_job_id, resource_id, resource_type, backup_job_status, creation_dt_utc, status_message
            FROM {current} WHERE backup_job_status IN ('FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL')
            ORDER BY creation_dt_utc DESC, backup_job_id"""
    ).fetchall()
    out["backups_failed_jobs"] = len(failed)
    out["backups_trend"] = db.execute(
        f"""SELECT strftime(creation_dt_utc, '%Y-%m') AS m,
                   100.0 * count(*) FILTER (backup_job_status = 'COMPLETED') / count(*)
            FROM jobs WHERE backup_job_status IN {TERMINAL} GROUP BY 1 ORDER BY 1"""
    ).fetchall()

    # Alerts: the month's counts by severity, source and outcome, the security events listed, the trend.
    alerts = scan("alerts")
    month_alerts = f"(SELECT * FROM {alerts} WHERE created_at >= {first} AND created_at < {end})"
    for column in ("severity", "source", "outcome"):
        out[f"alerts_by_{column}"] = dict(db.execute(f"SELECT {column}, count(*) FROM {month_alerts} GROUP BY 1").fetchall())
    security = db.execute(
        f"""SELECT alert_id, source, severity, resource_id, created_at, outcome FROM {month_alerts}
            WHERE source IN {SECURITY_SOURCES} ORDER BY created_at DESC, alert_id"""
    ).fetchall()
    out["alerts_security_events"] = len(security)
    out["alerts_trend"] = db.execute(
        f"""SELECT strftime(created_at, '%Y-%m'), count(*), count(*) FILTER (outcome = 'AutoRemediated')
            FROM {alerts} GROUP BY 1 ORDER BY 1"""
    ).fetchall()

    # Incidents, service requests and changes: the month's counts, mean times and trends.
    out["incidents"] = db.execute(
        f"""SELECT priority, count(*) FILTER (created_at >= {first} AND created_at < {end}),
                   count(*) FILTER (resolved_at >= {first} AND resolved_at < {end}),
                   avg(epoch(resolved_at - created_at) / 60 - coalesce(customer_wait_minutes, 0))
                     FILTER (resolved_at >= {first} AND resolved_at < {end}),
                   avg(epoch(acknowledged_at - created_at) / 60) FILTER (created_at >= {first} AND created_at < {end})
            FROM {scan('incidents')} GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    out["service_requests"] = db.execute(
        f"""SELECT count(*) FILTER (created_at >= {first} AND created_at < {end}),
                   count(*) FILTER (resolved_at >= {first} AND resolved_at < {end}),
                   avg(epoch(first_response_at - created_at) / 60) FILTER (created_at >= {first} AND created_at < {end}),
                   avg(csat_score) FILTER (resolved_at >= {first} AND resolved_at < {end})
            FROM {scan('service_requests')}"""
    ).fetchone()
    out["rfcs"] = db.execute(
        f"""SELECT status, count(*) FROM {scan('rfcs')}
            WHERE created_time >= {first} AND created_time < {end} GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    out["availability"] = db.execute(
        f"""SELECT endpoint, 100.0 * (1 - sum(checks_failed)::DOUBLE / sum(checks_total)) FROM {scan('availability')}
            WHERE window_start >= {first} AND window_start < {end} GROUP BY 1 ORDER BY 1"""
    ).fetchall()

    # Snapshots: the month's latest patch and storage snapshots; billing by product.
    out["patching"] = db.execute(
        f"""WITH latest AS (SELECT * FROM {scan('patch_details', [month])}
                            WHERE snapshot_date = (SELECT max(snapshot_date) FROM {scan('patch_details', [month])}))
            SELECT count(*), count(*) FILTER (patch_status = 'COMPLIANT'), sum(noncompliant_total) FROM latest"""
    ).fetchone()
    out["storage"] = db.execute(
        f"""WITH latest AS (SELECT * FROM {scan('storage', [month])}
                            WHERE snapshot_date = (SELECT max(snapshot_date) FROM {scan('storage', [month])}))
            SELECT storage_type, sum(used_bytes), sum(provisioned_bytes) FROM latest GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    out["billing"] = db.execute(
        f"""SELECT product_name, sum(aws_charges), sum(ams_charges) FROM {scan('billing', trend[-2:])}
            GROUP BY 1 ORDER BY 2 DESC"""
    ).fetchall()

    seconds = time.monotonic() - started
    peak_mib = peak_rss_mib()
    summary = {
        "seconds": round(seconds, 3),
        "peak_rss_mib": peak_mib,
        "backup_jobs": sum(out["backups_by_status"].values()),
        "failed_backup_jobs": out["backups_failed_jobs"],
        "alerts": sum(out["alerts_by_severity"].values()),
        "security_events": out["alerts_security_events"],
        "rpo_breaches": out["backups_rpo_breaches"],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
