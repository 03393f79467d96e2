"""hooks/serve_cache.py: reused outputs equal fresh ones, and any input edit invalidates them."""

from __future__ import annotations

import importlib.util
import shutil
import sys

import pytest
from conftest import ROOT

pytest.importorskip("markdown_exec", reason="markdown-exec is not installed (uv sync)")


@pytest.fixture()
def hook(tmp_path, monkeypatch):
    """A fresh copy of the hook module whose ROOT is a scratch copy of the inputs."""
    for top in ("nnbook", "benchmarks", "hooks"):
        shutil.copytree(ROOT / top, tmp_path / top, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.delitem(sys.modules, "_nnbook_serve_state", raising=False)
    spec = importlib.util.spec_from_file_location("serve_cache_under_test",
                                                  ROOT / "hooks" / "serve_cache.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "ROOT", tmp_path)
    from markdown_exec._internal.formatters import python as mx
    monkeypatch.setattr(mx, "_run_python", mx._run_python)  # undone after the test
    yield mod, mx, tmp_path
    sys.modules.pop("_nnbook_serve_state", None)


class _Config(dict):
    def __init__(self, site_dir):
        super().__init__()
        self.site_dir = str(site_dir)
        self.config_file_path = str(ROOT / "mkdocs.yml")
        self.plugins = {}


def test_inputs_hash_changes_with_any_engine_byte(hook):
    mod, _, root = hook
    before = mod.inputs_hash()
    assert mod.inputs_hash() == before
    path = root / "nnbook" / "datasets.py"
    path.write_text(path.read_text() + "\n# one more line\n")
    assert mod.inputs_hash() != before


def test_cached_output_equals_a_fresh_run_and_expires_with_the_engine(hook, tmp_path):
    mod, mx, root = hook
    fresh = mx._run_python
    mod.on_startup(command="serve", dirty=True)
    mod.on_config(_Config(tmp_path / "site"))
    code = "import random\nprint(random.random())"   # prints something new on every real run
    first = mx._run_python(code, id="t-1")
    assert mx._run_python(code, id="t-1") == first            # reused: the inputs are unchanged
    assert fresh(code, id="t-1") != first                     # (a real run would differ)
    assert mx._run_python("print(1 + 1)", id="t-2") == fresh("print(1 + 1)", id="t-2") == "2\n"
    (root / "nnbook" / "io.py").write_text("# edited\n")
    mod.on_config(_Config(tmp_path / "site"))                # the next build sees the edit
    assert mx._run_python(code, id="t-1") != first


def test_dirty_serve_forgets_built_pages_when_the_inputs_change(hook, tmp_path):
    mod, _, root = hook
    site = tmp_path / "site"
    mod.on_startup(command="serve", dirty=True)
    mod.on_config(_Config(site))
    page = site / "chapters" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>built</p>")
    mod.on_config(_Config(site))                 # same inputs: the page stays
    assert page.exists()
    (root / "nnbook" / "io.py").write_text("# edited\n")
    mod.on_config(_Config(site))                 # engine edited: every page is made again
    assert not page.exists()


def test_build_never_reuses(hook, tmp_path):
    mod, mx, _ = hook
    mod.on_startup(command="build", dirty=False)
    mod.on_config(_Config(tmp_path / "site"))
    code = "import random\nprint(random.random())"
    assert mx._run_python(code, id="t-3") != mx._run_python(code, id="t-3")
