"""Cleaning the printed text of performance tables without changing what it says.

Web-sourced tables carry HTML (`<p>…</p>`), Word exports carry bookmarks (`[bookmark: _GoBack]`),
PDF extraction puts spaces inside words ("服务对象 满意度") and breaks long cells over lines. Names
are compared squashed; free text is kept readable (paragraphs on their own lines).
"""

from __future__ import annotations

import re
from functools import lru_cache

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_PARAGRAPH_BREAK = re.compile(r"</p>\s*<p[^<>]*>", re.IGNORECASE)
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]?")
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_INLINE_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’《》"
# A space between two CJK characters is layout (PDF extraction), not text; so is a line break inside a
# word (between two ideographs). A line break after punctuation is kept: it ends a paragraph.
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])|(?<=[\u4e00-\u9fff])\n+(?=[\u4e00-\u9fff])")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "：": ":"})


@lru_cache(maxsize=1 << 16)
def strip_markup(text: str) -> str:
    """Cached: the same header and label texts recur in every table of every document."""
    text = _PARAGRAPH_BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    return _BOOKMARK.sub("", text)


def clean_text(text: str | None) -> str | None:
    """Free text as printed, minus markup and layout breaks; None when nothing is left."""
    if text is None:
        return None
    text = strip_markup(text)
    lines = [_INLINE_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    text = _CJK_GAP.sub("", text)
    return text or None


def squash_name(text: str | None) -> str | None:
    """A name with every space removed (PDF extraction splits words: "完善财务 制度")."""
    if text is None:
        return None
    text = _SPACES.sub("", strip_markup(text))
    return text or None


@lru_cache(maxsize=1 << 16)
def label_key(text: str) -> str:
    """How labels are compared: squashed, full-width brackets and colon unified (cached: pure)."""
    return _SPACES.sub("", strip_markup(text)).translate(_BRACKETS)
