//! The aggregation's maps (group and remark indices, bigram tokens,
//! category and profession names) use rustc-hash's FxHash: SipHash (the
//! standard library's default) resists crafted keys, which these are not,
//! and costs several times more per lookup.

/// A `HashMap` with FxHash.
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_of_any_length_hash_apart() {
        let words = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "在宅",
            "在宅医療",
            "在宅医療・介護",
        ];
        let mut map: FastMap<&str, usize> = FastMap::default();
        for (i, w) in words.iter().enumerate() {
            map.insert(w, i);
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(map[w], i);
        }
    }
}
