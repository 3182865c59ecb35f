"""Bytes to text for pages whose charset is declared wrongly, late or not at all.

Iranian sites still serve windows-1256 pages, often labelled as UTF-8 or not
labelled at all. The order below trusts evidence over labels: a byte order
mark, then valid UTF-8 (legacy Persian text is essentially never valid UTF-8
by accident), then the HTTP charset, then ``<meta charset>``, then detection.
"""
from __future__ import annotations

import codecs
import re

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I)
# Labels that browsers treat as windows-1256 (WHATWG encoding standard).
_ALIASES = {"iso-8859-6": "iso8859-6", "arabic": "windows-1256", "x-cp1256": "windows-1256",
            "cp1256": "windows-1256", "iso-8859-1": "windows-1252", "latin1": "windows-1252"}


def decode_body(content: bytes, content_type: str | None = None) -> str:
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content.decode(codec, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for label in (header_charset(content_type), declared_charset(content[:4096])):
        codec = _codec(label)
        if codec and codec != "utf-8":
            try:
                return content.decode(codec)
            except UnicodeDecodeError:
                continue
    return _detect(content)


def header_charset(content_type: str | None) -> str | None:
    m = _HEADER_CHARSET.search(content_type or "")
    return m.group(1) if m else None


def declared_charset(head: bytes) -> str | None:
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = _ALIASES.get(label.lower(), label.lower())
    try:
        return codecs.lookup(label).name.replace("cp1256", "windows-1256")
    except LookupError:
        return None


def _detect(content: bytes) -> str:
    from charset_normalizer import from_bytes

    candidates = []
    best = from_bytes(content).best()
    if best is not None:
        candidates.append(str(best))
    # The detector can misread short Persian snippets; windows-1256 is the usual suspect here.
    candidates.append(content.decode("windows-1256", errors="replace"))
    candidates.append(content.decode("utf-8", errors="replace"))
    return max(candidates, key=_plausibility)


def _plausibility(text: str) -> int:
    score = 0
    for ch in text:
        o = ord(ch)
        if ch.isascii():
            score += 1
        elif 0x0600 <= o <= 0x06FF or 0xFB50 <= o <= 0xFEFF or o in (0x200C, 0x200F):
            score += 2
        elif ch == "\ufffd" or 0x80 <= o <= 0xFF:
            score -= 4
    return score
