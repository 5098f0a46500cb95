//! A fixed pool of worker threads over numbered items — the fleet's accounts (the CLI) and an
//! account's datasets (the local source): each worker takes the next item when it is free, a
//! panic stays with its item, and results come back in item order.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `work(index)` for every index below `count` on `workers` threads (each takes the next
/// index when it is free) and calls `finished` on this thread as each one completes. A panic in
/// one item becomes that item's `Err(message)`; the others go on. Results come back in index
/// order, whatever order they finished in.
pub fn for_each_parallel<R: Send>(
    count: usize,
    workers: usize,
    work: impl Fn(usize) -> R + Sync,
    mut finished: impl FnMut(usize, &Result<R, String>),
) -> Vec<Result<R, String>> {
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    let mut results: Vec<Option<Result<R, String>>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, count.max(1)) {
            let sender = sender.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= count {
                        break;
                    }
                    let result = catch_unwind(AssertUnwindSafe(|| work(index))).map_err(|payload| panic_message(&*payload));
                    if sender.send((index, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (index, result) in receiver {
            finished(index, &result);
            results[index] = Some(result);
        }
    });
    results.into_iter().map(|result| result.expect("every index is sent exactly once")).collect()
}

/// The text a panic was raised with.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn every_item_runs_once_results_keep_their_order_and_a_panic_stays_with_its_item() {
        for workers in [1, 2, 5, 64] {
            let mut seen = Vec::new();
            let results = for_each_parallel(
                20,
                workers,
                |index| {
                    assert!(index != 7, "item seven is broken");
                    index * 10
                },
                |index, _| seen.push(index),
            );
            seen.sort();
            assert_eq!(seen, (0..20).collect::<Vec<_>>(), "{workers} workers");
            for (index, result) in results.iter().enumerate() {
                match result {
                    Ok(value) => assert_eq!(*value, index * 10),
                    Err(message) => {
                        assert_eq!(index, 7);
                        assert!(message.contains("item seven is broken"), "{message}");
                    }
                }
            }
            assert!(results[7].is_err());
        }
        assert!(for_each_parallel(0, 4, |index| index, |_, _| ()).is_empty());
    }

    #[test]
    fn workers_really_run_at_once() {
        // Two items that each wait for the other to start can only finish with two workers.
        let started = AtomicUsize::new(0);
        let results = for_each_parallel(
            2,
            2,
            |_| {
                started.fetch_add(1, Ordering::SeqCst);
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                while started.load(Ordering::SeqCst) < 2 {
                    assert!(std::time::Instant::now() < deadline, "the other worker never started");
                    std::thread::yield_now();
                }
            },
            |_, _| (),
        );
        assert!(results.iter().all(Result::is_ok), "{results:?}");
    }
}
