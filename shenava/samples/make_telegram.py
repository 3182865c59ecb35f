"""Render the sample channel and its comment threads as t.me would serve them.

Pages follow the public preview markup (``t.me/s/<channel>``, paged with
``?before=``) and the discussion embed (``t.me/<channel>/<post>?embed=1&discussion=1``);
`routes.json` tells the replay server which file answers which URL.
"""
from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path

from shenava.samples.texts import CHANNEL_POSTS, COMMENTS

CHANNEL = "tazeres_news"
FIRST_POST_ID = 101
COMMENT_ID_BASE = 5000
PAGE_SIZE = 4


def _when(day: int, hhmm: str) -> datetime:
    from shenava.samples.make_samples import when

    return when(day, hhmm)


def _stamp(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat()


def _count(n: int) -> str:
    return f"{n / 1000:.1f}K" if n >= 1000 else str(n)


def _text(text: str) -> str:
    return html.escape(text).replace("\n", "<br/>")


def _post(n: int, post: tuple) -> str:
    day, hhmm, author, text, views = post
    pid = FIRST_POST_ID + n
    t = _when(day, hhmm)
    likes = views // 60
    comments = sum(1 for c in COMMENTS if c[0] == n)
    return f"""
<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{CHANNEL}/{pid}" data-view="eyJjIjotMTkwMDAwMDAwMn0">
  <div class="tgme_widget_message_user"><a href="https://t.me/{CHANNEL}"><i class="tgme_widget_message_user_photo bgcolor2" data-content="ت"></i></a></div>
  <div class="tgme_widget_message_bubble">
    <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/{CHANNEL}"><span dir="auto">{html.escape(author)}</span></a></div>
    <div class="tgme_widget_message_text js-message_text" dir="auto">{_text(text)}</div>
    <div class="tgme_widget_message_reactions js-message_reactions"><span class="tgme_reaction"><i class="emoji" style="background-image:url('//telegram.org/img/emoji/40/F09F918D.png')"><b>👍</b></i>{_count(likes)}</span><span class="tgme_reaction"><i class="emoji"><b>❤</b></i>{_count(likes // 3)}</span></div>
    <div class="tgme_widget_message_footer compact js-message_footer">
      <div class="tgme_widget_message_info short js-message_info">
        <span class="tgme_widget_message_views">{_count(views)}</span><span class="copyonly"> views</span>
        <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/{CHANNEL}/{pid}"><time datetime="{_stamp(t)}" class="time">{hhmm}</time></a></span>
      </div>
    </div>
    <a class="tgme_widget_message_replies" href="https://t.me/{CHANNEL}/{pid}?comment=1"><span class="tgme_widget_message_replies_count">{comments} comments</span></a>
  </div>
</div></div>"""


def channel_page(posts: list[tuple[int, tuple]], older_before: int | None) -> str:
    more = f'<div class="tme_messages_more js-messages_more" data-before="{older_before}"></div>' if older_before else ""
    body = "".join(_post(n, p) for n, p in posts)
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>تازه‌رس | TazehRes – Telegram</title></head>
<body class="widget_frame_base tgme_webpreview_body">
<header class="tgme_header"><div class="tgme_channel_info_header"><div class="tgme_channel_info_header_title"><span dir="auto">تازه‌رس | TazehRes</span></div><div class="tgme_channel_info_header_username"><a href="https://t.me/{CHANNEL}">@{CHANNEL}</a></div></div></header>
<main class="tgme_main"><section class="tgme_channel_history js-message_history">{more}{body}
</section></main>
</body>
</html>
"""


def discussion(n: int) -> str:
    pid = FIRST_POST_ID + n
    rows = [(i, c) for i, c in enumerate(COMMENTS) if c[0] == n]
    items = []
    for i, (_, day, hhmm, author, text, likes) in rows:
        cid = COMMENT_ID_BASE + i
        handle = f"user_{cid}"
        items.append(f"""
<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post-id="{cid}" data-peer-id="7{cid}">
  <div class="tgme_widget_message_bubble">
    <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_author_name" href="https://t.me/{handle}"><span dir="auto">{html.escape(author)}</span></a></div>
    <div class="tgme_widget_message_text js-message_text" dir="auto">{_text(text)}</div>
    <div class="tgme_widget_message_reactions js-message_reactions"><span class="tgme_reaction"><i class="emoji"><b>👍</b></i>{likes}</span></div>
    <div class="tgme_widget_message_footer js-message_footer"><div class="tgme_widget_message_info js-message_info">
      <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/{CHANNEL}/{pid}?comment={cid}"><time datetime="{_stamp(_when(day, hhmm))}" class="time">{hhmm}</time></a></span>
    </div></div>
  </div>
</div>""")
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Telegram Widget</title></head>
<body class="widget_frame_base emoji_image nodark">
<div class="tgme_post_discussion_header"><span class="js-header">{len(rows)} comments</span></div>
<div class="tgme_post_discussion js-post_discussion">{''.join(items)}
</div>
</body>
</html>
"""


def write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    numbered = list(enumerate(CHANNEL_POSTS))
    newest, older = numbered[-PAGE_SIZE:], numbered[:-PAGE_SIZE]
    routes = []
    (folder / "channel-newest.html").write_text(
        channel_page(newest, FIRST_POST_ID + newest[0][0] if older else None), encoding="utf-8")
    routes.append({"path": f"/s/{CHANNEL}", "file": "channel-newest.html"})
    if older:
        (folder / "channel-older.html").write_text(channel_page(older, None), encoding="utf-8")
        routes.append({"path": f"/s/{CHANNEL}?before={FIRST_POST_ID + newest[0][0]}", "file": "channel-older.html"})
    for n, _ in numbered:
        name = f"discussion-{FIRST_POST_ID + n}.html"
        (folder / name).write_text(discussion(n), encoding="utf-8")
        routes.append({"path": f"/{CHANNEL}/{FIRST_POST_ID + n}", "file": name})
    (folder / "routes.json").write_text(json.dumps(routes, indent=1), encoding="utf-8")
