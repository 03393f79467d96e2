"""Open every page of the built book in headless Chromium and check what a reader sees.

Fails on: a request leaving 127.0.0.1, a failed or 4xx/5xx request, a console error or uncaught
exception, raw TeX left in the text (`$$`, `\\frac`, `\\begin{`, `\\(`, `$x$`...) outside code,
MathJax errors (`mjx-merror`, `data-mjx-error`, red undefined-macro text), math that was never
typeset, blank glyphs (MathJax CSS fonts lost: `mjx-c::before` with no content), images or
figures that do not render, formulas in the Tab order. Then follows nav links with instant
navigation (no reload) and checks that the new page's math is typeset too.

A second test measures every page for sideways overflow, in a 1280x900 window and on a 390x844
phone (device scale 3, mobile, touch). At 1280 px nothing in the text may scroll sideways: a code or
output block, display equation, table or figure whose content is wider than its box counts, and so
does anything drawn past the right edge of the content column. At 390 px the page may not be wider
than the screen (`document.documentElement.scrollWidth`), and no element may reach past the right
edge of the screen unless it sits inside a box that scrolls or clips it (a wide code block or table
may scroll inside its own box); MathJax's hidden assistive MathML counts. The content of collapsed
blocks (the exercises' answers) is laid out and measured too: it is what a reader sees on opening
them. A third test checks the measurement itself on small pages built to overflow (and on one that
does not).

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
from conftest import ROOT, SUMMARY, Site

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
    mathTabStops: document.querySelectorAll("mjx-container[tabindex]:not([tabindex='-1'])").length,
    rawTex, untypeset, redText, blank, sampled, brokenImages,
    figures: figures.length, emptyFigures,
    title: document.title,
  };
}
"""


# Runs in the page after MathJax has finished; returns what overflows sideways and how.
# mode "column" (the 1280 px window): boxes in the article whose content is wider than the box,
# and anything drawn past the right edge of the content area. mode "screen" (the phone): anything
# past the right edge of the screen (`width` CSS px). In both modes an element inside a box that
# scrolls or clips it is not counted (that box is measured instead), nor are position:fixed parts
# of the theme. Each finding names its kind, its text (a code block's longest line, a formula's
# TeX source) and the heading it is under.
OVERFLOW_JS = r"""
async ({width, mode}) => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  const article = document.querySelector("article") || document.body;
  const squash = s => (s || "").replace(/\s+/g, " ").trim();
  const tex = new Map();                    // typeset formula -> the TeX its author wrote
  try {
    for (const item of MathJax.startup.document.math) {
      if (item.typesetRoot) tex.set(item.typesetRoot, item.math);
    }
  } catch (e) { /* no MathJax on this page */ }
  const mathOf = el => el.closest("mjx-container") ||
    (el.matches(".arithmatex") ? el.querySelector("mjx-container") : null);
  const kindOf = el => {
    if (el.matches("mjx-assistive-mml")) return "assistive MathML";
    if (el.closest(".arithmatex, mjx-container")) {
      const c = mathOf(el);
      return c && c.hasAttribute("display") ? "display math" : "inline math";
    }
    if (el.closest(".result, .jp-OutputArea-output")) return "output";
    if (el.closest("pre, .highlight")) return "code";
    if (el.closest("table, .md-typeset__table, .md-typeset__scrollwrap")) return "table";
    if (el.closest("svg, figure")) return "figure";
    const cls = typeof el.className === "string" ? el.className.trim() : "";
    return el.tagName.toLowerCase() + (cls ? "." + cls.split(/\s+/).join(".") : "");
  };
  const textOf = el => {
    const c = mathOf(el);
    if (c && tex.has(c)) return squash(tex.get(c)).slice(0, 60);
    if (el.matches("svg")) return squash(el.getAttribute("aria-label")).slice(0, 60);
    const lines = (el.innerText || el.textContent || "").split("\n");   // the longest line
    return squash(lines.reduce((a, b) => (b.length > a.length ? b : a), "")).slice(0, 60);
  };
  const headingOf = el => {                 // the section it is in, to find it on the page
    for (let n = el; n && n !== article; n = n.parentElement) {
      for (let p = n.previousElementSibling; p; p = p.previousElementSibling) {
        if (/^H[1-6]$/.test(p.tagName)) return squash(p.textContent).replace(/\u00b6$/, "");
      }
    }
    return "";
  };
  const describe = (el, extra) =>
    Object.assign({kind: kindOf(el), text: textOf(el), heading: headingOf(el)}, extra);
  const found = [];
  const page = document.documentElement.scrollWidth;
  if (page > width + 1) {
    found.push({kind: "page", text: document.title.slice(0, 60), heading: "", box: width,
                content: page,
                how: mode === "column" ? "wider than the window" : "wider than the screen"});
  }
  if (mode === "column") {
    // 1. boxes in the article whose content is wider than the box: they scroll sideways
    const sel = ["pre", "pre > code", ".highlight", "mjx-container[display]", ".arithmatex",
                 ".md-typeset__table", ".md-typeset__scrollwrap", "table", "figure", "svg",
                 ".jp-OutputArea-output", ".jp-RenderedHTMLCommon"].join(", ");
    const wide = [...article.querySelectorAll(sel)].filter(e =>
      e.getClientRects().length && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1);
    for (const e of wide) {
      if (wide.some(o => o !== e && o.contains(e))) continue;    // counted at its outer box
      found.push(describe(e, {how: "scrolls", box: e.clientWidth, content: e.scrollWidth}));
    }
  }
  // 2. anything drawn past the right edge (of the content area, or of the screen) that no box
  //    scrolls or clips; MathJax's hidden assistive MathML included. The content area is the text
  //    column with its margin, into which Material's own table and code wrappers reach by design.
  const root = mode === "column" ? article : document.body;
  const edge = mode === "column"
    ? (article.parentElement || article).getBoundingClientRect().right : width;
  const visit = (el, flagged) => {
    const style = getComputedStyle(el);
    if (!el.getClientRects().length && style.display !== "contents") return;   // not drawn
    if (style.position === "fixed") return;     // theme chrome: never widens the page
    const r = el.getBoundingClientRect();
    const past = !flagged && r.width > 0 && r.right > edge + 1;
    if (past) {
      found.push(describe(el, {how: "past the edge", box: Math.round(edge),
                               content: Math.round(r.right)}));
    }
    if (el.matches("svg, mjx-assistive-mml")) return;
    if (el !== root && style.overflowX !== "visible") return;   // it scrolls or clips its content
    const kids = el.matches("mjx-container")
      ? el.querySelectorAll(":scope > mjx-assistive-mml") : el.children;
    for (const c of kids) visit(c, flagged || past);
  };
  for (const c of root.children) visit(c, false);
  return {found, scrollWidth: page, innerWidth: window.innerWidth};
}
"""

WINDOW = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True}


def _require_browser():
    """Import playwright and locate Chromium, or skip (fail under CI) with a clear message."""
    ci = bool(os.environ.get("CI"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        msg = "playwright is not installed (uv sync installs the locked test group)"
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
    if info["mathTabStops"]:  # a keyboard user would Tab through every formula of the page
        out.append(f"{url}: {info['mathTabStops']} formula(s) in the Tab order")
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


def _measure(page, width: int, mode: str) -> list[dict]:
    """Run OVERFLOW_JS on the page that is loaded: what overflows sideways, one dict each."""
    return page.evaluate(OVERFLOW_JS, {"width": width, "mode": mode})["found"]


def _finding(where: str, f: dict) -> str:
    under = f' under "{f["heading"]}"' if f["heading"] else ""
    if f["how"] == "past the edge":
        widths = f'its right edge at {f["content"]} px, the limit {f["box"]} px'
    else:
        widths = f'{f["content"]} px of content in a {f["box"]} px box'
    return f'{where}: {f["kind"]} "{f["text"]}"{under}: {f["how"]} ({widths})'



def test_no_page_overflows_sideways(served: Site) -> None:
    """At 1280 px nothing in the text scrolls sideways; on a 390 px phone no page is wider than
    the screen and nothing reaches past its right edge (a box may scroll inside itself)."""
    sync_playwright, chromium = _require_browser()
    urls = _page_urls(served)
    watch = Watch(served)
    found: dict[str, dict[str, list[dict]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for label, options, mode, width in (("1280", WINDOW, "column", 1280),
                                             ("390", PHONE, "screen", 390)):
            context = browser.new_context(**options)
            context.route("**/*", watch.route)
            page = context.new_page()
            for url in urls:
                name = url.removeprefix(served.url) or "/"
                watch.page = f"{name} ({label} px)"
                page.goto(url, wait_until="load")
                found.setdefault(name, {})[label] = _measure(page, width, mode)
            context.close()
        browser.close()

    table = [f"{'page':40} {'1280 px':>8} {'390 px':>8}"]
    details = []
    for name, by_width in found.items():
        table.append(f"{name:40} {len(by_width['1280']):8d} {len(by_width['390']):8d}")
        for label in ("1280", "390"):
            details += [_finding(f"{name} at {label} px", f) for f in by_width[label]]
    total = {label: sum(len(w[label]) for w in found.values()) for label in ("1280", "390")}
    pages = {label: sum(bool(w[label]) for w in found.values()) for label in ("1280", "390")}
    summary = (f"overflow: {total['1280']} sideways overflow(s) at 1280 px on {pages['1280']} "
               f"page(s), {total['390']} at 390 px on {pages['390']} page(s), "
               f"{len(found)} pages measured")
    SUMMARY.append(summary)
    print("\n".join(table))
    print(summary)
    assert not watch.blocked, f"requests to other hosts: {watch.blocked[:5]}"
    assert not details, (f"{len(details)} sideways overflow(s):\n" + "\n".join(table) + "\n"
                         + "\n".join(details[:200]))


# A page built to overflow: one 200-character code line in a box that scrolls, a div wider than
# the text column and than a phone, and a MathJax-like hidden assistive copy of a formula sticking
# out to the right. MathJax's own rules for that copy come after the page's sheet, as MathJax
# injects them.
_MATHJAX_ASSISTIVE_CSS = """
mjx-container { position: relative; }
mjx-assistive-mml { position: absolute !important; top: 0; left: 0; display: block !important;
  clip: rect(1px, 1px, 1px, 1px); width: auto !important; overflow: hidden !important; }
"""
_LONG_LINE = "print(" + "x" * 192 + ")"


def _test_page(*, code: str = "", wide: bool = False, formula: bool = False,
               collapsed: bool = False, site_css: bool = False) -> str:
    sheet = (ROOT / "docs" / "stylesheets" / "nnbook.css").read_text(encoding="utf-8")
    parts = ["<h2>A section</h2><p>Some text.</p>"]
    if code:
        block = f'<div class="highlight"><pre><code>{code}</code></pre></div>'
        parts.append(f"<details><summary>Answer</summary>{block}</details>" if collapsed
                     else block)
    if wide:
        parts.append('<div class="wide" style="width: 1000px">a wide div</div>')
    if formula:
        parts.append('<p>text ending in a formula <span class="arithmatex"><mjx-container>x'
                     '<mjx-assistive-mml>' + "<mi>x</mi>" * 200 + "</mjx-assistive-mml>"
                     "</mjx-container></span></p>")
    return f"""<!doctype html><html><head>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ margin: 0; font: 16px/1.4 sans-serif; }}
.content {{ max-width: 700px; }}
article {{ margin: 0 16px; }}
pre {{ margin: 0; }} pre > code {{ display: block; overflow-x: auto; }}
</style>
<style>{sheet if site_css else ""}</style>
<style>{_MATHJAX_ASSISTIVE_CSS}</style>
</head><body><div class="content"><article class="md-typeset">{"".join(parts)}</article></div>
</body></html>"""


def test_overflow_measurement_catches_what_it_should() -> None:
    """The measurement on pages whose overflow is known, at both sizes."""
    sync_playwright, chromium = _require_browser()
    cases = {
        "clean": _test_page(code="print(1)"),
        "long code line": _test_page(code=_LONG_LINE),
        "long line, collapsed": _test_page(code=_LONG_LINE, collapsed=True),
        "wide div": _test_page(wide=True),
        "assistive MathML": _test_page(formula=True),
        "assistive MathML, site CSS": _test_page(formula=True, site_css=True),
    }
    seen: dict[tuple[str, str], list[dict]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for label, options, mode, width in (("1280", WINDOW, "column", 1280),
                                             ("390", PHONE, "screen", 390)):
            context = browser.new_context(**options)
            context.route("**/*", lambda route: route.abort())      # the pages are self-contained
            page = context.new_page()
            for case, html in cases.items():
                page.set_content(html, wait_until="load")
                seen[case, label] = _measure(page, width, mode)
            context.close()
        browser.close()
    kinds = {key: sorted({(f["kind"], f["how"]) for f in fs}) for key, fs in seen.items()}
    for key, fs in seen.items():
        print(key, [_finding("test page", f) for f in fs])

    assert kinds["clean", "1280"] == [] and kinds["clean", "390"] == []
    # 1280: the long line scrolls in its box, and the report names it by its text and widths
    assert kinds["long code line", "1280"] == [("code", "scrolls")]
    (f,) = seen["long code line", "1280"]
    assert f["text"] == _LONG_LINE[:60] and f["heading"] == "A section"
    assert f["content"] > f["box"] + 100
    # a closed <details> (an exercise's answer) is measured as the reader will see it opened
    assert kinds["long line, collapsed", "1280"] == [("code", "scrolls")]
    # 390: the same block scrolls inside its own box, so the page is no wider than the phone
    assert kinds["long code line", "390"] == []
    assert kinds["long line, collapsed", "390"] == []
    assert kinds["wide div", "1280"] == [("div.wide", "past the edge")]
    assert kinds["wide div", "390"] == [("div.wide", "past the edge"),
                                        ("page", "wider than the screen")]
    assert ("assistive MathML", "past the edge") in kinds["assistive MathML", "390"]
    assert ("assistive MathML", "past the edge") in kinds["assistive MathML", "1280"]
    # and the book's stylesheet keeps MathJax's hidden copy inside the formula's box
    assert kinds["assistive MathML, site CSS", "390"] == []
    assert kinds["assistive MathML, site CSS", "1280"] == []
