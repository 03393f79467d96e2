"""MkDocs build-time glue for nnbook (listed under `hooks:` in mkdocs.yml).

Five jobs, each small:

1. Self-hosted MathJax: the parts of the MathJax 3 es5 tree that `tex-chtml.js` needs (the script,
   the TeX extensions it autoloads, the CHTML woff fonts) are added to the site as
   `javascripts/mathjax/...`, straight from the installed `mathjax` package
   (PyPI: django-static-mathjax). Nothing is fetched from a CDN; works under `mkdocs serve` too.
2. Notebook pages: nbconvert's template embeds a MathJax-2 loader and config (from a CDN) and a
   Mermaid loader (from a CDN). They would load a second MathJax and throw under instant
   navigation, so they are stripped; a "download the notebook" link is added instead.
3. Display math: a `$$` block glued to the text above or below it gets the blank lines that
   pymdownx.arithmatex needs to see a math block (otherwise the TeX stays raw on the page), and
   is re-indented to a multiple of 4 spaces so it stays inside its list item (Python-Markdown
   continues list items at 4 spaces, not at the 3 of "1. ").
4. API pages: docstrings may use Sphinx roles (`:func:`name``), which mkdocstrings does not read;
   the role prefix is dropped so the reader sees the name as code, not ":func:name".
5. `mkdocs serve`: drop `nnbook` and `benchmarks` modules from `sys.modules` before each build, so
   executed examples see the engine as it is on disk now, not as it was when the server started;
   the repository root goes on `sys.path`, so the Performance page imports `benchmarks.report`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

MATHJAX_DEST = "javascripts/mathjax"
# What tex-chtml.js loads: itself, TeX packages it autoloads, and the CHTML fonts.
MATHJAX_PARTS = ("tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2")


def _mathjax_root() -> Path:
    import mathjax  # django-static-mathjax: the MathJax 3.2.2 tree, no Django needed to read it

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


ROOT = Path(__file__).resolve().parent.parent


def on_pre_build(config, **kwargs) -> None:
    """Forget every imported nnbook (and benchmarks) module so this build re-imports the engine
    from disk; make the repository's `benchmarks` package importable by the Performance page."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for name in list(sys.modules):
        if name.split(".")[0] in ("nnbook", "benchmarks"):
            del sys.modules[name]


def on_files(files: Files, config, **kwargs) -> Files:
    """Add the self-hosted MathJax files to the site (copied like any static asset)."""
    root = _mathjax_root()
    for part in MATHJAX_PARTS:
        path = root / part
        for src in [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()):
            rel = src.relative_to(root).as_posix()
            files.append(
                File.generated(config, f"{MATHJAX_DEST}/{rel}", abs_src_path=str(src))
            )
    return files


# nbconvert head scripts: MathJax-2 loader + `text/x-mathjax-config`, the Mermaid module loader.
_NOTEBOOK_SCRIPTS = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
    r"|<script[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>"
    r"|<script type=\"text/x-mathjax-config\">.*?</script>"
    r"|<script type=\"module\">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>",
    re.DOTALL,
)


# `:func:`x`` renders as ":func:<code>x</code>"; `~a.b.x` (Sphinx: show only "x") as "~a.b.x".
_SPHINX_ROLE = re.compile(
    r":(?:py:)?(?:func|class|meth|attr|data|mod|obj|exc):(<code>)(?:~[\w.]*\.)?"
)


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    """API pages: drop Sphinx role prefixes. Notebook pages: strip nbconvert's CDN scripts and
    add a download link to the .ipynb."""
    if page.file.src_uri.startswith("api/"):
        return _SPHINX_ROLE.sub(r"\1", html)
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    html = _NOTEBOOK_SCRIPTS.sub("", html)
    name = Path(page.file.src_uri).name
    link = (
        f'<p class="nnbook-download"><a href="{name}" download>'
        f"Download this notebook ({name})</a> · run it from the repository with "
        f"<code>uv run --with jupyterlab jupyter lab docs/notebooks/{name}</code>.</p>\n"
    )
    # Right under the notebook's title when it has one, else at the top.
    m = re.search(r"</h1>", html)
    return html[: m.end()] + "\n" + link + html[m.end() :] if m else link + html


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _in_list_item(previous: list[str], indent: int) -> bool:
    """Is a line indented by `indent` the continuation of a list item started above it?"""
    for line in reversed(previous):
        if line.strip() and len(line) - len(line.lstrip(" ")) < indent:
            return bool(_LIST_ITEM.match(line))
    return False


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    """Give every display-math block (`$$` lines) blank lines around it, outside code fences."""
    out: list[str] = []
    fence: str | None = None
    in_math = False
    shift = indent = 0
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        m = _FENCE.match(line)
        if fence is None and m and not in_math:
            fence = m.group(1)
        elif fence is not None:
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            out.append(line)
            continue
        opens = not in_math and stripped.startswith("$$")
        one_line = opens and len(stripped) > 4 and stripped.endswith("$$")
        closes = (in_math and stripped.endswith("$$")) or one_line
        if opens:
            indent = len(line) - len(line.lstrip(" "))
            # In a list item: 4-space continuation ("1. " gives 3). Elsewhere: flush left.
            shift = indent + (-indent % 4) if _in_list_item(out, indent) else indent - indent % 4
            if out and out[-1].strip():
                out.append("")
        if (opens or in_math) and line.strip():
            line = " " * shift + line[min(indent, len(line) - len(line.lstrip(" "))) :]
        out.append(line)
        if opens and not one_line:
            in_math = True
        elif closes:
            in_math = False
            if i + 1 < len(lines) and lines[i + 1].strip():
                out.append("")
    return "\n".join(out)
