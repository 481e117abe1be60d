//! What text entente stores: no control characters (tab and line breaks aside), no
//! direction overrides that make text read differently from what it holds, and names
//! that have something to see. Every form and the command line check their input here,
//! so that a stray NUL or an invisible-only name is refused with a message instead of
//! failing in the database.

/// Longest name accepted: of an actor, an alias, an outlet, a place.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest one-line text other than a name: a source's title, a role, a person's title.
pub const MAX_LINE_CHARS: usize = 500;
/// Longest address of a source.
pub const MAX_URL_CHARS: usize = 2_000;
/// Longest note: how a date was established, an editor's note on a change, a reason.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Longest longer text: a quoted passage, a description, notes on a source.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// The first character of `text` that entente does not store, if any: C0 and C1 control
/// characters other than tab, line feed and carriage return, DEL, and the Unicode
/// direction embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). Marks
/// such as U+200E (left-to-right mark), which Persian and Arabic text uses, are kept.
pub fn unstorable(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

/// Whether `text` has at least one character a reader can see: not only spaces and
/// invisible formatting characters (zero-width space, byte-order mark, soft hyphen,
/// direction marks…).
pub fn has_visible(text: &str) -> bool {
    text.chars()
        .any(|c| !c.is_whitespace() && !c.is_control() && !is_invisible_format(c))
}

/// Unicode format characters (general category Cf) and other characters that render as
/// nothing.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// How a refused character is named in a message: `U+0000`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// The sentence that refuses `text` for the field called `label` ("the title"), or
/// `None` when the text can be stored.
pub fn refusal(label: &str, text: &str) -> Option<String> {
    unstorable(text).map(|c| {
        format!(
            "{} contains the invisible character {}, which entente does not store. Remove it \
             (it often comes with pasted text) and send the form again.",
            capitalized(label),
            code_point(c)
        )
    })
}

/// The sentence that refuses a name with nothing visible in it, or a name that cannot be
/// stored, or one longer than `max_chars`; `None` when the name is fine.
pub fn name_refusal(label: &str, name: &str, max_chars: usize) -> Option<String> {
    if let Some(message) = refusal(label, name) {
        return Some(message);
    }
    if name.contains(['\n', '\r', '\t']) {
        return Some(format!("{} must be on one line.", capitalized(label)));
    }
    if !has_visible(name) {
        return Some(format!(
            "{} needs at least one visible character.",
            capitalized(label)
        ));
    }
    too_long(label, name, max_chars)
}

/// The sentence that refuses text longer than `max_chars` characters.
pub fn too_long(label: &str, text: &str, max_chars: usize) -> Option<String> {
    let chars = text.chars().count();
    (chars > max_chars).then(|| {
        format!(
            "{} is {chars} characters long; entente keeps at most {max_chars}.",
            capitalized(label)
        )
    })
}

/// The first refusal among `texts`, each (label, text, most characters): what cannot be
/// stored, then what is too long.
pub fn first_refusal(texts: &[(&str, &str, usize)]) -> Option<String> {
    texts
        .iter()
        .find_map(|(label, text, max)| refusal(label, text).or_else(|| too_long(label, text.trim(), *max)))
}

fn capitalized(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_direction_overrides_are_refused() {
        assert_eq!(unstorable("\u{0}Tehran"), Some('\u{0}'));
        assert_eq!(unstorable("a\u{1b}b"), Some('\u{1b}'));
        assert_eq!(unstorable("a\u{85}b"), Some('\u{85}'));
        assert_eq!(unstorable("abc\u{202E}cba"), Some('\u{202E}'));
        assert_eq!(unstorable("line one\r\nline two\ttabbed"), None);
        assert_eq!(
            unstorable("عزیز نصیرزاده\u{200F}"),
            None,
            "a right-to-left mark is kept"
        );
        let message = refusal("the title", "\u{0}x").unwrap_or_default();
        assert!(
            message.starts_with("The title contains the invisible character U+0000"),
            "{message}"
        );
    }

    #[test]
    fn names_need_something_to_see() {
        assert!(!has_visible("\u{200B}\u{FEFF}"));
        assert!(!has_visible("  \u{00AD} "));
        assert!(has_visible("Хренин"));
        assert!(name_refusal("the name", "\u{200B}\u{FEFF}", 200).is_some());
        assert!(name_refusal("the name", &"a".repeat(201), 200).is_some());
        assert_eq!(name_refusal("the name", "Viktor Khrenin", 200), None);
        assert!(name_refusal("the name", "Viktor\nKhrenin", 200).is_some_and(|m| m.contains("one line")));
    }
}
