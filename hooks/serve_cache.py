"""The author's loop under `mkdocs serve`: a prose edit shows in about a second.

A full rebuild runs every executed block of every page and both notebooks again, which takes
tens of seconds. Under `mkdocs serve` (never under `mkdocs build`, so CI and the published site
always run everything):

* an executed Python block's output is reused when its code and the **inputs it can read** are
  unchanged. Those inputs are the engine (`nnbook/`), the benchmark code and results
  (`benchmarks/`) and this `hooks/` folder: their sources are hashed before every build, so an
  edit of the engine re-runs every block, and an edit of one page's prose re-runs nothing;
* the notebooks' cache (mkdocs-jupyter's, keyed on the notebook's bytes) is put in a folder named
  after the same hash, so an engine edit executes the notebooks again.

Blocks are self-contained (no markdown-exec sessions, see CONTRIBUTING.md), which is what makes
their output a function of their code and those inputs alone.

Also here: the Jupyter kernel that executes the notebooks is started with its log level at
ERROR, so its "running over TCP without encryption" notice (a local kernel on 127.0.0.1, started
and stopped by the build) does not appear among the book's build messages.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ("nnbook", "benchmarks", "hooks")  # what an executed block may read besides its code
log = logging.getLogger("mkdocs.hooks.serve_cache")

# Survives the re-loading of this file that `mkdocs serve` does on every rebuild.
_STATE = sys.modules.setdefault("_nnbook_serve_state", types.ModuleType("_nnbook_serve_state"))
if not hasattr(_STATE, "outputs"):
    _STATE.outputs = {}      # (inputs hash, block id, code) -> printed output
    _STATE.serving = False
    _STATE.patched = False


def inputs_hash() -> str:
    """SHA-256 over the path and bytes of every file under INPUTS (caches excluded)."""
    h = hashlib.sha256()
    for top in INPUTS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                h.update(path.relative_to(ROOT).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def on_post_build(config, **kwargs) -> None:
    if _STATE.serving:
        log.info("serve cache: %d executed blocks reused", _STATE.hits)


def on_startup(command: str, dirty: bool, **kwargs) -> None:
    _STATE.serving = command == "serve"
    _STATE.dirty = dirty


def _forget_pages_built_from_other_inputs(site_dir: str) -> None:
    """`mkdocs serve --dirty` rebuilds only pages whose source is newer than their HTML. When the
    engine (or anything in INPUTS) changed since the last build, every page may show something
    else: delete the built pages, so that this build makes them all again."""
    marker = Path(site_dir) / ".nnbook-inputs"
    if marker.is_file() and marker.read_text() == _STATE.current:
        return
    for html in Path(site_dir).rglob("*.html"):
        html.unlink()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(_STATE.current)


def _patch_markdown_exec() -> None:
    """Wrap markdown-exec's Python runner with the cache (once per process)."""
    if _STATE.patched:
        return
    try:
        from markdown_exec._internal.formatters import python as mx
    except ImportError:  # another markdown-exec layout: no cache, everything still runs
        log.debug("markdown-exec's runner not found: serving without the block cache")
        return
    run = mx._run_python

    def cached_run(code: str, returncode=None, session=None, id=None, **extra):  # noqa: A002
        if not _STATE.serving or session:
            return run(code, returncode=returncode, session=session, id=id, **extra)
        key = (_STATE.current, id, code)
        _STATE.hits += key in _STATE.outputs
        if key not in _STATE.outputs:
            _STATE.outputs[key] = run(code, returncode=returncode, session=session, id=id, **extra)
        return _STATE.outputs[key]

    mx._run_python = cached_run
    _STATE.patched = True


def _quiet_kernel() -> None:
    """Start notebook kernels with `--IPKernelApp.log_level=ERROR` (once per process)."""
    try:
        from mkdocs_jupyter import nbconvert2
    except ImportError:
        return
    make_app = nbconvert2.get_nbconvert_app
    if getattr(make_app, "nnbook_quiet", False):
        return

    def quiet_app(*args, **kwargs):
        app = make_app(*args, **kwargs)
        app.config["ExecutePreprocessor"]["extra_arguments"] = ["--IPKernelApp.log_level=ERROR"]
        return app

    quiet_app.nnbook_quiet = True
    nbconvert2.get_nbconvert_app = quiet_app


def on_config(config, **kwargs):
    _quiet_kernel()
    if not _STATE.serving:
        return config
    _STATE.current = inputs_hash()
    # Drop outputs of older inputs: the cache holds one version of the engine at a time.
    _STATE.outputs = {k: v for k, v in _STATE.outputs.items() if k[0] == _STATE.current}
    _patch_markdown_exec()
    _STATE.hits = 0
    if _STATE.dirty:
        _forget_pages_built_from_other_inputs(config.site_dir)
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is not None:
        jupyter.config["cache"] = True
        root = os.path.dirname(config.config_file_path)
        jupyter.config["cache_dir"] = os.path.join(root, ".cache", "notebooks", _STATE.current[:16])
    return config
