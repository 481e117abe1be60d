//! Full-text search: what a reader types becomes an FTS5 query. The search documents
//! themselves are written by [`super::derived`]; the table and its tokenizer are defined
//! in `migrations/0002_search.sql`.

/// Marks the start of a matched word in highlighted text (a control character that
/// cannot appear in stored text, so it can never be forged by an editor).
pub const MATCH_START: char = '\u{2}';
/// Marks the end of a matched word in highlighted text.
pub const MATCH_END: char = '\u{3}';

/// A reader's search, checked and turned into FTS5 syntax.
///
/// The reader's language is small and forgiving: words (each also matches as a prefix,
/// so "nasirzade" finds "Nasirzadeh"), "quoted phrases" (matched exactly), `OR` between
/// two terms, and `-word` to exclude. Case and accents never matter. Punctuation inside
/// words is treated as FTS5 treats it in the text (as a word break), so nothing a reader
/// types can reach FTS5 as syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The text as the reader typed it (trimmed).
    pub text: String,
    /// The FTS5 expression.
    pub fts: String,
}

/// Why a search could not be understood, in words for the reader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SearchError(pub String);

/// Longest search text accepted; longer text is a mistake (a pasted article), not a query.
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug)]
enum Term {
    Word(String),
    Phrase(String),
    Or,
}

impl SearchQuery {
    pub fn parse(text: &str) -> std::result::Result<SearchQuery, SearchError> {
        let text = text.trim();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError(format!(
                "The search is longer than {MAX_QUERY_CHARS} characters. Use a few distinctive words."
            )));
        }
        // Terms, each with whether it is excluded.
        let mut terms: Vec<(bool, Term)> = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let excluded = c == '-';
            if excluded {
                chars.next();
            }
            if chars.peek() == Some(&'"') {
                chars.next();
                let phrase: String = chars.by_ref().take_while(|&c| c != '"').collect();
                // take_while consumed the closing quote, if there was one.
                if !text_has_balanced_quotes(text) {
                    return Err(SearchError(
                        "A quotation mark is not closed. Put phrases between two quotation marks, \
                         like \"drone factory\"."
                            .to_owned(),
                    ));
                }
                if has_word(&phrase) {
                    terms.push((excluded, Term::Phrase(phrase)));
                }
                continue;
            }
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            if word == "OR" && !excluded {
                terms.push((false, Term::Or));
            } else if has_word(&word) {
                terms.push((excluded, Term::Word(word)));
            }
        }

        // Included terms joined by AND, where OR binds adjacent terms into one group.
        let mut groups: Vec<Vec<String>> = Vec::new();
        let mut excluded: Vec<String> = Vec::new();
        let mut pending_or = false;
        for (i, (is_excluded, term)) in terms.iter().enumerate() {
            let expression = match term {
                Term::Or => {
                    let follows_term = i > 0 && !terms[i - 1].0 && !matches!(terms[i - 1].1, Term::Or);
                    let precedes_term = terms
                        .get(i + 1)
                        .is_some_and(|(x, t)| !x && !matches!(t, Term::Or));
                    if !follows_term || !precedes_term {
                        return Err(SearchError(
                            "OR must stand between two words or phrases, like: Belarus OR Russia.".to_owned(),
                        ));
                    }
                    pending_or = true;
                    continue;
                }
                Term::Word(word) => format!("{}*", quote(word)),
                Term::Phrase(phrase) => quote(phrase),
            };
            if *is_excluded {
                excluded.push(expression);
            } else if pending_or {
                if let Some(group) = groups.last_mut() {
                    group.push(expression);
                }
                pending_or = false;
            } else {
                groups.push(vec![expression]);
            }
        }
        if groups.is_empty() {
            return Err(SearchError(if excluded.is_empty() {
                "The search has no words to look for.".to_owned()
            } else {
                "The search only excludes words. Add a word to look for, like: drones -Russia.".to_owned()
            }));
        }
        let mut fts = groups
            .iter()
            .map(|group| {
                if group.len() == 1 {
                    group[0].clone()
                } else {
                    format!("({})", group.join(" OR "))
                }
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        if !excluded.is_empty() {
            fts = format!("({fts}) NOT ({})", excluded.join(" OR "));
        }
        Ok(SearchQuery {
            text: text.to_owned(),
            fts,
        })
    }
}

fn text_has_balanced_quotes(text: &str) -> bool {
    text.chars().filter(|&c| c == '"').count() % 2 == 0
}

/// Whether text holds anything the tokenizer would index (a letter or a digit).
fn has_word(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// An FTS5 string: the tokenizer splits it into words, and no character is syntax.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Splits text marked with [`MATCH_START`] and [`MATCH_END`] into (text, is_match) parts.
pub fn split_marked(marked: &str) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_match = false;
    for c in marked.chars() {
        if c == MATCH_START || c == MATCH_END {
            if !current.is_empty() {
                parts.push((std::mem::take(&mut current), in_match));
            }
            in_match = c == MATCH_START;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        parts.push((current, in_match));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::{SearchQuery, split_marked};

    fn fts(text: &str) -> String {
        match SearchQuery::parse(text) {
            Ok(query) => query.fts,
            Err(e) => panic!("{text:?} did not parse: {e}"),
        }
    }

    fn error(text: &str) -> String {
        match SearchQuery::parse(text) {
            Ok(query) => panic!("{text:?} parsed as {}", query.fts),
            Err(e) => e.0,
        }
    }

    #[test]
    fn words_are_prefixes_joined_by_and() {
        assert_eq!(fts("nasirzade"), "\"nasirzade\"*");
        assert_eq!(fts("  Iran   drones "), "\"Iran\"* AND \"drones\"*");
        assert_eq!(fts("Хренин"), "\"Хренин\"*");
    }

    #[test]
    fn phrases_or_and_exclusions() {
        assert_eq!(fts("\"drone factory\""), "\"drone factory\"");
        assert_eq!(
            fts("Belarus OR Russia drones"),
            "(\"Belarus\"* OR \"Russia\"*) AND \"drones\"*"
        );
        assert_eq!(fts("drones -Russia"), "(\"drones\"*) NOT (\"Russia\"*)");
        assert_eq!(
            fts("drones -\"Shahed 136\""),
            "(\"drones\"*) NOT (\"Shahed 136\")"
        );
        assert_eq!(fts("a OR b OR c"), "(\"a\"* OR \"b\"* OR \"c\"*)");
    }

    #[test]
    fn fts_syntax_typed_by_a_reader_is_only_text() {
        // Operators in lower case, column filters, stars, parentheses and carets are
        // words or word breaks, never FTS5 syntax.
        assert_eq!(fts("title:iran"), "\"title:iran\"*");
        assert_eq!(
            fts("(iran) NEAR belarus*"),
            "\"(iran)\"* AND \"NEAR\"* AND \"belarus*\"*"
        );
        assert_eq!(fts("al-Ashtiani"), "\"al-Ashtiani\"*");
        assert_eq!(fts("iran , ;"), "\"iran\"*");
    }

    #[test]
    fn unusable_searches_say_why() {
        assert!(error("\"drone factory").contains("quotation mark"));
        assert!(error("OR iran").contains("OR must stand between"));
        assert!(error("iran OR").contains("OR must stand between"));
        assert!(error("iran OR OR belarus").contains("OR must stand between"));
        assert!(error("-iran").contains("only excludes"));
        assert!(error("!!! ???").contains("no words"));
        assert!(error(&"word ".repeat(60)).contains("longer than"));
    }

    #[test]
    fn marked_text_splits_into_parts() {
        assert_eq!(
            split_marked("the \u{2}drone\u{3} plant"),
            vec![
                ("the ".to_owned(), false),
                ("drone".to_owned(), true),
                (" plant".to_owned(), false)
            ]
        );
        assert_eq!(split_marked(""), Vec::<(String, bool)>::new());
    }
}
