"""The shape of the book's chapters, read from their Markdown (and, if given, from the built site).

Run it for the table of the issue-9 closing note:

    uv run python tests/book_stats.py                  # from the Markdown alone
    uv run python tests/book_stats.py --site /tmp/site # plus the longest line of every <pre>

Per chapter: mentions of the source notes in the visible text (outside collapsed `???` blocks),
collapsed blocks that mention them, common-mistake boxes, exercises, answers with a checking block
(an executed block that asserts or raises), answers without any block, summary present, longest
line of a python fence. `tests/test_book_structure.py` turns the same facts into assertions.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tokenize
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHAPTERS = sorted((DOCS / "chapters").glob("[0-9][0-9]-*.md"))
MAX_LINE = 79

# The common-mistake boxes the book allows: anchor -> the chapter file that owns it.
MISTAKES = {
    "mistake-relu-at-0": "03-activations.md",
    "mistake-missing-1-over-m": "04-losses.md",
    "mistake-missing-2": "04-losses.md",
    "mistake-transpose": "07-two-layer-jacobians.md",
    "mistake-dz-1-over-m": "09-l-layer.md",
}
POINTER_TITLE = "Where this chapter's material came from"

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
ADMONITION = re.compile(
    r'^(?P<indent>[ \t]*)(?P<mark>!!!|\?\?\?\+?)[ \t]+(?P<type>[\w-]+)'
    r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)[ \t]*$")

# A mention of the source notes. "seed" also names a random generator's seed: those are allowed
# (`seed=1`, "random seed", "shuffling seed", "another seed", ...).
RNG_WORDS = (r"random|shuffling|shuffle|rng|generator|other|another|same|different|new|each|"
             r"fixed|integer|initial|initialisation|initialization|this|that|a|the\s+random")
MENTION = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<seed>seed(?:s|'s)?)(?![\w=(-])"   # seed, seeds, seed's (not seed=, seed_x, seed-002)
    r"|the\s+(?:source\s+)?notes?\b"      # the note, the notes, the source notes
    r"|source\s+notes?\b"
    r"|as\s+written\s+in\b"
    r"|00[0-4]-\d{1,2}(?!\d)"              # erratum codes: 000-3, 004-12
    r"|L\d{2,3}\b"                         # line numbers of the notes: L154
    r")",
    re.IGNORECASE,
)
RNG_BEFORE = re.compile(rf"(?:\b(?:{RNG_WORDS})\s+)$", re.IGNORECASE)


def mentions_in(text: str) -> list[str]:
    """The mentions of the source notes in a piece of visible text."""
    out = []
    for m in MENTION.finditer(text):
        if m.group("seed") and RNG_BEFORE.search(text[: m.start()]):
            continue
        out.append(m.group(0))
    return out


def visible_prose(line: str) -> str:
    """A Markdown line as the reader sees it: no inline code, link targets, anchors, HTML tags."""
    line = re.sub(r"`[^`]*`", " ", line)                      # inline code (identifiers, seed=)
    line = re.sub(r"\]\([^)]*\)", "]", line)                  # link targets (#seed-002)
    line = re.sub(r"\{[^}]*#[^}]*\}", " ", line)              # attribute lists { #seed-000 }
    line = re.sub(r"<[^>]+>", " ", line)                      # HTML tags (<a id=...>)
    return line


def code_text(code: str) -> str:
    """What a reader reads in Python code besides identifiers: comments and string literals."""
    parts: list[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in (tokenize.COMMENT, tokenize.STRING):
                parts.append(tok.string)
            elif tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
                parts.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        parts = [ln.split("#", 1)[1] for ln in code.splitlines() if "#" in ln]
    return "\n".join(parts)


@dataclass
class Fence:
    line: int                      # 1-based line of the opening fence
    info: str
    lines: list[str]               # the body, the fence's indentation removed
    collapsed: bool                # inside a collapsed ??? block
    admonition: Admonition | None  # the innermost admonition holding it

    @property
    def lang(self) -> str:
        return re.split(r"[\s{]", self.info.lstrip("{. "), maxsplit=1)[0].lower()

    @property
    def options(self) -> dict[str, str]:
        return dict(re.findall(r'([\w-]+)="([^"]*)"', self.info))

    @property
    def executed(self) -> bool:
        return self.lang == "python" and self.options.get("exec", "") in ("1", "true", "on", "yes")

    @property
    def included(self) -> bool:
        body = [ln.strip() for ln in self.lines if ln.strip()]
        return bool(body) and all(ln.startswith("--8<--") for ln in body)

    @property
    def checks(self) -> bool:
        """Would raise if an answer were wrong: it asserts or raises."""
        code = "\n".join(self.lines)
        return bool(re.search(r"^\s*assert\b|\braise\b", code, re.MULTILINE))


@dataclass
class Admonition:
    line: int
    indent: int
    mark: str                      # !!!, ??? (collapsed) or ???+ (open)
    type: str
    title: str
    collapsed_context: bool        # it, or a block around it, is collapsed
    parent: Admonition | None = None
    fences: list[Fence] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    anchor: str | None = None      # the mistake-... anchor right before it

    @property
    def collapsed(self) -> bool:
        return self.mark == "???"

    @property
    def top(self) -> Admonition:
        a = self
        while a.parent is not None:
            a = a.parent
        return a


@dataclass
class Page:
    path: Path
    headings: list[tuple[int, int, str]] = field(default_factory=list)   # (line, level, text)
    admonitions: list[Admonition] = field(default_factory=list)
    fences: list[Fence] = field(default_factory=list)
    visible_mentions: list[tuple[int, str]] = field(default_factory=list)
    anchors: dict[int, str] = field(default_factory=dict)                # line -> mistake anchor

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def number(self) -> int:
        return int(self.path.name[:2])


def parse(path: Path) -> Page:
    """Headings, admonitions (nested by indentation), fences and visible mentions of a page."""
    page = Page(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    stack: list[Admonition] = []
    last_anchor: tuple[int, str] | None = None
    i = 0
    while i < len(lines):
        raw = lines[i]
        lineno = i + 1
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip(" "))
        if stripped:
            while stack and indent <= stack[-1].indent:
                stack.pop()
        collapsed = any(a.collapsed for a in stack)
        fence = FENCE_OPEN.match(raw)
        if fence:
            marker = fence.group("fence")
            close = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                j += 1
            pad = fence.group("indent")
            body = [ln[len(pad):] if ln.startswith(pad) else ln.lstrip() for ln in lines[i + 1:j]]
            f = Fence(lineno, fence.group("info").strip(), body, collapsed,
                      stack[-1] if stack else None)
            page.fences.append(f)
            if stack:
                stack[-1].fences.append(f)
            if f.lang in ("python", "py") and not f.included:
                found = mentions_in(code_text("\n".join(body)))
                if collapsed:
                    stack[-1].top.mentions += found
                else:
                    page.visible_mentions += [(lineno, m) for m in found]
            i = j + 1
            last_anchor = None
            continue
        adm = ADMONITION.match(raw)
        if adm:
            a = Admonition(lineno, indent, adm.group("mark"), adm.group("type"),
                           adm.group("title") or "", collapsed,
                           parent=stack[-1] if stack else None)
            if last_anchor:
                a.anchor = last_anchor[1]
            page.admonitions.append(a)
            # the title is shown even when the block is collapsed
            found = mentions_in(visible_prose(a.title))
            if collapsed:
                stack[-1].top.mentions += found
            else:
                page.visible_mentions += [(lineno, m) for m in found]
            stack.append(a)
            last_anchor = None
            i += 1
            continue
        head = HEADING.match(raw) if indent == 0 else None
        if head:
            page.headings.append((lineno, len(head.group("hashes")), head.group("text")))
        anchor = re.search(r'id="(mistake-[\w-]+)"|\{[^}]*#(mistake-[\w-]+)[^}]*\}', raw)
        if anchor:
            last_anchor = (lineno, anchor.group(1) or anchor.group(2))
            page.anchors[lineno] = last_anchor[1]
        elif stripped:
            last_anchor = None
        found = mentions_in(visible_prose(raw))
        if found:
            if collapsed:
                stack[-1].top.mentions += found
            else:
                page.visible_mentions += [(lineno, m) for m in found]
        i += 1
    return page


# ------------------------------------------------------------------------------ chapter facts
EXERCISE = re.compile(r"^Exercise (?P<n>\d+)\.(?P<k>\d+) \((?P<how>by hand|code)\)$")
ANSWER = re.compile(r"^Answer (?P<n>\d+)\.(?P<k>\d+)$")


@dataclass
class Exercise:
    title: str
    line: int
    k: int | None
    how: str | None
    answer: Admonition | None

    @property
    def blocks(self) -> list[Fence]:
        return [f for f in self.answer.fences if f.executed] if self.answer else []

    @property
    def checked(self) -> bool:
        return bool(self.blocks) and all(f.checks for f in self.blocks)


def exercises(page: Page) -> list[Exercise]:
    """The `!!! question` boxes, each with the admonition that follows it (its answer, if any)."""
    top = [a for a in page.admonitions if a.parent is None]
    out = []
    for idx, a in enumerate(top):
        if a.type != "question":
            continue
        m = EXERCISE.match(a.title)
        nxt = top[idx + 1] if idx + 1 < len(top) else None
        answer = nxt if nxt is not None and nxt.title.startswith("Answer") else None
        out.append(Exercise(a.title, a.line, int(m.group("k")) if m else None,
                            m.group("how") if m else None, answer))
    return out


def mistake_boxes(page: Page) -> list[Admonition]:
    return [a for a in page.admonitions if a.title.lower().startswith("common mistake")]


def pointers(page: Page) -> list[Admonition]:
    """Collapsed blocks that point to the source notes: the titled pointer, or any mention."""
    return [a for a in page.admonitions
            if a.parent is None and a.collapsed and (a.title == POINTER_TITLE or a.mentions)]


def section_of(page: Page, line: int) -> str:
    """The text of the level-2 heading a line is under."""
    current = ""
    for hline, level, text in page.headings:
        if hline > line:
            break
        if level == 2:
            current = text
    return current


def h2(page: Page) -> list[str]:
    return [text for _, level, text in page.headings if level == 2]


def longest_fence_line(page: Page) -> tuple[int, int]:
    """(length, line number) of the longest line of a python fence (listings excluded)."""
    best = (0, 0)
    for f in page.fences:
        if f.lang in ("python", "py") and not f.included:
            for off, ln in enumerate(f.lines):
                best = max(best, (len(ln), f.line + 1 + off))
    return best


# ------------------------------------------------------------------------- the built site's <pre>
class PreText(HTMLParser):
    """The text of every <pre> of a page, each tagged output (inside div.result) or code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []      # (tag, opens a div.result)
        self.result_depth = 0
        self.pre_depth = 0
        self.buffer: list[str] = []
        self.blocks: list[tuple[str, str]] = []      # (kind, text)

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr", "source", "col"):
            return
        classes = (dict(attrs).get("class") or "").split()
        is_result = tag == "div" and "result" in classes
        self.stack.append((tag, is_result))
        self.result_depth += is_result
        if tag == "pre":
            self.pre_depth += 1
            if self.pre_depth == 1:
                self.buffer = []

    def handle_endtag(self, tag):
        while self.stack:
            t, is_result = self.stack.pop()
            self.result_depth -= is_result
            if t == "pre":
                self.pre_depth -= 1
                if self.pre_depth == 0:
                    kind = "output" if self.result_depth else "code"
                    self.blocks.append((kind, "".join(self.buffer)))
            if t == tag:
                break

    def handle_data(self, data):
        if self.pre_depth:
            self.buffer.append(data)


def pre_blocks(html_path: Path) -> list[tuple[str, str]]:
    """(kind, text) of every <pre> in a built page; kind is "output" or "code"."""
    parser = PreText()
    parser.feed(html_path.read_text(encoding="utf-8"))
    return parser.blocks


def longest_pre_lines(html_path: Path) -> dict[str, tuple[int, str]]:
    """The longest line of code and of output shown on a built page: kind -> (length, line)."""
    best: dict[str, tuple[int, str]] = {"code": (0, ""), "output": (0, "")}
    for kind, text in pre_blocks(html_path):
        for ln in text.splitlines():
            if len(ln.rstrip()) > best[kind][0]:
                best[kind] = (len(ln.rstrip()), ln.rstrip())
    return best


def built_page(site: Path, md: Path) -> Path:
    rel = md.relative_to(DOCS).with_suffix("")
    if rel.name == "index":
        return site / rel.parent / "index.html"
    return site / rel / "index.html"


# ------------------------------------------------------------------------------------ the table
def stats(page: Page, site: Path | None = None) -> dict[str, object]:
    ex = exercises(page)
    row: dict[str, object] = {
        "chapter": page.name.removesuffix(".md"),
        "visible mentions": len(page.visible_mentions),
        "collapsed pointers": len(pointers(page)),
        "mistake boxes": len(mistake_boxes(page)),
        "exercises": len(ex),
        "checked answers": sum(e.checked for e in ex),
        "answers w/o block": sum(not e.blocks for e in ex),
        "summary": "y" if any(t.startswith("Summary") for t in h2(page)) else "n",
        "longest code line": longest_fence_line(page)[0],
    }
    if site is not None:
        html = built_page(site, page.path)
        if html.is_file():
            best = longest_pre_lines(html)
            row["longest shown code"] = best["code"][0]
            row["longest output"] = best["output"][0]
        else:
            row["longest shown code"] = row["longest output"] = "-"
    return row


def table(rows: list[dict[str, object]]) -> str:
    cols = list(rows[0])
    width = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    out = ["| " + " | ".join(c.ljust(width[c]) for c in cols) + " |",
           "|" + "|".join("-" * (width[c] + 2) for c in cols) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(r[c]).ljust(width[c]) for c in cols) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, help="a built site, for the lines of every <pre>")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the mentions and boxes")
    args = ap.parse_args(argv)
    pages = [parse(p) for p in CHAPTERS]
    print(table([stats(p, args.site) for p in pages]))
    if args.verbose:
        for p in pages:
            for line, m in p.visible_mentions:
                print(f"docs/chapters/{p.name}:{line}: visible mention {m!r}")
            for a in pointers(p):
                print(f"docs/chapters/{p.name}:{a.line}: collapsed pointer {a.title!r} "
                      f"{a.mentions}")
            for a in mistake_boxes(p):
                print(f"docs/chapters/{p.name}:{a.line}: mistake box {a.title!r} "
                      f"anchor {a.anchor}")
            for e in exercises(p):
                if not e.checked:
                    state = "no block" if not e.blocks else "a block that does not assert"
                    print(f"docs/chapters/{p.name}:{e.line}: {e.title!r}: {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
