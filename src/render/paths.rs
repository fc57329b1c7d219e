//! The addresses of resident pages in each language (PRODUCT.md): Dutch at the root, English
//! under `/en/` with English words. Every link to a resident page is made here.

use crate::content::model::Lang;

pub fn home(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "/",
        Lang::En => "/en/",
    }
}

pub fn products(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "/producten",
        Lang::En => "/en/products",
    }
}

pub fn product(lang: Lang, slug: &str) -> String {
    format!("{}/{slug}", products(lang))
}

pub fn news(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "/nieuws",
        Lang::En => "/en/news",
    }
}

pub fn news_item(lang: Lang, slug: &str) -> String {
    format!("{}/{slug}", news(lang))
}

pub fn search(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "/zoeken",
        Lang::En => "/en/search",
    }
}

/// The site's accessibility statement.
pub fn accessibility(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "/toegankelijkheid",
        Lang::En => "/en/accessibility",
    }
}

/// A local page at its place in the tree ("afval/pmd").
pub fn page(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Nl => format!("/{path}"),
        Lang::En => format!("/en/{path}"),
    }
}

/// The language of a resident address: English under `/en/`, else Dutch.
pub fn lang_of(path: &str) -> Lang {
    if path == "/en" || path.starts_with("/en/") { Lang::En } else { Lang::Nl }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_per_language() {
        assert_eq!(product(Lang::Nl, "paspoort"), "/producten/paspoort");
        assert_eq!(product(Lang::En, "paspoort"), "/en/products/paspoort");
        assert_eq!(page(Lang::En, "afval/pmd"), "/en/afval/pmd");
        assert_eq!((lang_of("/en/products"), lang_of("/en"), lang_of("/energie")), (Lang::En, Lang::En, Lang::Nl));
    }
}
