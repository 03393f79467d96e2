"""The book builds with `mkdocs build --strict`, every nav page is in it, and it ships no
reference to an asset on another host (MathJax, fonts and scripts are all served by the site)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from conftest import DOCS, ROOT, Site, page_html_path

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def nav_files() -> list[str]:
    """Every page named in mkdocs.yml's nav, relative to docs/."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    found: list[str] = []

    def walk(item: object) -> None:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, list):
            for x in item:
                walk(x)
        elif isinstance(item, dict):
            for x in item.values():
                walk(x)

    walk(config["nav"])
    return [f for f in found if not urlparse(f).scheme]


def test_strict_build_passes_without_warnings(site: Site) -> None:
    if site.reused:
        pytest.skip("NNBOOK_SITE_DIR: reusing a site built elsewhere, no build log to check")
    lines = [ANSI.sub("", line) for line in site.log.splitlines()]
    problems = [line for line in lines if re.match(r"\s*(WARNING|ERROR)\b", line)]
    assert site.returncode == 0 and not problems, (
        f"mkdocs build --strict exit {site.returncode}; warnings/errors:\n" + "\n".join(problems)
        + "\n--- log tail ---\n" + "\n".join(lines[-30:])
    )


def test_build_time_recorded(site: Site) -> None:
    if site.reused:
        pytest.skip("reused site")
    assert site.seconds > 0
    print(f"strict build: {site.seconds:.1f} s")


@pytest.mark.parametrize("rel", nav_files())
def test_nav_page_is_built(built_site: Site, rel: str) -> None:
    assert (DOCS / rel).is_file(), f"nav names docs/{rel}, which does not exist"
    out = page_html_path(built_site.dir, rel)
    assert out.is_file(), f"docs/{rel} was not built to {out.relative_to(built_site.dir)}"
    assert "<article" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("nb", sorted(p.name for p in (DOCS / "notebooks").glob("*.ipynb")))
def test_notebook_committed_clean_and_downloadable(built_site: Site, nb: str) -> None:
    data = json.loads((DOCS / "notebooks" / nb).read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(data["cells"])
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{nb}: cells {dirty} carry outputs; commit notebooks without outputs"
    page_dir = page_html_path(built_site.dir, f"notebooks/{nb}").parent
    assert (page_dir / nb).is_file(), f"{nb} is not downloadable next to its page"
    html = (page_dir / "index.html").read_text(encoding="utf-8")
    assert f'href="{nb}"' in html, "the page has no download link to its notebook"
    assert "jp-OutputArea-output" in html, "the notebook was not executed at build time"


class _AssetRefs(HTMLParser):
    """Collect URLs a browser would *fetch* (not plain <a href> links a reader clicks)."""

    FETCHED = {
        "script": ("src",),
        "img": ("src", "srcset"),
        "source": ("src", "srcset"),
        "video": ("src", "poster"),
        "audio": ("src",),
        "iframe": ("src",),
        "embed": ("src",),
        "object": ("data",),
        "link": ("href",),  # stylesheets, preloads, icons, manifests
        "image": ("href", "xlink:href"),  # SVG <image>
        "use": ("href", "xlink:href"),
    }

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in self.FETCHED.get(tag, ()):
                for url in value.split(","):
                    self.refs.append((tag, url.strip().split(" ")[0]))
            if value and name == "style":
                self.inline.append(value)
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline.append(data)


FOREIGN = re.compile(r"(?:https?:)?//(?!127\.0\.0\.1|localhost)[a-z0-9.-]+\.[a-z]{2,}", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)


def _shipped(site_dir: Path, suffix: str) -> list[Path]:
    return sorted(site_dir.rglob(f"*{suffix}"))


def test_no_asset_from_another_host(built_site: Site) -> None:
    bad: list[str] = []
    for path in _shipped(built_site.dir, ".html"):
        parser = _AssetRefs()
        parser.feed(path.read_text(encoding="utf-8"))
        rel = path.relative_to(built_site.dir)
        for tag, url in parser.refs:
            if FOREIGN.match(url):
                bad.append(f"{rel}: <{tag}> fetches {url}")
        for text in parser.inline:  # inline <script>/<style>/style="": imports, url(), fetches
            for url in CSS_URL.findall(text):
                if FOREIGN.match(url):
                    bad.append(f"{rel}: inline url({url})")
            for m in re.finditer(r"""(?:import\(|importScripts\(|src\s*=\s*)['"]([^'"]+)""", text):
                if FOREIGN.match(m.group(1)):
                    bad.append(f"{rel}: inline script loads {m.group(1)}")
    for path in _shipped(built_site.dir, ".css"):
        for url in CSS_URL.findall(path.read_text(encoding="utf-8", errors="replace")):
            if FOREIGN.match(url):
                bad.append(f"{path.relative_to(built_site.dir)}: url({url})")
    # Our own scripts must not name another host at all.
    for path in (DOCS / "javascripts").glob("*.js"):
        for m in FOREIGN.finditer(path.read_text(encoding="utf-8")):
            bad.append(f"docs/javascripts/{path.name}: {m.group(0)}")
    assert not bad, "assets from other hosts:\n" + "\n".join(bad[:50])


def test_self_hosted_mathjax_is_complete(built_site: Site) -> None:
    mj = built_site.dir / "javascripts" / "mathjax"
    assert (mj / "tex-chtml.js").is_file()
    assert list((mj / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")), "no MathJax fonts"
    assert (mj / "input" / "tex" / "extensions" / "boldsymbol.js").is_file()
    index = (built_site.dir / "index.html").read_text(encoding="utf-8")
    assert index.index("mathjax-config.js") < index.index("mathjax/tex-chtml.js")
    for nb in (built_site.dir / "notebooks").rglob("index.html"):
        html = nb.read_text(encoding="utf-8")
        assert "text/x-mathjax-config" not in html and "cdnjs" not in html, nb


def test_api_pages_render_docstrings_cleanly(built_site: Site) -> None:
    """mkdocstrings does not read Sphinx roles: the reader would see `:func:` & co. as is."""
    bad = []
    for page in sorted((built_site.dir / "api").rglob("index.html")):
        html = re.sub(r"<pre.*?</pre>", "", page.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"<[^>]+>", "", html)  # prose only: source listings keep their docstrings
        for m in re.finditer(r":(?:func|class|meth|mod|attr|data|obj|exc):", text):
            bad.append(f"{page.parent.name}: ...{text[max(0, m.start() - 40) : m.end() + 30]!r}")
    assert not bad, (
        "Sphinx roles on API pages (write [`name`][nnbook.name] or plain `name` instead):\n"
        + "\n".join(bad[:20])
    )
