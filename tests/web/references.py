"""What a page references: the resources it loads (scripts, styles, fonts, images, frames), the
links it offers, and which of them live on another host.

The page tests crawl the site with Flask's client and the browser tests with Chromium; both
check that nothing comes from another host (README, Security notes: no CDN anywhere).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

RESOURCE_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href",),  # stylesheets, icons, preloads, fonts (an <a>'s href is a link, not a resource)
    "img": ("src", "srcset"),
    "image": ("href", "xlink:href"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "use": ("href", "xlink:href"),
    "input": ("src",),  # <input type="image">
}
"""The attributes through which an element makes the browser load something."""
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
"""`url(…)` and `@import "…"` in a stylesheet or a style attribute."""


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.resources: list[str] = []
        self.links: list[str] = []
        self.forms: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in RESOURCE_ATTRIBUTES.get(tag, ()):
            if values.get(name):
                self.resources += _srcset(values[name]) if name == "srcset" else [values[name]]
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag == "form":
            self.forms.append(values.get("action", ""))
        if values.get("style"):
            self.resources += css_references(values["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.resources += css_references(data)


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def css_references(css: str) -> list[str]:
    """What a stylesheet loads (`url()`, `@import`)."""
    return [a or b for a, b in CSS_URL.findall(css)]


def page_references(html: str) -> tuple[list[str], list[str], list[str]]:
    """A page's resources, its links (`<a href>`) and its forms' actions, as written."""
    collector = _Collector()
    collector.feed(html)
    return collector.resources, collector.links, collector.forms


def foreign(reference: str, base: str) -> bool:
    """Whether `reference` (read at `base`, an absolute URL of this site) points to another host.
    `data:` URLs are inline (the CSP allows them for images and fonts); a fragment is this page."""
    if reference.startswith(("data:", "#")):
        return False
    here, there = urlsplit(base), urlsplit(urljoin(base, reference))
    if there.scheme not in ("http", "https"):
        return True  # javascript:, ftp:, … are not this site's either
    return (there.scheme, there.netloc) != (here.scheme, here.netloc)
