//! Markdown summaries become HTML only through a sanitizer: raw HTML, scripts, event
//! handlers and `javascript:` links never reach a page.

use pulldown_cmark::{Event, Options, Parser, TagEnd, html};

/// Renders editor-written Markdown to HTML that is safe to embed in a page.
pub fn to_safe_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES);
    let mut unsafe_html = String::new();
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&unsafe_html)
        .to_string()
}

/// The words of a Markdown text without its markup, for the search index and snippets:
/// "A *signed* [MOU](https://…)" becomes "A signed MOU". Raw HTML is dropped.
pub fn to_plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) => {
                text.push(' ')
            }
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::{to_plain_text, to_safe_html};

    #[test]
    fn plain_text_keeps_the_words_and_drops_the_markup() {
        assert_eq!(
            to_plain_text("A *signed* [MOU](https://example.org/mou).\n\n- one\n- `two`\n\n<b>bold</b>"),
            "A signed MOU. one two bold"
        );
    }

    #[test]
    fn emphasis_and_links_survive() {
        let html = to_safe_html("A *signed* [MOU](https://example.org/mou)");
        assert!(html.contains("<em>signed</em>"), "{html}");
        assert!(html.contains("href=\"https://example.org/mou\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""), "{html}");
    }

    #[test]
    fn scripts_and_event_handlers_are_removed() {
        let html = to_safe_html("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn javascript_links_lose_their_target() {
        for markdown in [
            "[x](javascript:alert(1))",
            "<a href=\"javascript:alert(2)\">y</a>",
            "[z](JaVaScRiPt:alert(3))",
        ] {
            let html = to_safe_html(markdown);
            assert!(
                !html.to_lowercase().contains("href=\"javascript"),
                "{markdown} gave {html}"
            );
            assert!(!html.contains("<a href=\"java"), "{markdown} gave {html}");
        }
    }
}
