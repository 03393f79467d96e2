"""MkDocs build-time glue for nnbook (listed under `hooks:` in mkdocs.yml).

Three jobs, each small:

1. Self-hosted MathJax: the parts of the MathJax 3 es5 tree that `tex-chtml.js` needs (the script,
   the TeX extensions it autoloads, the CHTML woff fonts) are added to the site as
   `javascripts/mathjax/...`, straight from the installed `mathjax` package
   (PyPI: django-static-mathjax). Nothing is fetched from a CDN; works under `mkdocs serve` too.
2. Notebook pages: nbconvert's template embeds a MathJax-2 loader and config (from a CDN) and a
   Mermaid loader (from a CDN). They would load a second MathJax and throw under instant
   navigation, so they are stripped; a "download the notebook" link is added instead.
3. `mkdocs serve`: drop `nnbook` modules from `sys.modules` before each build, so executed examples
   see the engine as it is on disk now, not as it was when the server started.
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


def on_pre_build(config, **kwargs) -> None:
    """Forget every imported nnbook module so this build re-imports the engine from disk."""
    for name in [n for n in sys.modules if n == "nnbook" or n.startswith("nnbook.")]:
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


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    """Notebook pages: strip nbconvert's CDN scripts, add a download link to the .ipynb."""
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    html = _NOTEBOOK_SCRIPTS.sub("", html)
    name = Path(page.file.src_uri).name
    link = (
        f'<p class="nnbook-download"><a href="{name}" download>'
        f"Download this notebook ({name})</a> · run it with <code>jupyter lab {name}</code> "
        f"after <code>pip install -e \".[dev]\"</code>.</p>\n"
    )
    return link + html
