"""Staff-written Markdown is rendered, and nothing that runs in the browser survives it."""

from __future__ import annotations

from academy.core.markdown import render_markdown


def test_markdown_is_rendered() -> None:
    html = render_markdown("## Invoices\n\n* **Send** them\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h2>Invoices</h2>" in html
    assert "<strong>Send</strong>" in html
    assert "<table>" in html


def test_script_event_handlers_and_javascript_urls_are_removed() -> None:
    html = render_markdown(
        'Hi <script>alert(1)</script><img src="x.png" onerror="alert(2)">'
        ' [link](javascript:alert(3)) <a href="https://taxdome.com" onclick="x()">ok</a>'
        '<style>body{}</style><iframe src="https://evil.example"></iframe>'
    )
    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html and "onclick" not in html
    assert 'href="javascript' not in html  # left as plain text, never a link
    assert "<style" not in html and "<iframe" not in html
    assert '<img src="x.png">' in html
    assert 'href="https://taxdome.com"' in html and 'rel="noopener noreferrer nofollow"' in html
