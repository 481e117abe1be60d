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
    /// What to mark in results: each included word or phrase as folded tokens, and
    /// whether its last token matches as a prefix.
    highlights: Vec<(Vec<String>, bool)>,
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

        let highlights = terms
            .iter()
            .filter(|(excluded, _)| !excluded)
            .filter_map(|(_, term)| match term {
                Term::Word(word) => Some((token_texts(word), true)),
                Term::Phrase(phrase) => Some((token_texts(phrase), false)),
                Term::Or => None,
            })
            .filter(|(tokens, _)| !tokens.is_empty())
            .collect();

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
            highlights,
        })
    }

    /// `text` with the words this search matches wrapped in [`MATCH_START`] and
    /// [`MATCH_END`], and how many were marked. Words are split and folded the way the
    /// index does it (letters and digits; case and Latin accents ignored), so what is
    /// marked is what matched.
    pub fn highlight(&self, text: &str) -> (String, usize) {
        let tokens = tokens(text);
        let marked = self.matches(&tokens);
        (render(text, &tokens, &marked, 0, tokens.len()), marked.len())
    }

    /// A stretch of at most `width` words of `text` around its first match, marked like
    /// [`SearchQuery::highlight`], with "…" where text was cut; None without a match.
    pub fn snippet(&self, text: &str, width: usize) -> Option<(String, usize)> {
        let tokens = tokens(text);
        let marked = self.matches(&tokens);
        let first = marked.first()?.0;
        let start = first.saturating_sub(width / 4);
        let end = (start + width).min(tokens.len());
        let start = end.saturating_sub(width).min(start);
        let mut snippet = render(text, &tokens, &marked, start, end);
        if start > 0 {
            snippet.insert(0, '…');
        }
        if end < tokens.len() {
            snippet.push('…');
        }
        Some((snippet, marked.len()))
    }

    /// Runs of tokens (first, last) that match a term, in text order, not overlapping.
    fn matches(&self, tokens: &[Token]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let hit = self.highlights.iter().find_map(|(words, prefix)| {
                let last = words.len() - 1;
                let fits = words.iter().enumerate().all(|(k, word)| {
                    tokens.get(i + k).is_some_and(|t| {
                        if k == last && *prefix {
                            t.folded.starts_with(word.as_str())
                        } else {
                            t.folded == *word
                        }
                    })
                });
                fits.then_some(i + last)
            });
            match hit {
                Some(end) => {
                    found.push((i, end));
                    i = end + 1;
                }
                None => i += 1,
            }
        }
        found
    }
}

/// A word of a text: where it is, and its folded form.
struct Token {
    start: usize,
    end: usize,
    folded: String,
}

/// Splits text into words as the unicode61 tokenizer does: runs of letters and digits.
fn tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        let word_char = c.is_alphanumeric() || is_combining(c);
        match (start, word_char) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                tokens.push(Token {
                    start: s,
                    end: i,
                    folded: crate::domain::names::fold(&text[s..i]),
                });
                start = None;
            }
            _ => {}
        }
    }
    tokens
}

fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036f}').contains(&c)
}

/// The folded words of a search term.
fn token_texts(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.folded).collect()
}

/// The text from token `from` to token `to` (exclusive), with matches marked.
fn render(text: &str, tokens: &[Token], marked: &[(usize, usize)], from: usize, to: usize) -> String {
    if from >= to {
        return if from == 0 { text.to_owned() } else { String::new() };
    }
    let begin = if from == 0 { 0 } else { tokens[from].start };
    let finish = if to == tokens.len() {
        text.len()
    } else {
        tokens[to - 1].end
    };
    let mut out = String::with_capacity(finish - begin + 8);
    let mut at = begin;
    for &(first, last) in marked.iter().filter(|(first, last)| *first >= from && *last < to) {
        out.push_str(&text[at..tokens[first].start]);
        out.push(MATCH_START);
        out.push_str(&text[tokens[first].start..tokens[last].end]);
        out.push(MATCH_END);
        at = tokens[last].end;
    }
    out.push_str(&text[at..finish]);
    out
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

    fn marked(query: &str, text: &str) -> String {
        let query = SearchQuery::parse(query).expect("parses");
        query
            .highlight(text)
            .0
            .replace('\u{2}', "[")
            .replace('\u{3}', "]")
    }

    #[test]
    fn highlights_mark_what_the_index_matches() {
        assert_eq!(
            marked("nasirzade", "Aziz Nasirzādeh met Nasirzadeh's aide"),
            "Aziz [Nasirzādeh] met [Nasirzadeh]'s aide"
        );
        assert_eq!(
            marked("хренин", "Виктор Хренин · Віктар Хрэнін"),
            "Виктор [Хренин] · Віктар Хрэнін"
        );
        assert_eq!(
            marked("\"drone factory\"", "a drone factory, a drone plant"),
            "a [drone factory], a drone plant"
        );
        assert_eq!(
            marked("drones -russia", "drones for Russia"),
            "[drones] for Russia"
        );
        assert_eq!(
            marked("iran OR belarus", "Iran and Belarus"),
            "[Iran] and [Belarus]"
        );
        assert_eq!(
            marked("al-ashtiani", "met al-Ashtiani today"),
            "met [al-Ashtiani] today"
        );
    }

    #[test]
    fn snippets_cut_around_the_first_match() {
        let query = SearchQuery::parse("gomel").expect("parses");
        let text = "one two three four five six seven eight nine ten Gomel eleven twelve thirteen fourteen";
        let (snippet, hits) = query.snippet(text, 6).expect("a match");
        assert_eq!(hits, 1);
        assert_eq!(
            snippet.replace(['\u{2}', '\u{3}'], "|"),
            "…ten |Gomel| eleven twelve thirteen fourteen"
        );
        assert_eq!(query.snippet("nothing here", 6), None);
        let (whole, _) = query.snippet("Gomel plant", 24).expect("a match");
        assert_eq!(whole, "\u{2}Gomel\u{3} plant");
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
