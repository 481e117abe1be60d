//! Markdown summaries become HTML only through a sanitizer: raw HTML, scripts, event
//! handlers and `javascript:` links never reach a page.

use pulldown_cmark::{Options, Parser, html};

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

#[cfg(test)]
mod tests {
    use super::to_safe_html;

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
