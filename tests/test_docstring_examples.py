"""Every docstring example on the API pages runs pasted alone into a fresh interpreter.

`pytest --doctest-modules` runs a docstring's examples with its module's globals, so an example
that calls `sigmoid(...)` without importing it, or uses `np` it never imported, passes there and
fails for a reader who pastes it into `python`. Here each docstring's examples run in an EMPTY
namespace (`globs={}`: the example must import what it uses), with only NORMALIZE_WHITESPACE
and ELLIPSIS (no NUMBER: the value shown must be the value Python prints), and no
`# doctest:` directive (a reader would see it, and `+SKIP` would hide an example from the
check). Every line a reader sees (`>>> ` and `... ` prompts included) is at most 79 characters.

The docstrings are those of every public module of `nnbook` (the package itself included):
module docstrings, functions, classes, methods and properties, found by `doctest.DocTestFinder`
(only objects defined in that module, so a re-export is checked once, where it is documented).
A failure names the object, e.g. `nnbook.activations.sigmoid`.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import nnbook

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
MAX_LINE = 79


def _public_modules() -> list[str]:
    names = ["nnbook"]
    for info in pkgutil.walk_packages(nnbook.__path__, prefix="nnbook."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _collect() -> list:
    finder = doctest.DocTestFinder(exclude_empty=True)
    params = []
    for name in _public_modules():
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # an optional dependency (matplotlib for plot)
            params.append(pytest.param(None, id=name, marks=pytest.mark.skip(reason=str(exc))))
            continue
        for test in finder.find(module, globs={}):
            if test.examples:
                params.append(pytest.param(test, id=test.name))
    return sorted(params, key=lambda p: p.id)


DOCTESTS = _collect()


def test_examples_were_found():
    """The walk finds the API's examples (not an empty, vacuously passing collection)."""
    found = [p for p in DOCTESTS if p.values[0] is not None]
    assert len(found) >= 60, f"only {len(found)} docstrings with examples found"


@pytest.mark.parametrize("test", DOCTESTS)
def test_docstring_examples_run_alone(test: doctest.DocTest):
    """Run one docstring's examples in an empty namespace; report every failing example."""
    assert set(test.globs) <= {"__name__"}, f"{test.name}: got the module's globals"
    directives = [ex.source.strip() for ex in test.examples if ex.options]
    assert not directives, f"{test.name}: drop the '# doctest:' directive from {directives}"

    long_lines = []
    for ex in test.examples:
        shown = [
            ("... " if k else ">>> ") + line
            for k, line in enumerate(ex.source.rstrip("\n").split("\n"))
        ]
        shown += ex.want.rstrip("\n").split("\n") if ex.want else []  # traceback included
        long_lines += [line for line in shown if len(line) > MAX_LINE]
    assert not long_lines, (
        f"{test.name}: {len(long_lines)} example line(s) longer than {MAX_LINE} characters:\n"
        + "\n".join(f"  ({len(line)}) {line}" for line in long_lines)
    )

    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS, verbose=False)
    result = runner.run(test, out=report.append, clear_globs=True)
    assert result.failed == 0, (
        f"{test.name}: {result.failed} of {result.attempted} examples fail when pasted alone "
        f"into a fresh interpreter:\n" + "".join(report)
    )
