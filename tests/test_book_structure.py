"""The chapters have the shape issue 9 asks for, read from their Markdown.

Every chapter ends with `## Summary` and `## Exercises`; it has 3 to 6 exercises titled
`Exercise N.k (by hand)` or `(code)`, a mix of both, each followed by a collapsed
`??? success "Answer N.k"` whose executed blocks assert or raise (so a wrong answer fails the
build); its visible text (outside collapsed `???` blocks, code comments and strings included) never
mentions the source notes, and at most one collapsed pointer does, just before the exercises; the
book has at most the five allowed common-mistake boxes, each with its own title and anchor, linked
from another page; every line of a python fence, and every line of code or output a built page
shows in a `<pre>`, is at most 79 characters.

`tests/book_stats.py` parses the pages and prints the per-chapter table.
"""

from __future__ import annotations

import re

import pytest
from book_stats import (
    CHAPTERS,
    DOCS,
    MAX_LINE,
    MISTAKES,
    POINTER_TITLE,
    built_page,
    exercises,
    h2,
    mistake_boxes,
    parse,
    pointers,
    pre_blocks,
    section_of,
    stats,
    table,
)
from conftest import SUMMARY, Site

PAGES = {p.name: parse(p) for p in CHAPTERS}
# Pages whose code and output lines are held to 79 characters in the built site: every Markdown
# page of the book but the API reference (its source listings are the engine's, at 100).
SHOWN = sorted(p for p in DOCS.rglob("*.md") if "api" not in p.relative_to(DOCS).parts)


def _where(page, line: int) -> str:
    return f"docs/chapters/{page.name}:{line}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_chapter_ends_with_summary_and_exercises(name: str) -> None:
    heads = h2(PAGES[name])
    assert len(heads) >= 2 and heads[-2].startswith("Summary") and "#summary" in heads[-2], (
        f"{name}: the second-to-last section must be `## Summary {{ #summary }}`; "
        f"the sections are {heads}")
    assert heads[-1].startswith("Exercises") and "#exercises" in heads[-1], (
        f"{name}: the last section must be `## Exercises {{ #exercises }}`; sections: {heads}")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_exercises_have_checked_answers(name: str) -> None:
    page = PAGES[name]
    n = page.number
    ex = exercises(page)
    problems = []
    if not 3 <= len(ex) <= 6:
        problems.append(f"{len(ex)} exercises; 3 to 6 wanted")
    if ex and {e.how for e in ex} != {"by hand", "code"}:
        problems.append(f"not a mix of (by hand) and (code): {sorted({str(e.how) for e in ex})}")
    exercises_line = next((ln for ln, lvl, t in page.headings
                           if lvl == 2 and t.startswith("Exercises")), None)
    for k, e in enumerate(ex, start=1):
        where = _where(page, e.line)
        want = f"Exercise {n}.{k} (by hand)' or '... (code)"
        if e.k != k or not e.title.startswith(f"Exercise {n}.{k} "):
            problems.append(f"{where}: title {e.title!r}; want '{want}'")
        if exercises_line is None or e.line < exercises_line:
            problems.append(f"{where}: {e.title!r} is not under ## Exercises")
        if e.answer is None:
            problems.append(f'{where}: no `??? success "Answer {n}.{k}"` right after it')
            continue
        a = e.answer
        if a.mark != "???" or a.type != "success" or a.title != f"Answer {n}.{k}":
            problems.append(f'{_where(page, a.line)}: `{a.mark} {a.type} "{a.title}"`; want '
                            f'`??? success "Answer {n}.{k}"`')
        if e.how == "code" and not e.blocks:
            problems.append(f"{_where(page, a.line)}: a (code) exercise whose answer executes "
                            "nothing")
        for f in e.blocks:
            if not f.checks:
                problems.append(f"{_where(page, f.line)}: the answer's block neither asserts nor "
                                "raises: a wrong answer would not fail the build")
            block_id = f.options.get("id", "")
            if not block_id.startswith(f"ch{n:02d}-ex{k}"):
                problems.append(f"{_where(page, f.line)}: block id {block_id!r}; want "
                                f"'ch{n:02d}-ex{k}...'")
    unchecked = [e.title for e in ex if not e.blocks]
    print(f"{name}: {len(ex)} exercises, {sum(e.checked for e in ex)} with a checking block; "
          f"answers without a block: {unchecked}")
    assert not problems, f"{name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_visible_mention_of_the_notes(name: str) -> None:
    page = PAGES[name]
    problems = [f"{_where(page, line)}: {m!r} in the visible text"
                for line, m in page.visible_mentions]
    ptrs = pointers(page)
    if len(ptrs) > 1:
        problems.append("more than one collapsed block points to the notes: "
                        + ", ".join(f"line {a.line} {a.title!r} {a.mentions}" for a in ptrs))
    heads = h2(page)
    for a in ptrs:
        if a.title != POINTER_TITLE:
            problems.append(f'{_where(page, a.line)}: a collapsed "{a.title}" mentions the notes '
                            f"{a.mentions}; only the one `??? note \"{POINTER_TITLE}\"` may")
        elif len(heads) >= 2 and section_of(page, a.line) != heads[-2]:
            problems.append(f"{_where(page, a.line)}: the pointer is under "
                            f"{section_of(page, a.line)!r}; it belongs at the end of the "
                            "section just before ## Exercises")
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_common_mistake_boxes_are_the_five_allowed() -> None:
    pages = [parse(p) for p in sorted(DOCS.rglob("*.md"))
             if "api" not in p.relative_to(DOCS).parts]
    boxes = [(p, a) for p in pages for a in mistake_boxes(p)]
    problems = []
    if len(boxes) > len(MISTAKES):
        problems.append(f"{len(boxes)} common-mistake boxes; at most {len(MISTAKES)}")
    titles = [a.title for _, a in boxes]
    problems += [f"title used twice: {t!r}" for t in sorted({t for t in titles
                                                              if titles.count(t) > 1})]
    seen: dict[str, str] = {}
    for p, a in boxes:
        where = f"docs/{p.path.relative_to(DOCS).as_posix()}:{a.line}"
        if a.mark != "!!!" or a.type != "warning":
            problems.append(f'{where}: `{a.mark} {a.type}`; want `!!! warning "Common mistake: '
                            '..."`')
        if a.anchor not in MISTAKES:
            problems.append(f"{where}: {a.title!r} has no allowed anchor right before it "
                            f"(found {a.anchor!r}; allowed: {sorted(MISTAKES)})")
            continue
        if MISTAKES[a.anchor] != p.path.name:
            problems.append(f"{where}: #{a.anchor} belongs to {MISTAKES[a.anchor]}")
        if a.anchor in seen:
            problems.append(f"{where}: #{a.anchor} already used at {seen[a.anchor]}")
        seen[a.anchor] = where
        linked = [q for q in DOCS.rglob("*.md") if q != p.path
                  and f"#{a.anchor}" in q.read_text(encoding="utf-8")]
        if not linked:
            problems.append(f"{where}: nothing else in the book links to #{a.anchor}")
    print(f"{len(boxes)} common-mistake boxes: "
          + "; ".join(f"{p.path.name}: {a.title}" for p, a in boxes))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_python_lines_fit_in_79_characters(name: str) -> None:
    page = PAGES[name]
    long = [f"{_where(page, f.line + 1 + i)}: {len(ln)} characters: {ln.strip()[:60]}"
            for f in page.fences if f.lang in ("python", "py") and not f.included
            for i, ln in enumerate(f.lines) if len(ln) > MAX_LINE]
    assert not long, f"{len(long)} python line(s) over {MAX_LINE} characters:\n" + "\n".join(long)


@pytest.mark.parametrize("md", [p.relative_to(DOCS).as_posix() for p in SHOWN])
def test_shown_code_and_output_lines_fit(built_site: Site, md: str) -> None:
    """What a built page shows in a <pre>: code (engine listings included) and printed output."""
    html = built_page(built_site.dir, DOCS / md)
    assert html.is_file(), f"{md} was not built"
    long = []
    for kind, text in pre_blocks(html):
        for ln in text.splitlines():
            ln = ln.rstrip()
            if len(ln) > MAX_LINE:
                long.append(f"{kind}, {len(ln)} characters: {ln[:70]}")
    assert not long, (f"docs/{md}: {len(long)} line(s) over {MAX_LINE} characters on the built "
                      "page:\n" + "\n".join(long))


def test_book_stats_table() -> None:
    """Not a check: the per-chapter table of tests/book_stats.py, for the record."""
    rows = [stats(PAGES[name]) for name in sorted(PAGES)]
    print(table(rows))
    total = {key: sum(int(r[key]) for r in rows)
             for key in ("visible mentions", "mistake boxes", "exercises", "checked answers")}
    summaries = sum(r["summary"] == "y" for r in rows)
    longest = max(int(r["longest code line"]) for r in rows)
    SUMMARY.append(
        f"book: {len(rows)} chapters, {total['visible mentions']} visible mention(s) of the "
        f"notes, {total['mistake boxes']} common-mistake box(es), {total['exercises']} exercises "
        f"({total['checked answers']} with a checking block), {summaries} summaries, longest "
        f"python line {longest}")
    assert re.match(r"\| chapter", table(rows))


def test_the_detectors_on_known_text(tmp_path) -> None:
    """The mention and structure detectors on a page whose answers are known."""
    from book_stats import code_text, mentions_in, visible_prose

    for text in ("the seed wrote", "in seed 004", "the seed's sketch", "erratum 000-3",
                 "at L154", "the notes say", "as written in the note"):
        assert mentions_in(visible_prose(text)), text
    for text in ("a random seed", "the same shuffling seed", "with `seed=1`", "seed_sketch",
                 "[errata](../appendix/errata.md#seed-002)", "## Errata { #seed-000 }",
                 "note that the sum", "Note the shapes", "L1 and L2 penalties"):
        assert not mentions_in(visible_prose(text)), text
    assert mentions_in(code_text('x = 1  # seed 004: from i to j\nprint("the seed\'s form")'))
    assert not mentions_in(code_text("net = nb.Network([2, 1], seed=1)\nrng = rng(seed)"))

    md = tmp_path / "03-example.md"
    md.write_text("""# Example

A sentence about the seed.

??? note "Where this chapter's material came from"
    It grew from the notes.

## Summary { #summary }

!!! question "Exercise 3.1 (by hand)"
    What is 1 + 1?

??? success "Answer 3.1"
    Two.

    ```python exec="1" source="block" result="text" id="ch03-ex1"
    answer = 1 + 1  # seed 004
    assert answer == 2
    print(answer)
    ```

<a id="mistake-relu-at-0"></a>

!!! warning "Common mistake: the derivative of ReLU at 0"
    Text.
""", encoding="utf-8")
    page = parse(md)
    assert [m for _, m in page.visible_mentions] == ["seed"]        # collapsed ones do not count
    assert [(a.title, a.mentions) for a in pointers(page)] == [
        (POINTER_TITLE, ["the notes"]), ("Answer 3.1", ["seed"])]
    (e,) = exercises(page)
    assert (e.k, e.how, e.answer.title, e.checked) == (1, "by hand", "Answer 3.1", True)
    (box,) = mistake_boxes(page)
    assert box.anchor == "mistake-relu-at-0"


def _figure_blocks() -> dict[str, str]:
    """Executed blocks that draw a figure (html="1", a -fig id or a *_svg call): id -> page."""
    out = {}
    for path in [DOCS / "index.md", *CHAPTERS]:
        for f in parse(path).fences:
            fid = f.options.get("id", "")
            code = "\n".join(f.lines)
            if f.options.get("html") == "1" and ("fig" in fid or "_svg(" in code):
                out[fid] = path.relative_to(DOCS).as_posix()
    return out


def test_figure_inventory_is_complete() -> None:
    """docs/appendix/figures.md names the block id of every figure, and only ids that exist."""
    inventory = (DOCS / "appendix" / "figures.md").read_text(encoding="utf-8")
    figures = _figure_blocks()
    missing = [f"{fid} ({page})" for fid, page in sorted(figures.items())
               if f"`{fid}`" not in inventory]
    all_ids = {f.options.get("id") for p in DOCS.rglob("*.md") for f in parse(p).fences}
    listed = re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", inventory)
    stale = sorted({i for i in listed if i not in all_ids and not i.startswith("seed-")})
    assert not missing, "figures missing from the inventory: " + ", ".join(missing)
    assert not stale, "the inventory names blocks that do not exist: " + ", ".join(stale)
