"""Hostile files against the readers (the security review of 2026-11): a page's <meta charset>
naming a codec no browser knows, and HTML whose end tags match nothing."""
import pytest

from compare.errors import InputError
from compare.readers import _MainText, html_to_text, read_file

BODY = "<p>一、工作目标。</p><p>到2026年，建成不少于3家测试验证平台。</p>"
TEXT = "一、工作目标。\n到2026年，建成不少于3家测试验证平台。"


@pytest.mark.parametrize("charset", ["undefined", "unicode_escape", "raw_unicode_escape", "utf-7", "rot13",
                                     "zlib", "idna", "cp037", "ascii", "utf-32"])
def test_a_page_naming_a_codec_no_browser_reads_or_a_wrong_one_is_read_as_its_bytes_are(tmp_path, charset):
    """'undefined' raised a UnicodeError that stopped the whole batch with a traceback; unicode_escape
    or cp037 stored garbage; ascii and utf-7 refused a UTF-8 page: the text is detected instead."""
    page = tmp_path / "page.html"
    page.write_bytes(f'<html><head><meta charset="{charset}"></head><body>{BODY}</body></html>'.encode())
    got = read_file(page)
    assert got.text == TEXT and got.encoding == "utf-8"


def test_a_page_labelled_with_its_real_encoding_is_read_in_it(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(f'<html><head><meta charset="gbk"></head><body>{BODY}</body></html>'.encode("gb18030"))
    assert read_file(page).text == TEXT


def test_an_encoding_that_never_decodes_is_one_line(tmp_path):
    page = tmp_path / "a.txt"
    page.write_text(TEXT, encoding="utf-8")
    with pytest.raises(InputError, match="cannot be decoded as undefined"):
        read_file(page, encoding="undefined")


class _CountingStack(list):
    """The parser's stack of open elements, counting the elements each pass over it visits."""

    visited = 0

    def __iter__(self):
        _CountingStack.visited += len(self)
        return super().__iter__()


def test_end_tags_that_match_nothing_do_not_scan_the_open_elements():
    """<span>×n then </x>×n: each unmatched end tag scanned the whole stack, n² steps (20,000 of
    each took 8 s; a 16 MB page, hours). Now an end tag with nothing of its name open is skipped."""
    n = 2000
    parser = _MainText()
    parser.open = _CountingStack()
    _CountingStack.visited = 0
    parser.feed("<html><body>" + BODY + "<span>" * n + "</x>" * n + "</body></html>")
    parser.close()
    assert _CountingStack.visited < n  # was n * n
    assert html_to_text("<html><body>" + BODY + "<span>" * n + "</x>" * n + "</body></html>") == TEXT


def test_end_tags_still_close_their_unclosed_children():
    html = "<div class='nav'><ul><li>首页<li>导航</div><p>一、工作目标。</p><div><span>到2026年，建成不少于3家测试验证平台。</div>"
    assert html_to_text(html).endswith(TEXT)


@pytest.mark.parametrize("suffix", ["", "/"])
def test_a_link_to_a_private_file_is_named_for_what_it_reaches_with_or_without_a_trailing_slash(tmp_path, suffix):
    # private_file resolves a path only when it is a symlink; "a.txt/" must be looked through too
    from compare.readers import private_file

    (tmp_path / "reviewers.json").write_text("{}", encoding="utf-8")
    (tmp_path / "a.txt").symlink_to(tmp_path / "reviewers.json")
    (tmp_path / "plain.txt").write_text("一、工作目标。", encoding="utf-8")
    assert private_file(str(tmp_path / "a.txt") + suffix) == "a symlink to reviewers.json, a reviewers file (password hashes)"
    assert private_file(tmp_path / "plain.txt") is None
