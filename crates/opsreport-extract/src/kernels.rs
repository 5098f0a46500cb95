//! Column scans that validation runs over every row of every dataset: the first value outside a
//! range, values in a range counted, the distinct values of a short-string column, a string
//! column compared with one value, and rows with a repeated key hash.
//!
//! Each is one pass over Arrow's buffers. They replace Polars kernels that build a bitmap bool by
//! bool (comparisons without SIMD), hash every string (`unique`, string equality) or probe a table
//! larger than the CPU's cache (counting key hashes); they answer exactly what the checks ask and
//! no more. Nulls are never outside a range, never counted and never distinct values.

use std::collections::BTreeSet;

use polars::prelude::*;

/// Values tested at once before looking for the row: a branch-free pass the compiler vectorises.
const BLOCK: usize = 512;

/// The first row (counted across chunks) whose value lies outside `[low, high]`.
pub fn first_outside(values: &Int64Chunked, low: i64, high: i64) -> Option<usize> {
    // One unsigned comparison per value: `value - low` wraps to a huge number below `low`.
    let span = high.wrapping_sub(low) as u64;
    let outside = |value: i64| value.wrapping_sub(low) as u64 > span;
    let mut offset = 0;
    for array in values.downcast_iter() {
        let slice = array.values().as_slice();
        let validity = array.validity().filter(|validity| validity.unset_bits() > 0);
        for (block_index, block) in slice.chunks(BLOCK).enumerate() {
            if !block.iter().fold(false, |any, &value| any | outside(value)) {
                continue;
            }
            let start = block_index * BLOCK;
            let found = block
                .iter()
                .enumerate()
                .position(|(index, &value)| outside(value) && validity.is_none_or(|validity| validity.get_bit(start + index)));
            if let Some(index) = found {
                return Some(offset + start + index);
            }
        }
        offset += array.len();
    }
    None
}

/// How many values lie in `[first, last]`.
pub fn count_within(values: &Int64Chunked, first: i64, last: i64) -> u64 {
    let span = last.wrapping_sub(first) as u64;
    let within = |value: i64| u64::from(value.wrapping_sub(first) as u64 <= span);
    let mut count = 0;
    for array in values.downcast_iter() {
        let slice = array.values().as_slice();
        count += match array.validity().filter(|validity| validity.unset_bits() > 0) {
            None => slice.iter().map(|&value| within(value)).sum::<u64>(),
            Some(validity) => slice.iter().zip(validity.iter()).map(|(&value, valid)| within(value) & u64::from(valid)).sum(),
        };
    }
    count
}

/// The longest string a view holds inline (Arrow's string views): such views are equal exactly
/// when their strings are.
const INLINE: u32 = 12;

/// A string as its inline view would hold it: the length, then the bytes, zero-padded.
fn inline_view(text: &[u8]) -> u128 {
    let mut bytes = [0u8; 16];
    bytes[..4].copy_from_slice(&(text.len() as u32).to_le_bytes());
    bytes[4..4 + text.len()].copy_from_slice(text);
    u128::from_le_bytes(bytes)
}

/// The first row (counted across chunks) whose value is not null and differs from `expected`.
pub fn first_different(values: &StringChunked, expected: &str) -> Option<usize> {
    let short = expected.len() <= INLINE as usize;
    let expected_view = if short { inline_view(expected.as_bytes()) } else { 0 };
    if values.null_count() > 0 {
        return values.iter().position(|value| value.is_some_and(|value| value != expected));
    }
    let mut offset = 0;
    for array in values.downcast_iter() {
        // An equal view settles it; anything else is compared as text (a view is not guaranteed
        // to be zero-padded by every writer).
        let found = array
            .views()
            .iter()
            .enumerate()
            .position(|(index, view)| !(short && view.as_u128() == expected_view) && array.value(index) != expected);
        if let Some(index) = found {
            return Some(offset + index);
        }
        offset += array.len();
    }
    None
}

/// The distinct values of a string column, sorted, or `None` when there are more than `limit`.
pub fn distinct_strings(values: &StringChunked, limit: usize) -> Option<Vec<String>> {
    // One small open-addressing table, keyed by what a view holds without reading the text: the
    // whole value for a short string, the length and first four bytes for a longer one (whose
    // slot then lists the distinct texts that start so).
    let slots = (4 * limit + 4).next_power_of_two().max(16);
    let shift = 64 - slots.trailing_zeros();
    let mut table: Vec<Option<(u128, usize)>> = vec![None; slots];
    let mut long_texts: Vec<Vec<&str>> = Vec::new();
    let mut distinct: BTreeSet<&str> = BTreeSet::new();
    let mut last = None;
    let has_nulls = values.null_count() > 0;
    for array in values.downcast_iter() {
        for (index, view) in array.views().iter().enumerate() {
            if has_nulls && array.get(index).is_none() {
                continue;
            }
            let long = view.length > INLINE;
            let key = if long { u128::from(view.length) | u128::from(view.prefix) << 32 } else { view.as_u128() };
            if !long && last == Some(key) {
                continue;
            }
            last = Some(key);
            let hash = ((key as u64) ^ ((key >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut slot = (hash >> shift) as usize;
            let texts = loop {
                match table[slot] {
                    Some((present, texts)) if present == key => break texts,
                    Some(_) => slot = (slot + 1) & (slots - 1),
                    None => {
                        table[slot] = Some((key, long_texts.len()));
                        long_texts.push(Vec::new());
                        if !long {
                            distinct.insert(array.value(index));
                        }
                        break long_texts.len() - 1;
                    }
                }
            };
            if long {
                let value = array.value(index);
                if !long_texts[texts].contains(&value) {
                    long_texts[texts].push(value);
                    distinct.insert(value);
                }
            }
            if distinct.len() > limit {
                return None;
            }
        }
    }
    Some(distinct.into_iter().map(str::to_owned).collect())
}

/// Bits of the candidate filter per row (rounded up to a power of two): two rows with different
/// hashes share a bit about once in this many, so few rows need sorting.
const FILTER_BITS_PER_ROW: usize = 8;

/// Groups rows by equal hash, leaving out hashes that occur once: each group's rows in file order,
/// groups in hash order, as (rows, each group's range in `rows`).
///
/// A bit per slot, chosen by the hash's top bits, marks the slots seen once and those seen twice:
/// a few hundred kilobytes that stay in the CPU's cache, where a table counting every hash would
/// not. Only rows in a slot seen twice (every repeated hash, and a few others by chance) are
/// sorted by hash.
pub fn group_equal_hashes(hashes: &[u64]) -> (Vec<IdxSize>, Vec<std::ops::Range<usize>>) {
    let bits = (hashes.len() * FILTER_BITS_PER_ROW).next_power_of_two().max(64);
    let shift = 64 - bits.trailing_zeros();
    let mut seen = vec![0u64; bits / 64];
    let mut twice = vec![0u64; bits / 64];
    let slot = |hash: u64| {
        let slot = (hash >> shift) as usize;
        (slot / 64, 1u64 << (slot % 64))
    };
    let mut any_twice = 0;
    for &hash in hashes {
        let (word, bit) = slot(hash);
        let again = seen[word] & bit;
        twice[word] |= again;
        seen[word] |= bit;
        any_twice |= again;
    }
    let mut rows = Vec::new();
    let mut groups = Vec::new();
    if any_twice == 0 {
        return (rows, groups);
    }
    // Sorting by (hash, row) keeps each group's rows in file order.
    let mut members: Vec<(u64, IdxSize)> = (0..)
        .zip(hashes)
        .filter(|&(_, &hash)| {
            let (word, bit) = slot(hash);
            twice[word] & bit != 0
        })
        .map(|(row, &hash)| (hash, row))
        .collect();
    members.sort_unstable();
    for run in members.chunk_by(|left, right| left.0 == right.0).filter(|run| run.len() > 1) {
        let start = rows.len();
        rows.extend(run.iter().map(|&(_, row)| row));
        groups.push(start..rows.len());
    }
    (rows, groups)
}

/// The first row (counted across chunks) whose value is NaN, infinite, or larger in magnitude
/// than `limit`.
pub fn first_not_finite_or_beyond(values: &Float64Chunked, limit: f64) -> Option<usize> {
    let bad = |value: f64| value.is_nan() || value.abs() > limit;
    let mut offset = 0;
    for array in values.downcast_iter() {
        let validity = array.validity().filter(|validity| validity.unset_bits() > 0);
        let found = array
            .values()
            .as_slice()
            .iter()
            .enumerate()
            .position(|(index, &value)| bad(value) && validity.is_none_or(|validity| validity.get_bit(index)));
        if let Some(index) = found {
            return Some(offset + index);
        }
        offset += array.len();
    }
    None
}

/// The first row (counted across chunks) at which the running sum of the magnitudes of `values`
/// passes `limit`: below it, no sum of any of the values can overflow.
pub fn first_total_beyond(values: &Int64Chunked, limit: u64) -> Option<usize> {
    let mut total: u128 = 0;
    for (index, value) in values.iter().enumerate() {
        total += u128::from(value.unwrap_or(0).unsigned_abs());
        if total > u128::from(limit) {
            return Some(index);
        }
    }
    None
}

/// The first row (counted across chunks) whose date (days since 1970-01-01) is not the first
/// day of its month.
pub fn first_not_first_of_month(days: &Int64Chunked) -> Option<usize> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch");
    days.iter().position(|value| {
        value.is_some_and(|days| {
            use chrono::Datelike;
            epoch.checked_add_signed(chrono::Duration::days(days)).is_none_or(|date| date.day() != 1)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(parts: &[Vec<Option<i64>>]) -> Int64Chunked {
        let mut all = Int64Chunked::new("values".into(), &parts[0]);
        for part in &parts[1..] {
            all.append(&Int64Chunked::new("values".into(), part)).expect("same type");
        }
        all
    }

    #[test]
    fn ranges_agree_with_polars_comparisons() {
        let mut state = 17u64;
        for case in 0..40 {
            let mut parts = Vec::new();
            for _ in 0..3 {
                let rows = (case * 97) % 1500 + 1;
                let part: Vec<Option<i64>> = (0..rows)
                    .map(|_| {
                        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        let value = (state >> 33) as i64 % 10_000 - 5_000;
                        (!state.is_multiple_of(11)).then_some(value)
                    })
                    .collect();
                parts.push(part);
            }
            let values = chunked(&parts);
            let (low, high) = (-4_990 + case as i64, 4_990 - case as i64);
            let outside = values.lt(low) | values.gt(high);
            assert_eq!(first_outside(&values, low, high), outside.iter().position(|row| row == Some(true)), "case {case}");
            let within = (values.gt_eq(low) & values.lt_eq(high)).sum().unwrap_or(0);
            assert_eq!(count_within(&values, low, high), u64::from(within), "case {case}");
        }
        let wide = chunked(&[vec![Some(i64::MIN), None, Some(i64::MAX)]]);
        assert_eq!(first_outside(&wide, i64::MIN, i64::MAX), None);
        assert_eq!(first_outside(&wide, 0, 10), Some(0));
        assert_eq!(count_within(&wide, i64::MIN, i64::MAX), 2);
    }

    fn strings(parts: &[&[Option<&str>]]) -> StringChunked {
        let mut all = StringChunked::new("values".into(), parts[0]);
        for part in &parts[1..] {
            all.append(&StringChunked::new("values".into(), *part)).expect("same type");
        }
        all
    }

    #[test]
    fn a_different_string_is_found_past_nulls_and_chunks() {
        let account = "123456789012";
        let same = strings(&[&[Some(account), None], &[Some(account)]]);
        assert_eq!(first_different(&same, account), None);
        let other = strings(&[&[Some(account), None], &[Some(account), Some("123456789013")]]);
        assert_eq!(first_different(&other, account), Some(3));
        let long = "a value longer than twelve bytes";
        assert_eq!(first_different(&strings(&[&[Some(long), Some(long)]]), long), None);
        assert_eq!(first_different(&strings(&[&[Some(long), Some("a value longer than twelve bytez")]]), long), Some(1));
        assert_eq!(first_different(&strings(&[&[Some(""), Some("x")]]), ""), Some(1));
    }

    #[test]
    fn distinct_strings_agree_with_unique_and_stop_at_the_limit() {
        let long = "Operational excellence and more";
        let values = strings(&[
            &[Some("FAILED"), Some("COMPLETED"), None, Some("FAILED"), Some(""), Some(long)],
            &[Some("completed "), Some(long), Some("COMPLETED")],
        ]);
        let found = distinct_strings(&values, 64).expect("few values");
        let mut expected: Vec<String> = values.unique().expect("unique").iter().flatten().map(str::to_owned).collect();
        expected.sort();
        assert_eq!(found, expected);
        assert_eq!(distinct_strings(&values, 5).map(|found| found.len()), Some(5));
        assert_eq!(distinct_strings(&values, 4), None);
        let many: Vec<String> = (0..300).map(|number| format!("v{number}")).collect();
        let many = StringChunked::new("values".into(), &many);
        assert_eq!(distinct_strings(&many, 64), None);
        assert_eq!(distinct_strings(&many, 300).map(|found| found.len()), Some(300));
    }

    #[test]
    fn equal_hashes_are_grouped_in_file_order() {
        let (rows, groups) = group_equal_hashes(&[7, 3, 7, 9, 7, 3]);
        let grouped: Vec<&[IdxSize]> = groups.iter().map(|range| &rows[range.clone()]).collect();
        assert_eq!(grouped, vec![&[1, 5][..], &[0, 2, 4][..]]);
        assert!(group_equal_hashes(&[1, 2, 3]).1.is_empty());
        assert!(group_equal_hashes(&[]).1.is_empty());
        // Spread hashes, a few repeated, against a count of each hash.
        let mut state = 3u64;
        let mut hashes: Vec<u64> = (0..20_000)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                state
            })
            .collect();
        for row in (0..20_000).step_by(997) {
            hashes[row] = hashes[(row * 7) % 20_000];
        }
        let mut counts = std::collections::HashMap::new();
        for &hash in &hashes {
            *counts.entry(hash).or_insert(0) += 1;
        }
        let (rows, groups) = group_equal_hashes(&hashes);
        let repeated = counts.values().filter(|&&count| count > 1).count();
        assert_eq!(groups.len(), repeated);
        assert_eq!(rows.len(), counts.values().filter(|&&count| count > 1).sum::<usize>());
        for range in groups {
            let group = &rows[range];
            assert!(group.windows(2).all(|pair| pair[0] < pair[1] && hashes[pair[0] as usize] == hashes[pair[1] as usize]));
        }
    }
}
