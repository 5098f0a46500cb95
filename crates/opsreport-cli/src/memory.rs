//! Memory of this process: its allocator, and the peak, from Linux's `/proc/self/status`
//! (`VmHWM`, the resident-set high-water mark). The run summary reports the peak; the benchmark
//! also resets the mark before each stage (`/proc/self/clear_refs`) to see each stage's own peak.
//! Elsewhere these are no-ops.

/// The allocator is jemalloc. A report allocates and frees millions of small blocks (column
/// buffers, Typst's content and layout) on several threads; against glibc's allocator, jemalloc
/// took about 8 % less CPU time per report in interleaved fleet runs, with a lower peak.
/// Freed pages are kept for a few seconds (jemalloc's decay), so the next report reuses them
/// instead of faulting them in again. Its settings can be changed with `_RJEM_MALLOC_CONF`
/// (jemalloc's `MALLOC_CONF`, under this build's symbol prefix).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's built-in settings (`_RJEM_MALLOC_CONF` still overrides them): one arena per CPU
/// (`percpu_arena`) instead of four per CPU handed to threads by turns. A report allocates on a
/// dozen threads (workers, dataset loaders, Typst's and Polars' pools); with an arena per CPU a
/// freed block is reused by the next allocation on that CPU. Fleet of 100 at scale 1, interleaved
/// runs: peak 578–587 MiB against 666–689 MiB, a quarter fewer page faults, 19.9 and 21.3 s
/// against 23.7 and 21.4 s.
#[cfg(all(not(target_env = "msvc"), target_os = "linux"))]
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: MallocConf = MallocConf(c"percpu_arena:percpu".as_ptr());

/// A C string pointer (`const char *malloc_conf`, which jemalloc reads at start-up).
#[cfg(all(not(target_env = "msvc"), target_os = "linux"))]
#[repr(transparent)]
struct MallocConf(*const std::ffi::c_char);

// SAFETY: the pointer is to a string literal, never written.
#[cfg(all(not(target_env = "msvc"), target_os = "linux"))]
unsafe impl Sync for MallocConf {}

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
