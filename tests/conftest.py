"""Shared fixtures: the site, built once per test session with `mkdocs build --strict`.

The build goes to a temporary directory with `SITE_URL` set to the 127.0.0.1 port the browser test
serves it on (Material's instant navigation only works when the two match), and with the
mkdocs-jupyter cache off, so the notebooks are executed against the engine as it is now.

Set `NNBOOK_SITE_DIR=<dir>` to reuse a site you built yourself with
`SITE_URL=http://127.0.0.1:<NNBOOK_SITE_PORT>/ mkdocs build --strict -d <dir>` (for quick
iteration on the browser or snippet tests); the build log checks are then skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Tolerances are stated from the arithmetic, never from one machine's last bits. Two float64
# evaluations of the same formula that differ only in the order of operations (another BLAS,
# another summation tree, a fused multiply-add) differ by a few units in the last place per
# operation; the tests' formulas take a few dozen operations on values of order 1, so their
# relative difference stays below ~1e-14. 1e-12 leaves a factor of 100 for condition numbers.
RTOL_SAME_FORMULA = 1e-12

# Lines other site tests add to the end-of-run report (build time, browser summary).
SUMMARY: list[str] = []


@dataclass
class Site:
    """A built site: where it is, how it was built, and the port its URLs expect."""

    dir: Path
    port: int
    log: str = ""
    returncode: int = 0
    seconds: float = 0.0
    reused: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def free_port() -> int:
    """A TCP port nobody listens on right now (the browser test binds it after the build)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env["SITE_URL"] = f"http://127.0.0.1:{port}/"
    env["NNBOOK_NOTEBOOK_CACHE"] = "false"  # execute notebooks against today's engine
    env["NO_MKDOCS_2_WARNING"] = "1"  # Material's end-of-life banner is not a build warning
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    return env


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The whole book built once with `mkdocs build --strict` (about a minute)."""
    reuse = os.environ.get("NNBOOK_SITE_DIR")
    if reuse:
        port = int(os.environ.get("NNBOOK_SITE_PORT", "8000"))
        return Site(dir=Path(reuse), port=port, reused=True)
    out = tmp_path_factory.mktemp("site")
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-d", str(out)],
        cwd=ROOT,
        env=build_env(port),
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - start
    SUMMARY.append(f"site: mkdocs build --strict took {seconds:.1f} s (exit {proc.returncode})")
    return Site(dir=out, port=port, log=proc.stdout + proc.stderr, returncode=proc.returncode,
                seconds=seconds)


@pytest.fixture(scope="session")
def built_site(site: Site) -> Site:
    """The site, failing (with the build log's tail) when the strict build failed."""
    if site.returncode != 0:
        tail = "\n".join(site.log.splitlines()[-40:])
        pytest.fail(f"mkdocs build --strict failed (exit {site.returncode}):\n{tail}")
    return site


def page_html_path(site_dir: Path, md_rel: str) -> Path:
    """docs/a/b.md -> site/a/b/index.html (use_directory_urls); a/index.md -> site/a/index.html."""
    rel = Path(md_rel)
    stem = rel.with_suffix("")
    if stem.name in ("index", "README"):
        return site_dir / stem.parent / "index.html"
    return site_dir / stem / "index.html"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if SUMMARY:
        terminalreporter.section("nnbook site")
        for line in SUMMARY:
            terminalreporter.write_line(line)
