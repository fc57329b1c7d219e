//! Variable values in admin forms, one per line: `leges = € 84,10`, and a value that starts
//! later `leges vanaf 2027-01-01 = € 86,00` (a date is midnight in the Netherlands; a time
//! `2027-01-01T09:00` or an RFC 3339 time works too). Lines of one name make one value with
//! dates (`content::dated`); the document check reports a date it cannot read.

use std::collections::BTreeMap;

use crate::content::dated::{Dated, Step};

/// The word between a name and the moment its value starts.
const FROM: &str = " vanaf ";

/// A name as written before `=` (or `|`): the variable and, after `vanaf`, when it starts.
pub fn name_and_from(key: &str) -> (String, Option<String>) {
    match key.trim().split_once(FROM) {
        Some((name, from)) => (name.trim().to_owned(), Some(from.trim().to_owned())),
        None => (key.trim().to_owned(), None),
    }
}

/// Collects values per name, in the order written; one undated value stays a plain value.
#[derive(Default)]
pub struct Collected {
    steps: BTreeMap<String, Vec<Step>>,
}

impl Collected {
    pub fn add(&mut self, key: &str, value: &str) {
        let (name, from) = name_and_from(key);
        self.steps.entry(name).or_default().push(Step::new(value.trim(), from));
    }

    pub fn into_values(self) -> BTreeMap<String, Dated> {
        self.steps.into_iter().map(|(name, steps)| (name, Dated::new(steps))).collect()
    }
}

/// `name = value` lines (`label` names the field in problems).
pub fn parse(text: &str, label: &str, problems: &mut Vec<String>) -> BTreeMap<String, Dated> {
    let mut collected = Collected::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match line.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => collected.add(k, v),
            _ => problems.push(format!("{label}, regel {}: schrijf naam = waarde, of naam vanaf 2027-01-01 = waarde", i + 1)),
        }
    }
    collected.into_values()
}

/// The lines of one variable's value: `name = value`, then `name vanaf … = value` per date.
pub fn lines(name: &str, value: &Dated) -> Vec<String> {
    value
        .steps()
        .iter()
        .map(|s| match &s.from {
            Some(from) => format!("{name}{FROM}{from} = {}", s.value),
            None => format!("{name} = {}", s.value),
        })
        .collect()
}

/// A value in one line for hints: `€ 84,10; vanaf 2027-01-01: € 86,00`.
pub fn summary(value: &Dated) -> String {
    value
        .steps()
        .iter()
        .map(|s| match &s.from {
            Some(from) => format!("vanaf {from}: {}", s.value),
            None => s.value.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// All values as form lines.
pub fn text(values: &BTreeMap<String, Dated>) -> String {
    values.iter().flat_map(|(name, v)| lines(name, v)).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_one_name_make_a_value_with_dates() {
        let mut problems = Vec::new();
        let values = parse("leges = € 84,10\nleges vanaf 2027-01-01 = € 86,00\n\nurl = https://x.nl/a=b\nfout", "Waarden", &mut problems);
        assert_eq!(problems.len(), 1, "the line without '='");
        assert_eq!(values["url"], Dated::plain("https://x.nl/a=b"));
        assert_eq!(values["leges"].steps().len(), 2);
        assert_eq!(values["leges"].steps()[1].from.as_deref(), Some("2027-01-01"));
        assert_eq!(text(&values), "leges = € 84,10\nleges vanaf 2027-01-01 = € 86,00\nurl = https://x.nl/a=b");
    }
}
