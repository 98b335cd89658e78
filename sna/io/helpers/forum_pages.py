"""Saved forum thread pages: which engine made a page, and its posts.

One extractor per engine finds the thread (id, title, site), and for each
post its id, author, date as printed, number in the thread where shown, body
element and stated parent. Engines are told apart by what their templates
always carry (``<html id="XF">``, the vBulletin generator tag,
``<body id="phpbb">``, ``article#elComment_N``, …). Quote markup inside
bodies is :mod:`sna.io.helpers.forum_quotes`' business.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

Element = etree._Element


@dataclass
class PagePost:
    """One post as a page shows it."""

    post_id: str
    author: str | None
    date: str | None
    number: int | None
    body: Element
    reply_to: str | None = None


@dataclass
class Page:
    """A thread page: the thread, its posts, and how to read its quotes and dates."""

    engine: str
    markup: str
    site: str | None
    thread: str | None
    title: str | None
    posts: list[PagePost] = field(default_factory=list)
    offset: int = 0


def _one(el: Element, *paths: str) -> Element | None:
    """The first match of the first path that matches (paths in order of preference)."""
    for path in paths:
        found = el.xpath(path)
        if found:
            return found[0]
    return None


def _text(el: Element | str | None) -> str | None:
    if el is None:
        return None
    text = el if isinstance(el, str) else el.text_content()
    text = " ".join(text.split())
    return text or None


def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _int(text: str | None) -> int | None:
    match = re.search(r"\d[\d,.]*", text or "")
    return int(re.sub(r"\D", "", match.group())) if match else None


def page_url(root: Element) -> str | None:
    """The page's canonical (or Open Graph) address, if it states one."""
    for path in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        for value in root.xpath(path):
            if value.strip():
                return value.strip()
    return None


def site_of(url: str | None) -> str | None:
    """The host of an address, without ``www.``.

    Examples
    --------
    >>> site_of("https://www.phpbb.com/community/viewtopic.php?t=1"), site_of("showthread.php/9687-x")
    ('phpbb.com', None)
    """
    try:
        host = urlsplit(url or "").hostname
    except ValueError:  # a malformed address (e.g. an unclosed "[" of an IPv6 host)
        return None
    return host.removeprefix("www.") if host else None


def _thread_in(url: str | None, *patterns: str) -> str | None:
    for pattern in patterns:
        match = re.search(pattern, url or "")
        if match:
            return match.group(1)
    return None


def _site_title(root: Element) -> str | None:
    og = root.xpath("//meta[@property='og:title']/@content")
    if og and og[0].strip():
        return og[0].strip()
    title = _text(_one(root, "//title"))
    return re.split(r"\s+[|\-–•]\s+", title)[0] if title else None


def _gmt_offset(root: Element) -> int:
    """Minutes east of UTC from a footer such as "All times are GMT -5" or "UTC [ DST ]"."""
    text = " ".join(root.xpath("//text()[contains(., 'All times are')]"))
    match = re.search(
        r"All times are (?:GMT|UTC)\s*(?:([+-])\s*(\d+(?:\.\d+)?))?(?:\s*hours?)?(\s*\[\s*DST\s*\])?", text
    )
    if not match:
        return 0
    hours = float(match.group(2) or 0) * (-1 if match.group(1) == "-" else 1)
    return round(hours * 60) + (60 if match.group(3) else 0)


# --- XenForo --------------------------------------------------------------------------------


def _xenforo2(root: Element) -> Page:
    url = page_url(root)
    key = root.get("data-content-key") or ""
    thread = _thread_in(key, r"thread-(\d+)") or _thread_in(url, r"/threads/(?:[^/]*\.)?(\d+)")
    title = _text(_one(root, f"//h1[{_cls('p-title-value')}]")) or _site_title(root)
    page = Page("xenforo2", "xenforo", site_of(url), thread, title)
    for art in root.xpath(f"//article[{_cls('message--post')}]"):
        post_id = _thread_in(art.get("data-content") or art.get("id") or "", r"post-(\d+)")
        body = _one(art, f".//*[{_cls('message-body')}]//*[{_cls('bbWrapper')}]")
        if post_id is None or body is None:
            continue
        time = _one(art, f".//*[{_cls('message-attribution')}]//time", ".//time")
        date = (time.get("data-time") or time.get("datetime")) if time is not None else None
        number = next(
            (_int(a.text_content()) for a in art.xpath(".//header//a") if _text(a) and _text(a)[0] == "#"), None
        )
        author = art.get("data-author") or _text(_one(art, f".//*[{_cls('message-name')}]"))
        page.posts.append(PagePost(post_id, author, date, number, body))
    return page


def _xenforo1(root: Element) -> Page:
    url = page_url(root)
    thread = _thread_in(url, r"/threads/(?:[^/]*\.)?(\d+)")
    title = _text(_one(root, f"//div[{_cls('titleBar')}]/h1")) or _site_title(root)
    page = Page("xenforo1", "xenforo", site_of(url), thread, title)
    scripts = " ".join(root.xpath("//script/text()[contains(., 'serverTimeInfo')]"))
    today = re.search(r"today:\s*(\d+)", scripts)
    if today:  # midnight of the visitor's day, as a Unix time: its offset from UTC midnight is the zone
        minutes = (-int(today.group(1)) // 60) % 1440
        page.offset = minutes - 1440 if minutes > 14 * 60 else minutes
    for li in root.xpath(f"//li[starts-with(@id, 'post-')][{_cls('message')}]"):
        body = _one(li, f".//*[{_cls('messageText')}]")
        if body is None:
            continue
        stamp = _one(li, f".//*[{_cls('messageMeta')}]//*[{_cls('DateTime')}]", f".//*[{_cls('DateTime')}]")
        date = None
        if stamp is not None:
            date = stamp.get("data-time") or stamp.get("title") or _text(stamp)
        number = _int(_text(_one(li, f".//a[{_cls('postNumber')}]")))
        page.posts.append(PagePost(li.get("id")[5:], li.get("data-author"), date, number, body))
    return page


# --- vBulletin ------------------------------------------------------------------------------


def _vb_thread(root: Element, url: str | None) -> str | None:
    values = root.xpath("//input[@name='t']/@value|//input[@name='threadid']/@value")
    if values and values[0].isdigit():
        return values[0]
    hrefs = [url or "", *root.xpath("//a[contains(@href, 'showthread.php')]/@href")]
    for href in hrefs:
        thread = _thread_in(href, r"showthread\.php\?(?:[^#]*&)?t=(\d+)", r"showthread\.php/(\d+)")
        if thread:
            return thread
    return None


def _vbulletin3(root: Element) -> Page:
    url = page_url(root)
    title = _text(_one(root, "//td[@class='navbar']//strong")) or _site_title(root)
    page = Page("vbulletin3", "vbulletin", site_of(url), _vb_thread(root, url), title, offset=_gmt_offset(root))
    for body in root.xpath("//div[starts-with(@id, 'post_message_')]"):
        post_id = body.get("id").rsplit("_", 1)[-1]
        box = _one(body, f"ancestor::table[@id='post{post_id}']")
        box = body if box is None else box
        author = _text(_one(box, f".//*[@id='postmenu_{post_id}']//a")) or _text(
            _one(box, ".//*[@class='bigusername']")
        )
        head = _one(box, ".//td[@class='thead']")
        number = _int(_text(_one(box, f".//a[@id='postcount{post_id}']")))
        page.posts.append(PagePost(post_id, author, _text(head), number, body))
    return page


def _vbulletin4(root: Element) -> Page:
    url = page_url(root)
    title = _text(_one(root, f"//*[{_cls('threadtitle')}]")) or _site_title(root)
    page = Page("vbulletin4", "vbulletin", site_of(url), _vb_thread(root, url), title, offset=_gmt_offset(root))
    for li in root.xpath(f"//li[starts-with(@id, 'post_')][{_cls('postcontainer')}]"):
        post_id = li.get("id")[5:]
        body = _one(li, f".//*[@id='post_message_{post_id}']")
        if body is None:
            continue
        inner = _one(body, f"./blockquote[{_cls('postcontent')}]")
        author = _text(_one(li, f".//*[{_cls('username')}]"))
        number = _int(_text(_one(li, f".//a[{_cls('postcounter')}]")))
        body = body if inner is None else inner
        page.posts.append(PagePost(post_id, author, _text(_one(li, f".//*[{_cls('date')}]")), number, body))
    return page


def _vbulletin5(root: Element) -> Page:
    url = page_url(root)
    thread = _thread_in(url, r"/(\d+)-[^/]*$", r"/(\d+)(?:/|$)")
    title = _text(_one(root, f"//h1[{_cls('main-title')}]")) or _site_title(root)
    page = Page("vbulletin5", "vbulletin", site_of(url), thread, title, offset=_gmt_offset(root))
    for li in root.xpath(f"//li[{_cls('b-post')}][@data-node-id]"):
        body = _one(li, f".//*[{_cls('js-post__content-text')}]")
        if body is None:
            continue
        author = _text(_one(li, f".//*[{_cls('author')}]//a")) or _text(_one(li, f".//*[{_cls('b-userinfo')}]//a"))
        date = li.get("data-node-publishdate") or _text(_one(li, ".//time"))
        number = _int(_text(_one(li, f".//a[{_cls('b-post__count')}]")))
        page.posts.append(PagePost(li.get("data-node-id"), author, date, number, body))
    return page


# --- phpBB, SMF, Invision, XMB, NodeBB ------------------------------------------------------


def _phpbb(root: Element) -> Page:
    url = page_url(root)
    link = _one(root, "//h2//a[contains(@href, 'viewtopic.php')]")
    href = link.get("href") if link is not None else url
    thread = _thread_in(href, r"[?&;]t=(\d+)") or _thread_in(url, r"[?&;]t=(\d+)")
    start = int(_thread_in(href, r"[?&;]start=(\d+)") or 0)
    page = Page("phpbb", "phpbb", site_of(url), thread, _text(link) or _site_title(root), offset=_gmt_offset(root))
    for index, div in enumerate(root.xpath(f"//div[{_cls('post')}][starts-with(@id, 'p')]")):
        body = _one(div, f".//div[{_cls('content')}]")
        if body is None or not div.get("id")[1:].isdigit():
            continue
        byline = _one(div, f".//*[{_cls('author')}]")
        author = (
            _text(_one(byline, ".//*[contains(@class, 'username')]|.//strong//a|.//strong"))
            if byline is not None
            else None
        )
        time = _one(byline, ".//time") if byline is not None else None
        date = time.get("datetime") if time is not None else None
        if date is None and byline is not None:
            date = (_text(byline) or "").split("»")[-1]
        page.posts.append(PagePost(div.get("id")[1:], author, date, start + index + 1, body))
    return page


def _smf(root: Element) -> Page:
    url = page_url(root)
    thread = _thread_in(url, r"[?&;/]topic[=,](\d+)")
    if thread is None:
        topic = root.xpath("//input[@name='topic' or @name='sd_topic']/@value")
        thread = topic[0] if topic else None
    title = _text(_one(root, "//*[@id='top_subject']")) or _site_title(root)
    if title:
        title = re.sub(r"^[^:]{1,20}:\s*", "", title) if title.lower().startswith(("topic", "temat", "тема")) else title
        title = re.sub(r"\s*\(\D+\s\d+\s\D+\)$", "", title)
    page = Page("smf", "smf", site_of(url), thread, title)
    # SMF 2 gives the body <div id="msg_N">, and other parts of the post ids that start the same way
    # (msg_N_quick_mod, msg_N_signature, msg_N_footer, msg_N_extra_info): only the exact id is the body.
    bodies = [div for div in root.xpath("//div[starts-with(@id, 'msg_')]") if re.fullmatch(r"msg_\d+", div.get("id"))]
    bodies = bodies or root.xpath(f"//div[{_cls('post')}]")
    for index, body in enumerate(bodies):
        box, post_id = body, _thread_in(body.get("id"), r"msg_(\d+)")
        while box.getparent() is not None and not box.xpath(f".//*[{_cls('poster')}]|./td[@rowspan]|.//td[@rowspan]"):
            box = box.getparent()
        if post_id is None:
            post_id = _thread_in(" ".join(box.xpath(".//@id")), r"subject_(\d+)")
        if post_id is None:
            continue
        author = _text(_one(box, f".//*[{_cls('poster')}]//h4//a")) or _text(_one(box, f".//*[{_cls('poster')}]//h4"))
        author = author or _text(_one(box, ".//td[@rowspan]//b//a|.//td[@rowspan]//b"))
        info = _one(box, f".//*[{_cls('keyinfo')}]//*[{_cls('smalltext')}]", f".//*[{_cls('smalltext')}]")
        stamp = (_text(info) or "").replace("«", " ").replace("»", " ")
        reply = re.search(r"#\s*(\d+)", stamp)
        date = re.sub(r"^.*?#\s*\d+[^:]*:", "", stamp) if reply else re.sub(r"^[^\d:]*:", "", stamp)
        number = int(reply.group(1)) + 1 if reply else (1 if index == 0 else None)  # the opening post has no "#"
        page.posts.append(PagePost(post_id, author, date, number, body))
    return page


def _invision_first_number(root: Element, url: str | None) -> int | None:
    """The thread number of the first post on an Invision page: (page - 1) × posts per page + 1.

    Both come from the pagination bar (``data-ipsPagination-perPage`` and the
    active page), the page also from the address (``/page/N/``).
    """
    bar = _one(root, "//ul[contains(@class, 'ipsPagination')][@data-ipspagination-perpage]")
    if bar is None:
        return 1 if not _thread_in(url, r"/page/(\d+)") else None
    per_page = _int(bar.get("data-ipspagination-perpage"))
    active = _one(bar, f".//li[{_cls('ipsPagination_active')}]")
    number = _int(_text(active)) or _int(_thread_in(url, r"/page/(\d+)")) or 1
    return (number - 1) * per_page + 1 if per_page else None


def _invision(root: Element) -> Page:
    url = page_url(root)
    thread = _thread_in(url, r"/topic/(\d+)")
    title = _text(_one(root, "//h1[contains(@class, 'ipsType_pageTitle')]|//h1")) or _site_title(root)
    page = Page("invision", "invision", site_of(url), thread, title)
    first = _invision_first_number(root, url)
    for art in root.xpath("//article[starts-with(@id, 'elComment_')]"):
        body = _one(art, ".//*[@data-role='commentContent']")
        if body is None:
            continue
        author = _text(
            _one(art, ".//*[contains(@class, 'cAuthorPane_author')]|.//*[contains(@class, 'ipsEntry__username')]")
        )
        time = _one(
            art, ".//*[contains(@class, 'ipsComment_meta') or contains(@class, 'ipsEntry__meta')]//time", ".//time"
        )
        date = time.get("datetime") if time is not None else None
        number = None if first is None else first + len(page.posts)
        page.posts.append(PagePost(art.get("id").split("_", 1)[1], author, date, number, body))
    return page


def _xmb(root: Element) -> Page:
    url = page_url(root)
    thread = _thread_in(url, r"tid=(\d+)") or _thread_in(
        " ".join(root.xpath("//a[contains(@href, 'viewthread.php?tid=')]/@href")[:1]), r"tid=(\d+)"
    )
    nav = _text(_one(root, "//td[@class='nav']"))
    title = nav.split("»")[-1].strip() if nav else _site_title(root)
    page = Page("xmb", "xmb", site_of(url), thread, title)
    for anchor in root.xpath("//td[@rowspan]//a[starts-with(@name, 'pid')]"):
        cell = _one(anchor, "ancestor::td[@rowspan][1]")
        row = cell.getparent()
        following = row.getnext()
        body = _one(following, f".//td[{_cls('tablerow')}]") if following is not None else None
        if body is None:
            continue
        author = _text(_one(cell, ".//font[contains(@class, 'mediumtxt')]//b|.//font[contains(@class, 'mediumtxt')]"))
        stamp = next(
            (_text(a) for a in row.xpath("./td[not(@rowspan)]//a") if len((_text(a) or "").split()) >= 3), None
        )
        date = " ".join(stamp.split()[2:]) if stamp else None
        page.posts.append(PagePost(anchor.get("name")[3:], author, date, None, body))
    return page


def _nodebb(root: Element) -> Page:
    url = page_url(root)
    topic = _one(root, "//*[@component='topic'][@data-tid]")
    thread = topic.get("data-tid") if topic is not None else _thread_in(url, r"/topic/(\d+)")
    title = _text(_one(root, "//*[@component='post/header']")) or _site_title(root)
    page = Page("nodebb", "nodebb", site_of(url), thread, title)
    for li in root.xpath("//li[@component='post'][@data-pid]"):
        body = _one(li, ".//*[@component='post/content']")
        if body is None:
            continue
        parent = _one(li, ".//*[@component='post/parent'][@data-topid]")
        index = li.get("data-index")
        page.posts.append(
            PagePost(
                li.get("data-pid"),
                li.get("data-username") or _text(_one(li, ".//*[@itemprop='author']")),
                li.get("data-timestamp"),
                int(index) + 1 if index and index.isdigit() else None,
                body,
                parent.get("data-topid") if parent is not None else None,
            )
        )
    return page


def _generator(root: Element) -> str:
    return " ".join(root.xpath("//meta[@name='generator']/@content")).lower()


@dataclass(frozen=True)
class Engine:
    """A forum engine whose saved pages can be read."""

    name: str
    label: str
    detect: Callable[[Element], bool]
    extract: Callable[[Element], Page]


ENGINES: list[Engine] = [
    Engine("xenforo2", "XenForo 2",
           lambda r: r.get("id") == "XF" or bool(r.xpath(f"//article[{_cls('message--post')}]")),
           _xenforo2),
    Engine("xenforo1", "XenForo 1", lambda r: r.get("id") == "XenForo" or bool(r.xpath("//ol[@id='messageList']")),
           _xenforo1),
    Engine("vbulletin5", "vBulletin 5", lambda r: "vbulletin 5" in _generator(r)
           or bool(r.xpath(f"//li[{_cls('b-post')}][@data-node-id]")), _vbulletin5),
    Engine("vbulletin4", "vBulletin 4", lambda r: "vbulletin 4" in _generator(r)
           or bool(r.xpath(f"//li[{_cls('postcontainer')}]")), _vbulletin4),
    Engine("vbulletin3", "vBulletin 3", lambda r: "vbulletin" in _generator(r)
           or bool(r.xpath("//table[starts-with(@id, 'post')]//div[starts-with(@id, 'post_message_')]")), _vbulletin3),
    Engine("phpbb", "phpBB 3", lambda r: bool(r.xpath("//body[@id='phpbb']"))
           or bool(r.xpath(f"//div[{_cls('post')}][starts-with(@id, 'p')]//div[{_cls('postbody')}]")), _phpbb),
    Engine("smf", "SMF 1/2", lambda r: bool(r.xpath("//form[@id='quickModForm']"))
           or bool(r.xpath("//a[contains(@title, 'Simple Machines')]")), _smf),
    Engine("invision", "Invision Community", lambda r: bool(r.xpath("//article[starts-with(@id, 'elComment_')]")),
           _invision),
    Engine("xmb", "XMB", lambda r: bool(r.xpath("//td[@rowspan]//a[starts-with(@name, 'pid')]"))
           and bool(r.xpath("//*[contains(text(), 'XMB')]")), _xmb),
    Engine("nodebb", "NodeBB", lambda r: bool(r.xpath("//li[@component='post'][@data-pid]")), _nodebb),
]  # fmt: skip


def detect_engine(root: Element) -> Engine | None:
    """The engine that made a page, or None.

    Examples
    --------
    >>> from sna.io.helpers.html_text import parse_html
    >>> detect_engine(parse_html('<html id="XF"><body></body></html>')).label
    'XenForo 2'
    >>> detect_engine(parse_html("<p>hello</p>")) is None
    True
    """
    for engine in ENGINES:
        if engine.detect(root):
            return engine
    return None
