"""Open every page of the built book in headless Chromium and check what a reader sees.

Fails on: a request leaving 127.0.0.1, a failed or 4xx/5xx request, a console error or uncaught
exception, raw TeX left in the text (`$$`, `\\frac`, `\\begin{`, `\\(`, `$x$`...) outside code,
MathJax errors (`mjx-merror`, `data-mjx-error`, red undefined-macro text), math that was never
typeset, blank glyphs (MathJax CSS fonts lost: `mjx-c::before` with no content), images or
figures that do not render. Then follows nav links with instant navigation (no reload) and checks
that the new page's math is typeset too.

Needs the `playwright` Python package and Debian's Chromium (`/usr/bin/chromium`). Without them the
test skips, unless the `CI` environment variable is set: then it fails.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import SUMMARY, Site

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

# Runs in the page after MathJax has finished; returns what the checks need.
INSPECT_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  const article = document.querySelector("article") || document.body;
  const skip = "pre, code, script, style, textarea, mjx-container, svg, .highlight, .MathJax";
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const rawTex = [];
  const texPattern = new RegExp([
    String.raw`\$\$`, String.raw`\\frac`, String.raw`\\begin\{`, String.raw`\\end\{`,
    String.raw`\\\(`, String.raw`\\\)`, String.raw`\\\[`, String.raw`\\\]`,
    String.raw`\\(?:sum|partial|mathbf|odot|hat|sigma|left|right)\b`,
    String.raw`\$[^\s$][^$]{0,80}\$`,                // $x$ left unprocessed (notebooks)
  ].join("|"));
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && n.parentElement.closest(skip)) continue;
    const m = n.textContent.match(texPattern);
    if (m) rawTex.push(n.textContent.trim().slice(0, 120));
  }
  const untypeset = [...document.querySelectorAll(".arithmatex")]
    .filter(e => !e.querySelector("mjx-container"))
    .map(e => e.textContent.trim().slice(0, 80));
  const glyphs = [...document.querySelectorAll("mjx-c")];
  const step = Math.max(1, Math.floor(glyphs.length / 60));
  let sampled = 0;
  const blank = [];
  for (let i = 0; i < glyphs.length; i += step) {
    const g = glyphs[i];
    if (g.textContent) continue;            // a glyph MathJax draws as text, not via CSS
    // Invisible operators (function application, invisible times...) are empty by design.
    if (/mjx-c(2061|2062|2063|2064|200B|200C|200D)\b/i.test(g.className)) continue;
    sampled += 1;
    const c = getComputedStyle(g, "::before").content;
    if (!c || c === "none" || c === "normal" || c === '""') blank.push(g.className);
  }
  const redText = [...document.querySelectorAll("mjx-mtext")]
    .filter(e => /red|rgb\(255, 0, 0\)/.test(e.getAttribute("style") || "") ||
                 getComputedStyle(e).color === "rgb(255, 0, 0)")
    .map(e => e.textContent);
  const brokenImages = [...document.querySelectorAll("article img")]
    .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.currentSrc || i.src);
  const figures = [...document.querySelectorAll(
    "article svg.nnbook-figure, article .jp-RenderedSVG svg")];
  const emptyFigures = figures.filter(s => {
    const r = s.getBoundingClientRect();
    const visible = s.getClientRects().length > 0;
    const drawn = s.querySelectorAll("path, use").length > 0;
    return visible && (r.width < 10 || r.height < 10 || !drawn);
  }).map(s => s.getAttribute("aria-label") || "(unlabelled svg)");
  return {
    containers: document.querySelectorAll("article mjx-container").length,
    merror: document.querySelectorAll("mjx-merror, merror, [data-mjx-error]").length,
    rawTex, untypeset, redText, blank, sampled, brokenImages,
    figures: figures.length, emptyFigures,
    title: document.title,
  };
}
"""


def _require_browser():
    """Import playwright and locate Chromium, or skip (fail under CI) with a clear message."""
    ci = bool(os.environ.get("CI"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        msg = "playwright is not installed (pip install playwright)"
        pytest.fail(msg) if ci else pytest.skip(msg)
    chromium = os.environ.get("NNBOOK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        msg = "Chromium not found (apt-get install chromium); browser checks need it"
        pytest.fail(msg) if ci else pytest.skip(msg)
    return sync_playwright, chromium


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def served(built_site: Site):
    """The built site over HTTP on 127.0.0.1 at the port its site_url names."""
    handler = functools.partial(_QuietHandler, directory=str(built_site.dir))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", built_site.port), handler)
    except OSError as exc:
        pytest.fail(f"cannot serve the site on 127.0.0.1:{built_site.port}: {exc}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield built_site
    server.shutdown()
    server.server_close()


def _page_urls(site: Site) -> list[str]:
    """Every page of the site: each index.html but the 404 page."""
    urls = []
    for path in sorted(site.dir.rglob("index.html")):
        rel = path.parent.relative_to(site.dir).as_posix()
        urls.append(site.url + ("" if rel == "." else rel + "/"))
    return urls


class Watch:
    """Routes every request: 127.0.0.1 passes, anything else is blocked and recorded."""

    def __init__(self, site: Site) -> None:
        self.host = f"127.0.0.1:{site.port}"
        self.requests = 0
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.console: list[str] = []
        self.page = ""

    def route(self, route) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about") or parsed.netloc == self.host:
            self.requests += 1
            route.continue_()
        else:
            self.blocked.append(f"{self.page}: {url}")
            route.abort()

    def attach(self, page) -> None:
        page.on("console", lambda m: m.type == "error"
                and self.console.append(f"{self.page}: console error: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"{self.page}: uncaught: {e}"))
        # ERR_ABORTED: a load the browser cancelled itself (favicon, prefetch) as the page changed.
        page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                and self.failed.append(f"{self.page}: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{self.page}: HTTP {r.status} {r.url}"))


def _problems(url: str, info: dict) -> list[str]:
    out = []
    if info["rawTex"]:
        out.append(f"{url}: raw TeX in text: {info['rawTex'][:3]}")
    if info["untypeset"]:
        out.append(f"{url}: math not typeset: {info['untypeset'][:3]}")
    if info["merror"]:
        out.append(f"{url}: {info['merror']} MathJax error element(s)")
    if info["redText"]:
        out.append(f"{url}: undefined macros (red text): {info['redText'][:5]}")
    if info["blank"]:
        out.append(f"{url}: {len(info['blank'])}/{info['sampled']} sampled glyphs are blank")
    if info["brokenImages"]:
        out.append(f"{url}: images that did not load: {info['brokenImages']}")
    if info["emptyFigures"]:
        out.append(f"{url}: figures that did not render: {info['emptyFigures']}")
    return out


def test_every_page_renders_offline_with_typeset_math(served: Site) -> None:
    sync_playwright, chromium = _require_browser()
    urls = _page_urls(served)
    watch = Watch(served)
    problems: list[str] = []
    equations = figures = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", watch.route)
        page = context.new_page()
        watch.attach(page)
        for url in urls:
            watch.page = url.removeprefix(served.url) or "/"
            page.goto(url, wait_until="load")
            info = page.evaluate(INSPECT_JS)
            equations += info["containers"]
            figures += info["figures"]
            problems += _problems(watch.page, info)

        # Instant navigation: click from page to page; the JS context must survive (no reload)
        # and each new page's math must be typeset.
        page.goto(served.url, wait_until="load")
        page.evaluate("() => { window.__nnbookNoReload = true; }")
        instant = 0
        for target in ("chapters/02-forward/", "notebooks/xor-221/", "api/activations/",
                       "chapters/06-network-221/"):
            watch.page = f"instant->{target}"
            link = page.locator(f'nav.md-nav--primary a.md-nav__link[href$="{target}"]').first
            if link.count() == 0:
                problems.append(f"no nav link to {target} for the instant-navigation check")
                continue
            page.evaluate("() => { document.querySelector('article').dataset.nnbookOld = '1'; }")
            link.dispatch_event("click")
            page.wait_for_url(f"**/{target}", timeout=15000)
            page.wait_for_function(  # the new article is in, and MathJax has typeset it
                "() => { const a = document.querySelector('article');"
                " return a && !a.dataset.nnbookOld && a.querySelector('mjx-container'); }",
                timeout=15000)
            page.wait_for_timeout(300)
            info = page.evaluate(INSPECT_JS)
            if not page.evaluate("() => window.__nnbookNoReload === true"):
                problems.append(f"{target}: the click reloaded the page (instant navigation off; "
                                "does site_url match the served host and port?)")
            problems += _problems(watch.page, info)
            instant += 1
        browser.close()

    summary = (f"browser: {len(urls)} pages checked, {equations} equations typeset, {figures} "
               f"figures, {instant} instant navigations, {watch.requests} requests to 127.0.0.1, "
               f"{len(watch.blocked)} to other hosts (blocked)")
    SUMMARY.append(summary)
    print(summary)
    problems += [f"request to another host: {u}" for u in watch.blocked]
    problems += watch.failed + watch.console
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])
    assert equations > 0, "no equation was typeset anywhere"
