//! A line diff of two texts, for revision history and for "to review", as escaped HTML.

use super::templates::escape;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The lines of `old` and `new` as kept, removed and added (longest common subsequence).
pub fn lines<'a>(old: &'a str, new: &'a str) -> Vec<Op<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Texts are short (a section, a page); the quadratic table is fine. Very long ones are
    // shown as removed and added whole.
    if a.len() * b.len() > 4_000_000 {
        return a.iter().map(|l| Op::Removed(l)).chain(b.iter().map(|l| Op::Added(l))).collect();
    }
    let mut table = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] { table[i + 1][j + 1] + 1 } else { table[i + 1][j].max(table[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(Op::Same(a[i]));
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            out.push(Op::Removed(a[i]));
            i += 1;
        } else {
            out.push(Op::Added(b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| Op::Removed(l)));
    out.extend(b[j..].iter().map(|l| Op::Added(l)));
    out
}

/// The diff as HTML lines: `<del>` for removed, `<ins>` for added, everything escaped.
pub fn html(old: &str, new: &str) -> String {
    let mut out = String::new();
    for op in lines(old, new) {
        match op {
            Op::Same(l) => out.push_str(&format!("<span>{}</span>\n", escape(l))),
            Op::Removed(l) => out.push_str(&format!("<del>{}</del>\n", escape(l))),
            Op::Added(l) => out.push_str(&format!("<ins>{}</ins>\n", escape(l))),
        }
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
    }
}
