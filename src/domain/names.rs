//! Names as entente matches and links them: folding for matching in any script, and
//! readable slugs for addresses.

/// A readable, URL-safe slug for a title or name in any script; never empty.
pub fn slugify(text: &str, fallback: &str) -> String {
    let mut slug = slug::slugify(text);
    if slug.len() > 80 {
        let cut = slug[..80].rfind('-').unwrap_or(80);
        slug.truncate(cut);
    }
    if slug.is_empty() {
        fallback.to_owned()
    } else if RESERVED_SLUGS.contains(&slug.as_str()) {
        // `/events/{id}/edit` and its siblings are editors' pages, not permalinks.
        format!("{slug}-{fallback}")
    } else {
        slug
    }
}

/// Path segments after `/events/{id}/` that name pages rather than slugs.
const RESERVED_SLUGS: &[&str] = &[
    "edit", "history", "status", "compare", "revert", "delete", "merge", "embed",
];

/// A name folded for matching: lower case, diacritics removed, scripts kept as they are
/// ("Nasirzādeh" and "nasirzadeh" fold alike; "Хренин" stays Cyrillic, lower-cased).
pub fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(strip_diacritic)
        .collect()
}

/// Latin letters with diacritics become their base letter; combining marks vanish.
fn strip_diacritic(c: char) -> Option<char> {
    if ('\u{0300}'..='\u{036f}').contains(&c) {
        return None;
    }
    if c.is_ascii() || !c.is_alphabetic() {
        return Some(c);
    }
    let plain = deunicode_latin(c);
    Some(plain.unwrap_or(c))
}

/// The base letter of an accented Latin letter, from its transliteration; other scripts
/// are left alone so that Cyrillic and Persian aliases match in their own script.
fn deunicode_latin(c: char) -> Option<char> {
    // Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional.
    let latin = matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF);
    if !latin {
        return None;
    }
    let mut s = String::new();
    s.push(c);
    slug::slugify(&s).chars().next()
}

#[cfg(test)]
mod tests {
    use super::{fold, slugify};

    #[test]
    fn slugs_are_readable_ascii_in_any_script() {
        assert_eq!(
            slugify("Iran and Belarus sign defense MOU", "event"),
            "iran-and-belarus-sign-defense-mou"
        );
        assert_eq!(slugify("Виктор Хренин", "actor"), "viktor-khrenin");
        assert_eq!(slugify("  ", "event"), "event");
        assert_eq!(slugify("— ! —", "event"), "event");
        assert_eq!(slugify("Edit", "event"), "edit-event");
    }

    #[test]
    fn long_slugs_are_cut_at_a_word_boundary() {
        let slug = slugify(&"cooperation ".repeat(20), "event");
        assert!(slug.len() <= 80, "{slug}");
        assert!(slug.ends_with("cooperation"), "{slug}");
    }

    #[test]
    fn folding_ignores_case_spacing_and_latin_diacritics_but_keeps_scripts() {
        assert_eq!(fold("  Nasirzādeh  Aziz "), "nasirzadeh aziz");
        assert_eq!(fold("Ebrahim RAISI"), "ebrahim raisi");
        assert_eq!(fold("Виктор Хренин"), "виктор хренин");
        assert_eq!(fold("عزیز نصیرزاده"), "عزیز نصیرزاده");
    }
}
