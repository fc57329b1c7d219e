//! Splitting a content file into its TOML front matter (between `+++` lines) and its body.

#[derive(Debug)]
pub struct Document<'a> {
    pub front: &'a str,
    /// 1-based line number of the first front-matter line in the file.
    pub front_line: usize,
    pub body: &'a str,
    /// 1-based line number of the first body line in the file.
    pub body_line: usize,
}

/// Splits `text`; the error is a line number and a message.
pub fn split(text: &str) -> Result<Document<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "+++" {
        return Err((1, "the file must start with a '+++' line, followed by TOML front matter and another '+++' line".into()));
    }
    let front_start = (first_end + 1).min(text.len());
    let mut offset = front_start;
    let mut line = 2;
    for l in text[front_start..].split_inclusive('\n') {
        if l.trim_end() == "+++" {
            let body_start = offset + l.len();
            return Ok(Document {
                front: &text[front_start..offset],
                front_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        offset += l.len();
        line += 1;
    }
    Err((1, "the front matter is not closed: add a '+++' line after it".into()))
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Writes front matter and body as one file.
pub fn join(front: &str, body: &str) -> String {
    let mut out = String::with_capacity(front.len() + body.len() + 16);
    out.push_str("+++\n");
    out.push_str(front.trim_end());
    out.push_str("\n+++\n");
    out.push_str(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits() {
        let d = split("+++\ntitle = \"x\"\n+++\n## A {#a}\n").unwrap();
        assert_eq!(d.front, "title = \"x\"\n");
        assert_eq!(d.body, "## A {#a}\n");
        assert_eq!((d.front_line, d.body_line), (2, 4));
    }

    #[test]
    fn errors() {
        assert_eq!(split("title = 1").unwrap_err().0, 1);
        assert!(split("+++\ntitle = 1\n").unwrap_err().1.contains("not closed"));
    }

    #[test]
    fn empty_body() {
        let d = split("+++\na = 1\n+++").unwrap();
        assert_eq!(d.body, "");
    }
}
