//! A line diff of two texts, for revision history and for "to review", as escaped HTML.
//! The diff itself is `similar`'s (Myers with a deadline, so a hostile pair of long texts costs
//! at most that long and then shows a coarser, still correct diff).

use std::time::Duration;

use similar::{Algorithm, ChangeTag, TextDiff};

use super::templates::escape;

/// The longest a diff may search for the smallest edit.
const DEADLINE: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The lines of `old` and `new` as kept, removed and added (line endings do not count).
pub fn lines<'a>(old: &'a str, new: &'a str) -> Vec<Op<'a>> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let diff = TextDiff::configure().algorithm(Algorithm::Myers).timeout(DEADLINE).diff_slices(&a, &b);
    diff.iter_all_changes()
        .map(|change| {
            let line = change.value();
            match change.tag() {
                ChangeTag::Equal => Op::Same(line),
                ChangeTag::Delete => Op::Removed(line),
                ChangeTag::Insert => Op::Added(line),
            }
        })
        .collect()
}

/// The diff as HTML lines: `<del>` for removed, `<ins>` for added, everything escaped.
pub fn html(old: &str, new: &str) -> String {
    let mut out = String::new();
    for op in lines(old, new) {
        let (tag, line) = match op {
            Op::Same(l) => ("span", l),
            Op::Removed(l) => ("del", l),
            Op::Added(l) => ("ins", l),
        };
        out.push_str(&format!("<{tag}>{}</{tag}>\n", escape(line)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_lines() {
        assert_eq!(lines("a\nb\nc", "a\nx\nc"), [Op::Same("a"), Op::Removed("b"), Op::Added("x"), Op::Same("c")]);
        assert_eq!(html("<b>", "<i>"), "<del>&lt;b&gt;</del>\n<ins>&lt;i&gt;</ins>\n");
        assert_eq!(lines("a\r\nb", "a\nb\n"), [Op::Same("a"), Op::Same("b")], "line endings are not changes");
    }

    #[test]
    fn long_hostile_texts_stay_correct() {
        let old: String = (0..20_000).map(|i| format!("{}\n", i % 7)).collect();
        let new: String = (0..20_000).map(|i| format!("{}\n", i % 11)).collect();
        let ops = lines(&old, &new);
        let kept_old: Vec<&str> = ops.iter().filter_map(|o| match o { Op::Same(l) | Op::Removed(l) => Some(*l), _ => None }).collect();
        let kept_new: Vec<&str> = ops.iter().filter_map(|o| match o { Op::Same(l) | Op::Added(l) => Some(*l), _ => None }).collect();
        assert_eq!(kept_old, old.lines().collect::<Vec<_>>());
        assert_eq!(kept_new, new.lines().collect::<Vec<_>>());
    }
}
