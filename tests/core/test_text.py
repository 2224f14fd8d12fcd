"""linkify: web addresses in what someone wrote become links in an email's HTML part, and
nothing else of it is HTML."""

from academy.core.text import linkify


def test_addresses_become_links_and_the_rest_is_escaped():
    html = linkify('See https://help.example.com/a?b=1&c=2, then <b>reply</b> "here".')
    assert str(html) == (
        'See <a href="https://help.example.com/a?b=1&amp;c=2">'
        "https://help.example.com/a?b=1&amp;c=2</a>, then &lt;b&gt;reply&lt;/b&gt; "
        "&#34;here&#34;."
    )


def test_a_sentence_ending_after_an_address_keeps_its_full_stop():
    assert str(linkify("Open http://x.example/p.")) == (
        'Open <a href="http://x.example/p">http://x.example/p</a>.'
    )
    assert str(linkify("(see https://x.example/p)")).endswith("</a>)")


def test_no_address_no_link_and_no_script():
    assert str(linkify("javascript:alert(1) <script>")) == "javascript:alert(1) &lt;script&gt;"
    assert str(linkify("")) == ""
