//! How alike two names are, for "did you mean" suggestions: the Jaro–Winkler similarity.
//!
//! The validator and the `workflow!` macro both suggest the nearest name with it, so a typo is
//! answered the same way in ASL and in Rust. (Written here rather than taken from `strsim`:
//! one function was all this crate used, and `stepfn`'s dependency budget counts crates.)

/// The candidate most like `written`, when one is alike enough to be a misspelling of it
/// (a similarity above 0.8).
pub fn nearest<'a>(
    written: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (jaro_winkler(written, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The Jaro–Winkler similarity of `a` and `b`, character by character: 1.0 for equal strings,
/// 0.0 for strings with nothing in common. A score above 0.7 is raised for a common prefix of
/// up to four characters.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let similarity = jaro(&a, &b);
    if similarity <= 0.7 {
        return similarity;
    }
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count();
    similarity + 0.1 * prefix as f64 * (1.0 - similarity)
}

/// The Jaro similarity: the share of characters the two strings have in common (matching within
/// a window of half the longer length, less one), lowered by those matched out of order.
fn jaro(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut taken_in_b = vec![false; b.len()];
    let mut matched_in_a = Vec::with_capacity(a.len());
    for (i, &c) in a.iter().enumerate() {
        let from = i.saturating_sub(window);
        let to = (i + window + 1).min(b.len());
        if let Some(j) = (from..to).find(|&j| !taken_in_b[j] && b[j] == c) {
            taken_in_b[j] = true;
            matched_in_a.push(c);
        }
    }
    let matches = matched_in_a.len();
    if matches == 0 {
        return 0.0;
    }
    let matched_in_b = b
        .iter()
        .zip(&taken_in_b)
        .filter(|(_, taken)| **taken)
        .map(|(c, _)| c);
    let out_of_order = matched_in_a
        .iter()
        .zip(matched_in_b)
        .filter(|(x, y)| x != y)
        .count();
    let transpositions = out_of_order / 2;
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (matches - transpositions) as f64 / m) / 3.0
}

#[cfg(test)]
mod tests {
    use super::jaro_winkler;

    fn close(x: f64, y: f64) -> bool {
        (x - y).abs() < 0.001
    }

    #[test]
    fn scores_agree_with_the_published_examples() {
        assert!(close(jaro_winkler("cheeseburger", "cheese fries"), 0.866));
        assert!(close(jaro_winkler("martha", "marhta"), 0.961));
        assert!(close(jaro_winkler("dixon", "dicksonx"), 0.813));
        assert!(close(jaro_winkler("dwayne", "duane"), 0.84));
        assert!(close(jaro_winkler("", ""), 1.0));
        assert!(close(jaro_winkler("abc", ""), 0.0));
        assert!(close(jaro_winkler("abc", "xyz"), 0.0));
        assert!(close(
            jaro_winkler("Chrage", "Charge"),
            jaro_winkler("Charge", "Chrage")
        ));
    }
}
