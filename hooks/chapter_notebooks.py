"""Every chapter as a Jupyter notebook, written at build time (listed under `hooks:` in mkdocs.yml).

For each page `docs/chapters/<name>.md` the site gets `chapters/<name>/<name>.ipynb`, next to the
page's `index.html` (as the notebook pages' own downloads are), and the page gets a download link
right under its title, in the notebook pages' style (`p.nnbook-download`). The notebook is built
with nbformat from the page's Markdown, in page order:

* a title cell: the chapter, the book, how to install what the code needs (and, when the code
  imports a repository folder `pip install` leaves out, such as `benchmarks`, where to open the
  notebook), what differs from the page;
* the prose and math as Markdown cells (a new cell at each heading);
* each executed block (```` ```python exec="1" ... ```` ````) as one code cell holding exactly its
  code, wherever it sits (in a box, in a tab, in an exercise's answer). A figure block
  (`html="1"`) prints SVG or HTML, which the page embeds; in the notebook its `print(x)` is
  `display(HTML(x))` (with `from IPython.display import HTML, display` as the cell's first line),
  so Jupyter shows the figure instead of its markup. That is the only change to a page's code;
* engine listings (`--8<-- "nnbook/x.py:name"`) expanded by pymdownx.snippets with the site's own
  settings, shown as Markdown code (they are definitions to read, as on the page, not cells to
  run: a method listed alone would not even run);
* MkDocs-only syntax rewritten for Jupyter: a box (`!!! note "T"`, `??? success "Answer 6.1"`) is a
  block quote opened by its bold title, its content kept (collapsed answers included); a tab
  (`=== "T"`) is a bold title and its content; heading attribute lists (`{ #id }`), `<a id>`
  anchors and `<div>` wrappers are dropped; a relative link (`../notation.md#shapes`,
  `#forward-pass`) points to that page on the site (`site_url`), or is plain text without one;
  display math inside a quote is written on one line, because Jupyter cuts math out of the text
  before it parses block quotes and would keep the `>` of every line inside the formula.

`chapter_notebook(markdown, src_uri=..., site_url=...)` is the conversion, importable for tests.
"""

from __future__ import annotations

import ast
import posixpath
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = "chapters/"
# pymdownx.snippets settings when no MkDocs config is at hand (tests); the hook uses mkdocs.yml's.
SNIPPETS_DEFAULTS = {"base_path": [str(ROOT)], "check_paths": True, "dedent_subsections": True}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
BOX = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<type>[\w-]+)'
                 r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)(?:[ \t]*\{[^}]*\})?[ \t]*$")
# Lines that only wrap or anchor: `<a id="x"></a>`, `<div ...>`, `</div>` (md_in_html).
WRAPPER = re.compile(r"^[ \t]*(?:<a\b[^>]*>[ \t]*</a>|</?(?:div|section|span)\b[^>]*>)[ \t]*$")
LINK = re.compile(r"\[(?P<text>[^\]\n]+)\]\((?P<target>[^)\s]+)\)")
LOCAL_TARGET = re.compile(r"^(?P<path>[\w./-]*\.(?:md|ipynb))?(?P<anchor>#[\w.:-]+)?$")
TRUE = {"1", "on", "true", "yes"}

FIGURE_IMPORT = "from IPython.display import HTML, display"


def notebook_uri(src_uri: str) -> str:
    """chapters/06-x.md -> chapters/06-x/06-x.ipynb: next to the page's index.html."""
    stem = posixpath.splitext(src_uri)[0]
    return f"{stem}/{posixpath.basename(stem)}.ipynb"


def is_chapter(src_uri: str) -> bool:
    return src_uri.startswith(CHAPTERS) and src_uri.endswith(".md") and "/" not in src_uri[
        len(CHAPTERS):]


# ------------------------------------------------------------------------------ figure cells
def figure_cell_code(code: str, block_id: str = "?") -> str:
    """A figure block's code with each `print(x)` as `display(HTML(x))` and the import on top.

    Raises ValueError when a print is not a plain `print(x)` (a `sep=`, two arguments): the page
    embeds the concatenated printed markup, which separate displays would not reproduce.
    """
    tree = ast.parse(code)
    prints = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Name) and n.func.id == "print"]
    if not prints:
        raise ValueError(f'figure block {block_id!r} (html="1") prints nothing')
    for call in prints:
        if len(call.args) != 1 or call.keywords or isinstance(call.args[0], ast.Starred):
            raise ValueError(f"figure block {block_id!r}: line {call.lineno} is not a plain "
                             "print(x) of one value, which the notebook shows as "
                             "display(HTML(x))")
    lines = [ln.encode() for ln in code.split("\n")]  # ast offsets count UTF-8 bytes
    for call in sorted(prints, key=lambda c: (c.lineno, c.col_offset), reverse=True):
        end = lines[call.end_lineno - 1]
        lines[call.end_lineno - 1] = end[: call.end_col_offset] + b")" + end[call.end_col_offset:]
        line = lines[call.lineno - 1]
        lines[call.lineno - 1] = (line[: call.func.col_offset] + b"display(HTML"
                                  + line[call.func.end_col_offset:])
    return FIGURE_IMPORT + "\n" + "\n".join(ln.decode() for ln in lines)


# ------------------------------------------------------------------------------ links
def _page_url(target: str) -> str:
    """docs-relative path -> site path with directory URLs (a/b.md -> a/b/, a/index.md -> a/)."""
    if target.endswith(".md") or target.endswith(".ipynb"):
        stem = posixpath.splitext(target)[0]
        if posixpath.basename(stem) in ("index", "README"):
            return posixpath.dirname(stem) + "/" if posixpath.dirname(stem) else ""
        return stem + "/"
    return target


def rewrite_links(text: str, src_uri: str, site_url: str | None) -> str:
    """Relative links of one line of prose -> absolute site links, or their text without a site.

    Code spans are left alone; only targets that are a docs page (`.md`, `.ipynb`) and/or an
    anchor are rewritten, so math such as `A^{[1](i)}` never is.
    """
    def repl(m: re.Match) -> str:
        local = LOCAL_TARGET.match(m.group("target"))
        if not local or m.group("target").startswith("//"):
            return m.group(0)
        path = local.group("path")
        target = (posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path))
                  if path else src_uri)
        if not site_url:
            return m.group("text")
        url = site_url.rstrip("/") + "/" + _page_url(target) + (local.group("anchor") or "")
        return f"[{m.group('text')}]({url})"

    parts = re.split(r"(`+[^`]*`+)", text)
    for i in range(0, len(parts), 2):
        parts[i] = LINK.sub(repl, parts[i])
    return "".join(parts)


# ------------------------------------------------------------------------------ the conversion
def expand_snippets(markdown: str, snippets: dict | None = None) -> str:
    """Run pymdownx.snippets over the page, as the build does (`--8<--` lines -> engine code)."""
    import markdown as md_lib

    md = md_lib.Markdown(extensions=["pymdownx.snippets"],
                         extension_configs={"pymdownx.snippets": snippets or SNIPPETS_DEFAULTS})
    return "\n".join(md.preprocessors["snippet"].run(markdown.split("\n")))


class _Box:
    """A box or a tab the converter is inside: its content is indented by `indent`."""

    def __init__(self, indent: int, quoted: bool) -> None:
        self.indent = indent
        self.quoted = quoted


def _options(info: str) -> dict[str, str]:
    return dict(re.findall(r'([\w-]+)="([^"]*)"', info))


def _lang(info: str) -> str:
    return re.split(r"[\s{]", info.lstrip("{. "), maxsplit=1)[0].lower() if info else ""


def chapter_cells(markdown: str, src_uri: str, site_url: str | None) -> list[tuple[str, str, str]]:
    """The page as (kind, text, block id) in order; kind is "markdown" or "code".

    `markdown` is the page with its snippets already expanded.
    """
    cells: list[tuple[str, str, str]] = []
    prose: list[str] = []
    stack: list[_Box] = []

    def flush() -> None:
        # no empty (or empty-quote `>`) lines at either end of a cell
        body = list(prose)
        while body and not body[0].strip(" >"):
            body.pop(0)
        while body and not body[-1].strip(" >"):
            body.pop()
        text = "\n".join(body)
        if text.strip():
            cells.append(("markdown", text, ""))
        prose.clear()

    def prefix() -> str:
        return "> " * sum(b.quoted for b in stack)

    def emit(line: str) -> None:
        p = prefix()
        prose.append((p + line).rstrip() if line.strip() else p.rstrip())

    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i]
        indent = len(raw) - len(raw.lstrip(" "))
        if raw.strip():
            while stack and indent < stack[-1].indent:
                closed = stack.pop()
                if closed.quoted:
                    while prose and prose[-1].strip(" >") == "" and prose[-1].strip():
                        prose.pop()                     # the box's trailing empty `>` lines
                    prose.append(prefix().rstrip())
        base = stack[-1].indent if stack else 0
        line = raw[base:] if raw[:base].strip() == "" else raw.lstrip()

        fence = FENCE.match(raw)
        if fence:
            mark, info = fence.group("fence"), fence.group("info").strip()
            close = re.compile(rf"^[ \t]*{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$")
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                j += 1
            pad = fence.group("indent")
            body = [ln[len(pad):] if ln.startswith(pad) else ln.lstrip() for ln in lines[i + 1:j]]
            opts = _options(info)
            if _lang(info) == "python" and opts.get("exec", "").lower() in TRUE:
                flush()
                code = "\n".join(body).strip("\n")
                if opts.get("html", "").lower() in TRUE:
                    code = figure_cell_code(code, opts.get("id", "?"))
                cells.append(("code", code, opts.get("id", "")))
            else:
                if "title" in opts:
                    emit(f"`{opts['title']}`:")
                    emit("")
                inner = len(pad) - base
                emit(" " * max(inner, 0) + "```" + _lang(info))
                for b in body:
                    emit(" " * max(inner, 0) + b if b.strip() else "")
                emit(" " * max(inner, 0) + "```")
            i = j + 1
            continue

        box = BOX.match(raw)
        tab = TAB.match(raw) if not box else None
        if box or tab:
            m = box or tab
            title = m.group("title")
            if box and title is None:
                title = box.group("type").capitalize()
            if box:
                stack.append(_Box(len(m.group("indent")) + 4, quoted=True))
                if title:
                    emit(f"**{rewrite_links(title, src_uri, site_url)}**")
                    emit("")
            else:
                emit(f"**{title}**")
                emit("")
                stack.append(_Box(len(m.group("indent")) + 4, quoted=False))
            i += 1
            continue

        if WRAPPER.match(raw):
            i += 1
            if i < len(lines) and not lines[i].strip() and (not prose or not prose[-1].strip(" >")):
                i += 1                                  # and its blank line: no double gap
            continue

        head = HEADING.match(line) if not stack else None
        if head:
            flush()
            text = rewrite_links(head.group("text"), src_uri, site_url)
            prose.append(f"{head.group('hashes')} {text}")
            i += 1
            continue

        stripped = line.strip()
        if prefix() and stripped.startswith("$$"):
            # display math in a quote: one line (see the module docstring)
            j, parts = i, [stripped]
            single = len(stripped) > 4 and stripped.endswith("$$")
            while not single and j + 1 < len(lines):
                j += 1
                parts.append(lines[j].strip())
                if lines[j].strip().endswith("$$"):
                    break
            lead = line[: len(line) - len(line.lstrip())]
            emit(lead + " ".join(p for p in parts if p))
            i = j + 1
            continue

        emit(rewrite_links(line, src_uri, site_url))
        i += 1
    flush()
    return cells


def repository_imports(codes: list[str]) -> list[str]:
    """Top-level packages the code imports from the repository's folders that `pip install .`
    does not install (e.g. `benchmarks`); only `nnbook` is installed."""
    names = set()
    for code in codes:
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return sorted(n for n in names
                  if n != "nnbook" and (ROOT / n / "__init__.py").is_file())


def _title_cell(h1: str, src_uri: str, site_url: str | None, local: list[str]) -> str:
    page = f"{site_url.rstrip('/')}/{_page_url(src_uri)}" if site_url else None
    read = f" Read it on the book's site: <{page}>." if page else ""
    extra = ""
    if local:
        names = ", ".join(f"`{n}`" for n in local)
        extra = (f"\n\nThis chapter's code also imports {names}, a folder of the repository that "
                 "`pip install` does not install: save this notebook in the repository's root "
                 "folder and open it there (the kernel finds packages in the notebook's folder).")
    return f"""{h1}

A chapter of **nnbook**, the mathematics of neural networks as a book whose every equation
runs, as a Jupyter notebook generated from the chapter's page.{read}

**Setup.** The code cells import `nnbook`, the book's small NumPy engine. It is installed from
the book's repository (it is not published on PyPI: `pip install nnbook` alone does not give
you this package). It needs Python 3.10 or newer and NumPy; the figures need matplotlib. In a
clone of the repository, either

```bash
pip install ".[plot]" jupyterlab     # nnbook, NumPy, matplotlib and JupyterLab
jupyter lab
```

or, with [uv](https://docs.astral.sh/uv/) and the repository's lock file,
`uv run --with jupyterlab jupyter lab`.{extra}

**How this notebook relates to the page.** The prose and math are the page's; each code cell
is one of the page's executed blocks, with exactly its code and in page order, and each runs on
its own (restart the kernel and run any cell). The page's boxes (notes, exercises and their
answers) are quoted blocks under a bold title; listings of the engine's source are shown as
text, not run. In a figure cell, `display(HTML(...))` stands where the page has `print(...)`:
the page embeds the SVG or HTML a figure block prints, and Jupyter needs `display(HTML(...))`
(from `IPython.display`, imported at the top of the cell) to draw it rather than print its
markup. That is the only change made to the page's code."""


def chapter_notebook(markdown: str, *, src_uri: str, site_url: str | None = None,
                     snippets: dict | None = None) -> nbformat.NotebookNode:
    """The notebook of one chapter page, from its Markdown source (see the module docstring)."""
    cells = chapter_cells(expand_snippets(markdown, snippets), src_uri, site_url)
    if not cells or cells[0][0] != "markdown" or not cells[0][1].startswith("# "):
        raise ValueError(f"docs/{src_uri}: a chapter must start with its `# ` title")
    h1, _, rest = cells[0][1].partition("\n")
    local = repository_imports([text for kind, text, _ in cells if kind == "code"])
    out = [new_markdown_cell(_title_cell(h1, src_uri, site_url, local), id="title")]
    if rest.strip():
        out.append(new_markdown_cell(rest.strip("\n"), id="md-1"))
    for k, (kind, text, block_id) in enumerate(cells[1:], start=2):
        if kind == "code":
            out.append(new_code_cell(text, id=block_id or f"code-{k}"))
        else:
            out.append(new_markdown_cell(text, id=f"md-{k}"))
    nb = new_notebook(cells=out, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def notebook_json(markdown: str, **kwargs) -> str:
    return nbformat.writes(chapter_notebook(markdown, **kwargs)) + "\n"


# ------------------------------------------------------------------------------ MkDocs events
def _snippets_config(config) -> dict:
    """pymdownx.snippets as mkdocs.yml sets it, its base paths made absolute."""
    cfg = dict(config["mdx_configs"].get("pymdownx.snippets", SNIPPETS_DEFAULTS))
    where = Path(config.config_file_path).parent if config.config_file_path else ROOT
    bases = cfg.get("base_path", ["."])
    cfg["base_path"] = [str(where / b) for b in ([bases] if isinstance(bases, str) else bases)]
    return cfg


def on_files(files, config, **kwargs):
    """Add `chapters/<name>/<name>.ipynb` for every chapter page (served by `mkdocs serve` too)."""
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    snippets = _snippets_config(config)
    for f in list(files):
        if not is_chapter(f.src_uri) or not f.abs_src_path:
            continue
        text = Path(f.abs_src_path).read_text(encoding="utf-8")
        try:
            content = notebook_json(text, src_uri=f.src_uri, site_url=config.get("site_url"),
                                    snippets=snippets)
        except (ValueError, SyntaxError) as exc:
            raise PluginError(f"chapter notebook of docs/{f.src_uri}: {exc}") from exc
        files.append(File.generated(config, notebook_uri(f.src_uri), content=content))
    return files


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    """A download link right under a chapter's title (the notebook pages' style)."""
    if not is_chapter(page.file.src_uri):
        return html
    nb_file = files.get_file_from_path(notebook_uri(page.file.src_uri))
    if nb_file is None:
        return html
    href = nb_file.url_relative_to(page.file)
    name = posixpath.basename(nb_file.src_uri)
    link = (f'<p class="nnbook-download"><a href="{href}" download>Download this chapter as a '
            f"Jupyter notebook ({name})</a> · its first cell says what to install.</p>\n")
    m = re.search(r"</h1>", html)
    return html[: m.end()] + "\n" + link + html[m.end():] if m else link + html
