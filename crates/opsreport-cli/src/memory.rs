//! Memory of this process: the allocator's settings for a batch job ([`tune_allocator`]), and
//! the peak, from Linux's `/proc/self/status` (`VmHWM`, the resident-set high-water mark). The
//! run summary reports the peak; the benchmark also resets the mark before each stage
//! (`/proc/self/clear_refs`) to see each stage's own peak. Elsewhere these are no-ops.

/// Allocations up to this size come from the allocator's heap rather than their own mapping.
const MMAP_THRESHOLD_BYTES: i32 = 32 << 20;
/// Free memory at the top of the heap is returned to the system only beyond this size.
const TRIM_THRESHOLD_BYTES: i32 = 256 << 20;

/// Keeps freed memory for the next report instead of returning it to the system at once (glibc
/// on Linux; elsewhere a no-op). By default glibc maps large blocks (the column buffers of every
/// dataset) one by one and trims the heap as soon as they are freed, so each report faulted the
/// same pages in again: a fleet of 40 reports took 590,000 page faults and 2.4 s of system time,
/// against 135,000 and 1.2 s with these settings, for about 100 MiB more peak memory. An
/// operator's own `GLIBC_TUNABLES` malloc settings win.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var("GLIBC_TUNABLES").is_ok_and(|tunables| tunables.contains("glibc.malloc.")) {
            return;
        }
        // glibc's <malloc.h>.
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        unsafe extern "C" {
            fn mallopt(parameter: i32, value: i32) -> i32;
        }
        // SAFETY: `mallopt` only sets allocator parameters; it is called once, at start-up.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
            mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES);
        }
    }
}

/// Peak resident memory so far, in bytes (`None` where `/proc` is not available).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_high_water_mark(&status)
}

/// Starts a new peak: the high-water mark becomes the current resident size.
pub fn reset_peak() {
    // Writing 5 resets the peak RSS (Linux 4.0 and later); nothing to do where it is refused.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn parse_high_water_mark(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kibibytes: u64 = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kibibytes * 1024)
}

/// Bytes as MiB, for messages.
pub fn mebibytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_high_water_mark_is_read_in_bytes() {
        let status = "Name:\topsreport\nVmPeak:\t  900000 kB\nVmHWM:\t  153600 kB\nVmRSS:\t  100 kB\n";
        assert_eq!(parse_high_water_mark(status), Some(150 * 1024 * 1024));
        assert_eq!(parse_high_water_mark("Name:\tx\n"), None);
        if cfg!(target_os = "linux") {
            let before = peak_rss_bytes().expect("Linux has /proc/self/status");
            // Touch 64 MiB: the peak grows by about as much.
            let block = vec![1u8; 64 << 20];
            let after = peak_rss_bytes().unwrap();
            assert!(after >= before, "{before} {after}");
            assert!(after >= (48 << 20), "{after}");
            drop(block);
        }
    }
}
