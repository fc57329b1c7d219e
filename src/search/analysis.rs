//! How Dutch text becomes search terms. One analyzer for documents and queries:
//! words split on anything that is not a letter or digit (so "ID-kaart" is "id" and "kaart"),
//! lowercased, accents folded, compound words also indexed as their parts, stop words
//! dropped, and each word stemmed with the Dutch Snowball stemmer. A second analyzer without
//! stemming serves prefix matching (suggestions as you type) and "Bedoelde u …?". English
//! texts have an analyzer of their own (English stop words and stemmer).

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};

/// The analyzer with stemming, for title, keywords, summary and body.
pub const DUTCH: &str = "meent_nl";
/// The analyzer without stemming, for prefixes and spelling suggestions.
pub const PLAIN: &str = "meent_nl_plain";
/// The analyzer of English texts: English stop words and the English (Porter 2) stemmer.
pub const ENGLISH: &str = "meent_en";

static COMPOUND_PARTS: LazyLock<Arc<HashSet<String>>> = LazyLock::new(|| {
    Arc::new(
        include_str!("compounds.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect(),
    )
});

pub fn dutch() -> TextAnalyzer {
    let stop_words = StopWordFilter::new(Language::Dutch);
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(SplitCompounds { parts: COMPOUND_PARTS.clone() });
    match stop_words {
        Some(stop) => builder.filter(stop).filter(Stemmer::new(Language::Dutch)).build(),
        None => builder.filter(Stemmer::new(Language::Dutch)).build(),
    }
}

pub fn english() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default()).filter(RemoveLongFilter::limit(60)).filter(LowerCaser).filter(AsciiFoldingFilter);
    match StopWordFilter::new(Language::English) {
        Some(stop) => builder.filter(stop).filter(Stemmer::new(Language::English)).build(),
        None => builder.filter(Stemmer::new(Language::English)).build(),
    }
}

pub fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The terms `analyzer` makes of `text`.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Particles of Dutch separable verbs: "vraag … aan" is "aanvragen", "aangevraagd" too.
pub const PARTICLES: &[&str] = &["aan", "af", "op", "in", "uit", "mee", "door", "terug", "weg", "om", "over", "toe", "bij", "na", "voor", "vast", "kwijt"];

/// Participles and past tenses of common Dutch verbs whose form the rule for regular verbs
/// in `infinitive` cannot undo.
const STRONG_VERBS: &[(&str, &str)] = &[
    ("gestorven", "sterven"), ("overleden", "overlijden"), ("gevonden", "vinden"), ("verloren", "verliezen"), ("kwijtgeraakt", "kwijtraken"),
    ("zoekgeraakt", "zoekraken"), ("gestolen", "stelen"), ("gebroken", "breken"), ("gebeten", "bijten"), ("gegeven", "geven"),
    ("getrouwd", "trouwen"), ("gescheiden", "scheiden"), ("verhuisd", "verhuizen"), ("vertrokken", "vertrekken"),
    ("gekregen", "krijgen"), ("gekocht", "kopen"), ("verkocht", "verkopen"), ("gebracht", "brengen"), ("gedacht", "denken"),
    ("gezocht", "zoeken"), ("geweest", "zijn"), ("gedaan", "doen"), ("gegaan", "gaan"), ("gezien", "zien"), ("gelopen", "lopen"),
    ("gevallen", "vallen"), ("geschreven", "schrijven"), ("gesloten", "sluiten"), ("geopend", "openen"), ("verboden", "verbieden"),
    ("gekozen", "kiezen"), ("gewonnen", "winnen"), ("gebleven", "blijven"), ("gelegen", "liggen"), ("gezeten", "zitten"),
    ("gestaan", "staan"), ("geslagen", "slaan"), ("getrokken", "trekken"), ("gereden", "rijden"), ("gesproken", "spreken"),
    ("gedronken", "drinken"), ("gegeten", "eten"), ("geholpen", "helpen"), ("gekomen", "komen"), ("genomen", "nemen"),
    ("aangenomen", "aannemen"), ("afgewezen", "afwijzen"), ("ingediend", "indienen"), ("opgehaald", "ophalen"), ("weggegooid", "weggooien"),
    ("gegooid", "gooien"), ("gedumpt", "dumpen"), ("beschadigd", "beschadigen"), ("vernield", "vernielen"), ("gestopt", "stoppen"),
];

/// The infinitives a Dutch participle may be of, when the word looks like one: a verb from
/// the list above, or "ge" + stem + "d"/"t" ("getaxeerd" → "taxeren", "gekapt" → "kappen"; a
/// stem ending in "d" or "t" takes none: "gemeld" → "melden"), also after a separable particle
/// ("aangevraagd" → "aanvragen"). Guesses: callers use one only where the index or a
/// thesaurus knows it.
pub fn infinitives(word: &str) -> Vec<String> {
    if let Some((_, verb)) = STRONG_VERBS.iter().find(|(form, _)| *form == word) {
        return vec![(*verb).to_owned()];
    }
    if !word.is_ascii() || word.len() < 6 {
        return Vec::new();
    }
    let Some((particle, rest)) = std::iter::once(&"").chain(PARTICLES).find_map(|p| word.strip_prefix(p).and_then(|r| r.strip_prefix("ge")).map(|r| (*p, r))) else {
        return Vec::new();
    };
    if !rest.ends_with(['d', 't']) {
        return Vec::new();
    }
    [&rest[..rest.len() - 1], rest].into_iter().filter_map(|stem| verb_stem(stem).map(|s| format!("{particle}{s}en"))).collect()
}

/// A verb's stem as it is written before "en".
fn verb_stem(stem: &str) -> Option<String> {
    let b = stem.as_bytes();
    let n = b.len();
    if n < 3 {
        return None;
    }
    let vowel = |c: u8| b"aeiouy".contains(&c);
    Some(if vowel(b[n - 1]) {
        // "bouw", "zaai": as they are.
        stem.to_owned()
    } else if vowel(b[n - 2]) && b[n - 2] == b[n - 3] {
        // A long vowel is written single before "en": "taxeer" → "taxer", "haal" → "hal".
        let last = match b[n - 1] {
            b'f' => 'v',
            b's' => 'z',
            c => c as char,
        };
        format!("{}{}", &stem[..n - 2], last)
    } else if vowel(b[n - 2]) && !vowel(b[n - 3]) {
        // A short vowel keeps its sound by doubling the consonant: "kap" → "kapp".
        format!("{stem}{}", b[n - 1] as char)
    } else {
        stem.to_owned()
    })
}

/// The letters that may join the parts of a compound ("hondenbelasting", "bijstandsuitkering").
pub const LINKS: &[&str] = &["s", "e", "en"];

/// Splits a word into parts from the dictionary, allowing a linking letter (`LINKS`) between
/// two parts; `None` unless the whole word is covered by at least two parts.
pub fn split_compound(word: &str, parts: &HashSet<String>) -> Option<Vec<String>> {
    fn go(rest: &str, parts: &HashSet<String>, out: &mut Vec<String>) -> bool {
        if rest.is_empty() {
            return true;
        }
        // Longest part first, so "afvalstoffen" wins over "afval" + "stoffen".
        for end in (3..=rest.len()).rev() {
            if !rest.is_char_boundary(end) || !parts.contains(&rest[..end]) {
                continue;
            }
            out.push(rest[..end].to_owned());
            let tail = &rest[end..];
            if go(tail, parts, out) {
                return true;
            }
            for link in LINKS {
                if !out.is_empty() && tail.len() > link.len() && tail.starts_with(link) && go(&tail[link.len()..], parts, out) {
                    return true;
                }
            }
            out.pop();
        }
        false
    }
    if word.len() < 6 {
        return None;
    }
    let mut out = Vec::new();
    (go(word, parts, &mut out) && out.len() >= 2).then_some(out)
}

/// A verb stem inside a compound is spelled with a double vowel where the verb has one:
/// "parkeer" (in "parkeervergunning") and "parkeren" (stemmed "parker"). This gives the
/// single-vowel spelling so both meet.
fn open_syllable(part: &str) -> Option<String> {
    let b = part.as_bytes();
    let n = b.len();
    let vowel = |c: u8| b"aeiou".contains(&c);
    if n >= 4 && !vowel(b[n - 1]) && vowel(b[n - 2]) && b[n - 2] == b[n - 3] && !vowel(b[n - 4]) {
        Some(format!("{}{}", &part[..n - 2], &part[n - 1..]))
    } else {
        None
    }
}

/// Keeps every token and adds the parts of compound words at the same position.
#[derive(Clone)]
struct SplitCompounds {
    parts: Arc<HashSet<String>>,
}

impl TokenFilter for SplitCompounds {
    type Tokenizer<T: Tokenizer> = SplitCompoundsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> SplitCompoundsFilter<T> {
        SplitCompoundsFilter { parts: self.parts, inner: tokenizer, pending: Vec::new() }
    }
}

#[derive(Clone)]
struct SplitCompoundsFilter<T> {
    parts: Arc<HashSet<String>>,
    inner: T,
    pending: Vec<Token>,
}

impl<T: Tokenizer> Tokenizer for SplitCompoundsFilter<T> {
    type TokenStream<'a> = SplitCompoundsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.pending.clear();
        SplitCompoundsStream { parts: &self.parts, tail: self.inner.token_stream(text), pending: &mut self.pending, current: None }
    }
}

struct SplitCompoundsStream<'a, T> {
    parts: &'a HashSet<String>,
    tail: T,
    /// Parts still to yield, in reverse order.
    pending: &'a mut Vec<Token>,
    current: Option<Token>,
}

impl<T: TokenStream> TokenStream for SplitCompoundsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(next) = self.pending.pop() {
            self.current = Some(next);
            return true;
        }
        self.current = None;
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token();
        if let Some(parts) = split_compound(&token.text, self.parts) {
            for part in parts.into_iter().rev() {
                if let Some(open) = open_syllable(&part) {
                    self.pending.push(Token { text: open, ..token.clone() });
                }
                self.pending.push(Token { text: part, ..token.clone() });
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.current.as_ref().unwrap_or_else(|| self.tail.token())
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.current.as_mut() {
            Some(t) => t,
            None => self.tail.token_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_terms() {
        let mut a = dutch();
        assert_eq!(terms(&mut a, "Paspoorten"), terms(&mut a, "paspoort"));
        assert_eq!(terms(&mut a, "ID-kaart"), ["id", "kaart"]);
        assert_eq!(terms(&mut a, "Één café"), terms(&mut a, "een cafe"));
        let parking = terms(&mut a, "parkeervergunning");
        for t in terms(&mut a, "vergunning parkeren") {
            assert!(parking.contains(&t), "{t} not in {parking:?}");
        }
        assert!(terms(&mut a, "de het een").is_empty(), "stop words");
    }

    #[test]
    fn participles_as_their_verbs() {
        for (form, verb) in [
            ("getaxeerd", "taxeren"),
            ("gemeld", "melden"),
            ("gekapt", "kappen"),
            ("gehaald", "halen"),
            ("aangevraagd", "aanvragen"),
            ("opgehaald", "ophalen"),
            ("gebouwd", "bouwen"),
            ("gestorven", "sterven"),
            ("geleefd", "leven"),
        ] {
            assert!(infinitives(form).iter().any(|v| v == verb), "{form}: {:?}", infinitives(form));
        }
        for word in ["gemeente", "paspoort", "geld", "gezin", "ge"] {
            assert_eq!(infinitives(word), Vec::<String>::new(), "{word}");
        }
    }

    #[test]
    fn compounds() {
        let parts = &COMPOUND_PARTS;
        assert_eq!(split_compound("parkeervergunning", parts).unwrap(), ["parkeer", "vergunning"]);
        assert_eq!(split_compound("gemeentebelasting", parts).unwrap(), ["gemeente", "belasting"]);
        assert_eq!(split_compound("hondenbelasting", parts).unwrap(), ["honden", "belasting"]);
        assert_eq!(split_compound("bijstandsuitkering", parts), None);
        assert_eq!(split_compound("paspoort", parts), None);
        assert_eq!(open_syllable("parkeer").as_deref(), Some("parker"));
        assert_eq!(open_syllable("vergunning"), None);
        assert_eq!(open_syllable("aanvraag").as_deref(), Some("aanvrag"));
    }
}
