"""Hypothesis against every parser of untrusted input: recorded pages and exports, mutated.

The contract: a parser returns, or raises a ShenavaError (LayoutChanged,
ConnectorError) naming what was wrong; never an AttributeError, TypeError,
OverflowError or the like that would end a scheduled run with a traceback.
And whatever it returns can be stored: every mention goes into a real store.
Each test records how many examples ran (`-rP` or the junit XML show it).
"""
from __future__ import annotations

import copy
import csv
import io
import json
import re
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import strategies as st

from shenava.connectors.base import build_connector
from shenava.connectors.charset import decode_body
from shenava.connectors.feed import parse_feed
from shenava.connectors.replay import replay_config
from shenava.connectors.telegram_html import parse_channel_page, parse_discussion
from shenava.errors import LayoutChanged, ShenavaError
from shenava.storage import Store
from test_reliability_kit import FIXTURES, run_fuzz

pytestmark = pytest.mark.slow

TG = FIXTURES / "telegram"
CHANNEL_PAGES = [(TG / f).read_text(encoding="utf-8") for f in
                 ("channel_newest.html", "channel_before_21.html", "channel_before_11.html")]
DISCUSSIONS = [(TG / f).read_text(encoding="utf-8") for f in ("discussion_29.html", "discussion_30.html")]
FEEDS = [(FIXTURES / "feed" / f).read_text(encoding="utf-8") for f in ("comments.rss", "news.atom", "old.rdf")]
EXPORTS = [json.loads((FIXTURES / "telegram_export" / d / "result.json").read_text(encoding="utf-8"))
           for d in ("group_v1", "account")]
DIGIKALA = json.loads((FIXTURES / "digikala" / "p12345678_page1.json").read_text(encoding="utf-8"))["data"]["comments"]
SNAPPFOOD = json.loads((FIXTURES / "snappfood" / "v0xmz7k_page0.json").read_text(encoding="utf-8"))["data"]["comments"]

EXAMPLES = 200

# Text as hostile sources send it: any code point, half surrogate pairs, controls, huge numbers.
WILD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["Cs", "Cc", "Cf", "Lo", "Nd", "No"]), max_size=20),
    st.from_regex(r"[0-9۰-۹²]{1,400}", fullmatch=True),
    st.sampled_from(["javascript:alert(1)", "data:text/html,<script>", "-1", "1e309", "NaN", "25:61",
                     "1404-13-40", "99999999999999", "2025-11-20T10:00:00+25:00", "٣٠ اسفند ١٤٠٣", ""]),
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2 ** 70, max_value=2 ** 70) | st.floats() | WILD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WILD_TEXT, inner, max_size=3),
    max_leaves=6)

# HTML pieces that look like Telegram's markup, for mutations that get past the first checks.
HTML_BITS = st.sampled_from([
    '<div class="tgme_widget_message" data-post="tehran_gadget/abc">', '<div class="tgme_widget_message">',
    '<time datetime="2025-13-45T99:00:00">', '<time datetime="2025-11-20T10:00:00">', "</div>", "</a>",
    '<span class="tgme_widget_message_views">' + "9" * 400 + "</span>", '<a class="tgme_widget_message_date" '
    'href="javascript:alert(1)"><time datetime="2025-11-20T10:00:00+00:00"></time></a>',
    '<div class="tgme_widget_message_text">', '<span class="tgme_reaction"><b>❤</b>1e999</span>',
    '<div class="tme_messages_more" data-before="-5">', '<div class="tgme_widget_message_reply" href="?comment=x">',
    '<span class="js-header">' + "۹" * 50 + " comments</span>", "<![CDATA[", "<!--", "&#0;", "\x00", "<script>",
    '<div class="tgme_widget_message" data-post-id="1e3">', '<tg-emoji emoji-id="">', "<br>" * 50,
])


_VALUES = re.compile(r'"([^"<>]*)"|>([^<]+)<')


@st.composite
def mutated(draw, documents: list[str], bits=HTML_BITS) -> str:
    """A recorded document with a few cuts, deletions, insertions and replaced values."""
    doc = draw(st.sampled_from(documents))
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["delete", "insert", "insert", "value", "value", "cut"]))
        i = draw(st.integers(0, len(doc)))
        if op == "cut":
            doc = doc[:i]
        elif op == "delete":
            doc = doc[:i] + doc[min(len(doc), i + draw(st.integers(1, 600))):]
        elif op == "insert":
            doc = doc[:i] + draw(st.one_of(bits, WILD_TEXT)) + doc[i:]
        else:  # replace one attribute value or text node, chosen among all of them
            slots = [m.span(m.lastindex) for m in _VALUES.finditer(doc)]
            if slots:
                start, end = draw(st.sampled_from(slots))
                doc = doc[:start] + draw(WILD_TEXT).replace('"', "").replace("<", "") + doc[end:]
    return doc


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "fuzz.db") as s:
        yield s


@pytest.mark.parametrize("what, documents, parse", [
    ("telegram channel page", CHANNEL_PAGES,
     lambda html: parse_channel_page(html, "https://t.me/s/tehran_gadget", "tehran_gadget").posts),
    ("telegram discussion embed", DISCUSSIONS,
     lambda html: parse_discussion(html, "https://t.me/tehran_gadget/30?embed=1&discussion=1").comments),
], ids=["channel page", "discussion embed"])
def test_fuzz_telegram_pages(record_property, what, documents, parse):
    def check(html):
        html = decode_body(html.encode("utf-8", "surrogatepass"))  # a page arrives as bytes
        try:
            items = parse(html)
        except LayoutChanged:
            return
        assert all(isinstance(i.id, int) and i.published_at.tzinfo for i in items)

    run_fuzz(record_property, what, st.one_of(mutated(documents), st.text(max_size=300)), check, EXAMPLES)


def test_fuzz_feed(record_property):
    bits = st.sampled_from(["<item>", "</item>", "<guid>", "</guid>", "<slash:comments>²</slash:comments>",
                            "<slash:comments>" + "9" * 5000 + "</slash:comments>", "<pubDate>Mon, 99 Foo</pubDate>",
                            "<dc:date>1403/12/40 25:61</dc:date>", '<!DOCTYPE x [<!ENTITY e "x">]>', "&e;",
                            "<link>javascript:alert(1)</link>", "<entry>", "<content>&lt;script&gt;</content>"])
    conn = build_connector(*_source("feed", urls=["http://127.0.0.1:9/feed"]))

    def check(xml):
        xml = decode_body(xml.encode("utf-8", "surrogatepass"))  # a feed arrives as bytes
        try:
            entries = parse_feed(xml, "http://127.0.0.1:9/feed", ZoneInfo("Asia/Tehran"))
            for e in entries:
                conn._mention(e, "http://127.0.0.1:9/feed")
        except ShenavaError:
            pass

    run_fuzz(record_property, "RSS/Atom feed", mutated(FEEDS, bits), check, EXAMPLES)


def _source(kind: str, **options):
    config = replay_config({"name": f"fuzz-{kind}", "kind": kind, **options})
    return config, config.sources[0]


# -- JSON importers -----------------------------------------------------------------------
@st.composite
def mutated_json(draw, documents: list, keys: tuple[str, ...] = ()) -> object:
    """A recorded JSON document with a few values replaced by wild ones, removed, or (`keys`) set."""
    doc = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 6))):
        node = doc
        # Mostly all the way down to a leaf object (a message, a comment), sometimes higher up.
        for _depth in range(draw(st.sampled_from([1, 2, 8, 8, 8]))):
            children = list(node.values() if isinstance(node, dict) else node) if isinstance(node, (dict, list)) else []
            containers = [c for c in children if isinstance(c, (dict, list)) and c]
            if not containers:
                break
            node = draw(st.sampled_from(containers))
        if isinstance(node, dict) and (node or keys):
            key = draw(st.sampled_from(sorted(set(node) | set(keys))))
            if draw(st.integers(0, 3)):
                node[key] = draw(JSON_VALUE)
            else:
                node.pop(key, None)
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(JSON_VALUE)
    return doc


EXPORT_KEYS = ("id", "type", "date", "date_unixtime", "edited_unixtime", "from", "author", "text", "text_entities",
               "reply_to_message_id", "reactions", "forwarded_from", "media_type", "photo", "messages", "name", "list")


def _collect_into(store: Store, conn, cursor=None) -> None:
    """Run a connector; whatever it yields must go into the store."""
    try:
        mentions = list(conn.collect(cursor or {}))
    except ShenavaError:
        return
    store.upsert_mentions(conn.source.name, mentions)
    json.dumps(conn.cursor)  # the cursor must be saveable too


def test_fuzz_telegram_export(record_property, store):
    def check(example):
        export, cursor = example
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "result.json").write_text(json.dumps(export), encoding="utf-8")
            config, source = _source("telegram_export", path="result.json", chat="خریداران گوشی تهران")
            config.base_dir = Path(folder)
            _collect_into(store, build_connector(config, source), cursor)

    cursors = st.sampled_from([{}, {"chats": {"1987654321": {"last_id": 3, "last_edit": 0}}}])
    run_fuzz(record_property, "Telegram Desktop export", st.tuples(mutated_json(EXPORTS, EXPORT_KEYS), cursors),
             check, EXAMPLES)


def _jsonl_line() -> st.SearchStrategy[str]:
    row = st.fixed_dictionaries({}, optional={"id": JSON_VALUE, "message": JSON_VALUE, "ts": JSON_VALUE,
                                              "from": JSON_VALUE, "likes": JSON_VALUE, "url": JSON_VALUE})
    return st.one_of(row.map(json.dumps), JSON_VALUE.map(json.dumps), WILD_TEXT)


def test_fuzz_jsonl_and_csv_files(record_property, store):
    columns = {"id": "id", "text": "message", "published_at": "ts", "author": "from", "reactions": "likes",
               "permalink": "url"}

    def check(example):
        lines, cells = example
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "rows.jsonl").write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
            out = io.StringIO()
            csv.writer(out).writerows([list(columns.values()), *cells])
            Path(folder, "rows.csv").write_text(out.getvalue(), encoding="utf-8", errors="surrogatepass")
            for name in ("rows.jsonl", "rows.csv"):
                config, source = _source("file", path=name, columns=columns)
                config.base_dir = Path(folder)
                _collect_into(store, build_connector(config, source))

    rows = st.lists(st.lists(WILD_TEXT, min_size=6, max_size=6), max_size=5)
    run_fuzz(record_property, "JSON Lines + CSV import", st.tuples(st.lists(_jsonl_line(), max_size=6), rows),
             check, EXAMPLES)


@pytest.mark.parametrize("kind, comments, options", [
    ("digikala", DIGIKALA, {"product_ids": [12345678]}),
    ("snappfood", SNAPPFOOD, {"vendor_codes": ["0xmz7k"]}),
])
def test_fuzz_review_api_comments(record_property, store, kind, comments, options):
    keys = tuple(sorted({k for c in comments for k in c}))
    conn = build_connector(*_source(kind, **options))
    item = str(next(iter(options.values()))[0])

    def check(page):
        for comment in page if isinstance(page, list) else []:
            if not isinstance(comment, dict):
                continue
            try:
                mention = conn.mention(item, comment, "http://127.0.0.1:9/api")
            except ShenavaError:
                continue
            if mention is not None:
                store.upsert_mentions(conn.source.name, [mention])

    run_fuzz(record_property, f"{kind} API comments", mutated_json([comments], keys), check, EXAMPLES)
