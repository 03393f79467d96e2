"""Every Python block of the book executes, and prints exactly what the built page shows.

(a) Every ```python fence in docs/**/*.md carries exec="1" (or on/true/yes) and an id unique in the
    book; text blocks show their source (source="block") with result="text".
(b) Each executed block, run alone in a fresh `python` process (cwd: an empty temp dir), prints
    what the built page shows below it; a figure block (html="1") prints the very SVG the page
    embeds. A block that only works after another block ran, or whose output depends on the
    build's process state, fails here.
(c) The notebooks execute cleanly (the strict build executes them with allow_errors: false; this
    checks the build really did and that no error output slipped through).
"""

from __future__ import annotations

import html as htmllib
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import DOCS, ROOT, Site, page_html_path

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
PY_LANGS = {"python", "py", "python3", "pycon", "py3"}
TRUE = {"1", "on", "true", "yes"}
SOURCE_SHOWN = {"material-block", "block"}


@dataclass
class Block:
    file: str  # relative to docs/
    line: int  # 1-based line of the opening fence
    lang: str
    options: dict[str, str]
    code: str
    info: str
    output: str | None = field(default=None, repr=False)
    error: str | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        return f"docs/{self.file}:{self.line}"

    @property
    def executed(self) -> bool:
        return self.options.get("exec", "").lower() in TRUE

    @property
    def included(self) -> bool:
        """A listing of engine source, pulled in by pymdownx.snippets (nothing to execute)."""
        lines = [ln.strip() for ln in self.code.splitlines() if ln.strip()]
        return bool(lines) and all(ln.startswith("--8<--") for ln in lines)

    @property
    def is_html(self) -> bool:
        return self.options.get("html", "").lower() in TRUE

    @property
    def name(self) -> str:
        return f"{self.file}:{self.line}:{self.options.get('id', '?')}"


def parse_blocks(path: Path) -> list[Block]:
    """Fenced blocks of a Markdown file whose language is Python, nested fences handled."""
    rel = path.relative_to(DOCS).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").strip()
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        body = [ln[len(indent) :] if ln.startswith(indent) else ln.lstrip()
                for ln in lines[i + 1 : j]]
        lang = re.split(r"[\s{]", info.lstrip("{. "), maxsplit=1)[0].lower() if info else ""
        if lang in PY_LANGS:
            options = dict(re.findall(r'([\w-]+)="([^"]*)"', info))
            blocks.append(Block(rel, i + 1, lang, options, "\n".join(body), info))
        i = j + 1
    return blocks


def all_blocks() -> list[Block]:
    return [b for p in sorted(DOCS.rglob("*.md")) for b in parse_blocks(p)]


BLOCKS = all_blocks()
EXEC_BLOCKS = [b for b in BLOCKS if b.executed]


# ----------------------------------------------------------------------------- (a) conventions
def test_every_python_fence_is_executed() -> None:
    escaped = [
        f"{b.where}: ```{b.info}" for b in BLOCKS if not b.executed and not b.included
    ]
    assert not escaped, (
        "Python blocks that escape execution (write ```python exec=\"1\" source=\"block\" "
        'result="text" id="<page>-<name>", see CONTRIBUTING.md "Writing pages"):\n'
        + "\n".join(escaped)
    )


def test_executed_blocks_follow_the_convention() -> None:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for b in EXEC_BLOCKS:
        bid = b.options.get("id", "")
        if b.lang != "python":
            problems.append(f"{b.where}: language {b.lang!r}; use python")
        if not bid:
            problems.append(f"{b.where}: no id=\"<page>-<name>\"")
        elif bid in seen:
            problems.append(f"{b.where}: id {bid!r} already used at {seen[bid]}")
        else:
            seen[bid] = b.where
        if "session" in b.options:
            problems.append(f"{b.where}: session=...; blocks must be self-contained")
        if not b.is_html:
            result, source = b.options.get("result"), b.options.get("source")
            if result not in ("text", "python"):
                problems.append(f'{b.where}: text blocks need result="text" (or "python")')
            if source not in SOURCE_SHOWN and not (result == "python" and source is None):
                problems.append(f'{b.where}: show the source: source="block"')
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------- (b) fresh runs
def _shown_source(code: str) -> str:
    """What markdown-exec displays: the code without `# markdown-exec: hide` lines."""
    lines = [ln for ln in code.splitlines() if not ln.rstrip().endswith("# markdown-exec: hide")]
    return "\n".join(lines).strip("\n")


def _run_fresh(block: Block) -> Block:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    env.pop("PYTHONSTARTUP", None)
    with tempfile.TemporaryDirectory(prefix="nnbook-snippet-") as cwd:
        try:
            proc = subprocess.run([sys.executable, "-c", block.code], cwd=cwd, env=env,
                                  capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            block.error = "timed out after 300 s"
            return block
    if proc.returncode != 0:
        block.error = proc.stderr[-3000:]
    block.output = proc.stdout
    return block


@pytest.fixture(scope="session")
def fresh_runs() -> dict[str, Block]:
    """Run every executed block in its own python process, a few at a time."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        done = list(pool.map(_run_fresh, EXEC_BLOCKS))
    return {b.name: b for b in done}


_PAGES: dict[Path, object] = {}


def _page(path: Path):
    from bs4 import BeautifulSoup

    if path not in _PAGES:
        _PAGES[path] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return _PAGES[path]


def _page_outputs(site: Site, rel: str) -> list[tuple[str, str]]:
    """(shown source, shown output) for each executed text block of the built page."""
    soup = _page(page_html_path(site.dir, rel))
    pairs = []
    for result in soup.select("div.result"):
        source = result.find_previous_sibling()
        code = source.find("code") if source is not None else None
        out = result.find("code")
        if code is not None and out is not None:
            pairs.append((code.get_text().strip("\n"), out.get_text()))
    return pairs


def _masked(text: str) -> str:
    """Text with every inline SVG reduced to `<svg/>` and every number (1, 2.5, 1.08e+05) to
    `0`."""
    text = re.sub(r"<svg\b.*?</svg>", "<svg/>", htmllib.unescape(text), flags=re.DOTALL)
    return re.sub(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", "0", text)


@pytest.mark.parametrize("block", EXEC_BLOCKS, ids=lambda b: b.name)
def test_block_prints_what_the_page_shows(built_site: Site, fresh_runs, block: Block) -> None:
    run = fresh_runs[block.name]
    assert run.error is None, f"{block.where} fails when run alone:\n{run.error}"
    page = page_html_path(built_site.dir, block.file)
    if block.code.lstrip().startswith("# measured at build time"):
        # A measurement on the machine that runs it (timings, the date), marked by its first
        # line: a fresh run measures again, so only the numbers may differ. It must pass its
        # own asserts (it ran without error, above) and print the page's text with every
        # number masked and every inline SVG figure (whose ticks follow the data) reduced to
        # its tag.
        fresh = _masked(run.output.strip())
        assert fresh and fresh in _masked(page.read_text(encoding="utf-8")), (
            f"{block.where}: a fresh run of this measured block prints other text than the "
            f"page shows (numbers and figures masked):\n{fresh}")
        return
    if block.is_html:
        html = page.read_text(encoding="utf-8")
        printed = run.output.strip()
        assert printed, f"{block.where}: figure block printed nothing"
        assert printed in html, (
            f"{block.where}: the page does not embed the markup this block prints when run "
            "alone (non-deterministic figure, or state leaking between blocks at build time)"
        )
        return
    if block.options.get("source") is None:  # result="python", e.g. printing engine source code
        soup = _page(page)
        fresh = run.output.strip("\n")
        assert any(c.get_text().strip("\n") == fresh for c in soup.select("code")), (
            f"{block.where}: the page shows no code block equal to a fresh run's output:\n{fresh}"
        )
        return
    shown = _shown_source(block.code)
    matches = [out for src, out in _page_outputs(built_site, block.file) if src == shown]
    assert matches, f"{block.where}: block {block.options.get('id')!r} not found in {page}"
    fresh = run.output.strip("\n")
    assert fresh in [m.strip("\n") for m in matches], (
        f"{block.where}: a fresh run prints\n{fresh}\n--- but the page shows ---\n"
        f"{matches[0].strip(chr(10))}"
    )


# ----------------------------------------------------------------------------- (c) notebooks
NOTEBOOKS = sorted(p.name for p in (DOCS / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_notebook_executed_without_errors(built_site: Site, nb: str) -> None:
    html = page_html_path(built_site.dir, f"notebooks/{nb}").read_text(encoding="utf-8")
    for marker in ("jp-OutputArea-output", "jp-RenderedMarkdown"):
        assert marker in html, f"{nb}: {marker} missing from the built page"
    errors = (
        r'<div[^>]*data-mime-type="application/vnd\.jupyter\.stderr"',  # stderr output
        r'<div[^>]*data-mime-type="application/vnd\.jupyter\.error"',  # an exception
        r"Traceback \(most recent call",
    )
    for bad in errors:
        assert not re.search(bad, html), f"{nb}: the built page shows an error ({bad})"
    assert htmllib.unescape(html).count("<svg") >= 2, f"{nb}: expected its figures"
