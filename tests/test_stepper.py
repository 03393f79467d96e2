"""The Ch. 6 stepper in Chromium: every number it shows is the engine's.

The expected numbers are recomputed here with nnbook (forward, backward, step on a copy, cost), not
read back from the JSON the page embeds. At every step the test reads what a reader sees: the
value next to the step's name, the numbers of the visible formula (from MathJax's assistive
MathML, the typeset formula's own structure: index and exponent digits excluded, a leading minus
sign kept) and every number visible on the graph; it compares each with the engine's value
rounded as the page rounds it: the value on top to six significant digits (trailing zeros kept),
a formula's factors likewise (a given number such as 0.35 as it is), a formula's result to four,
every graph number to four. It also redoes each formula's arithmetic from the numbers it shows and
checks that they give its shown result (the chapter's rule: the factors as shown, the result to
four digits), checks the update step's graph (the new weights on the edges, the new forward pass
and cost on the nodes, the old gradients hidden; back at the step before, the old numbers again),
and that a backward step's highlighted edges show the gradient's arrow, pointing up.

It steps through all steps with the Next button and again with the arrow keys, checks that the
live region says something new at each step, and does it again after arriving on the chapter by
instant navigation (a nav link clicked, no reload) and in the dark scheme. Zero mismatches, no
console error, no request leaving 127.0.0.1.

Skips without Playwright or Chromium, exactly like tests/test_browser.py (fails under CI=true).
"""

from __future__ import annotations

import numpy as np
from conftest import SUMMARY, Site
from test_browser import CHROMIUM_ARGS, WINDOW, Watch, _require_browser, served  # noqa: F401

import nnbook as nb
from nnbook.diagrams import format_number

PAGE = "chapters/06-network-221/"
FROM_PAGE = "chapters/05-single-neuron/"
LEARNING_RATE = 0.5  # the chapter's block ch06-stepper


def _engine() -> dict[str, float]:
    """The chapter's example through the engine: every quantity by name."""
    x, y = np.array([[0.35], [0.90]]), np.array([[0.5]])
    W1 = np.array([[0.1, 0.4], [0.8, 0.6]])
    W2 = np.array([[0.3, 0.9]])
    net = nb.Network.from_parameters({1: W1, 2: W2}, {1: np.zeros((2, 1)), 2: np.zeros((1, 1))},
                                     "sigmoid", loss="mse")
    cache = net.forward(x)
    grads = net.backward(cache, y)
    after = net.copy()
    after.step(grads, LEARNING_RATE)
    new = after.forward(x)
    Z, A = cache.Z, cache.A
    e = {"y": 0.5, "alpha": LEARNING_RATE, "two": 2.0, "J": net.cost(x, y), "dJ": 1.0,
         "J_new": after.cost(x, y), "z2": Z[2][0, 0], "yhat": A[2][0, 0],
         "g2": nb.sigmoid_derivative(Z[2])[0, 0], "dyhat": nb.mse_derivative(A[2], y)[0, 0],
         "dz2": grads.dZ[2][0, 0], "db2": grads.db[2][0, 0], "b2_new": after.b[2][0, 0],
         "z2_new": new.Z[2][0, 0], "yhat_new": new.A[2][0, 0]}
    dx = W1.T @ grads.dZ[1]
    for j in (1, 2):
        e |= {f"x_{j}": x[j - 1, 0], f"dx_{j}": dx[j - 1, 0], f"z1_{j}": Z[1][j - 1, 0],
              f"a1_{j}": A[1][j - 1, 0], f"g1_{j}": nb.sigmoid_derivative(Z[1])[j - 1, 0],
              f"da1_{j}": grads.dA[1][j - 1, 0], f"dz1_{j}": grads.dZ[1][j - 1, 0],
              f"db1_{j}": grads.db[1][j - 1, 0], f"b1_{j}_new": after.b[1][j - 1, 0],
              f"W2_1{j}": W2[0, j - 1], f"dW2_1{j}": grads.dW[2][0, j - 1],
              f"W2_1{j}_new": after.W[2][0, j - 1], f"z1_{j}_new": new.Z[1][j - 1, 0],
              f"a1_{j}_new": new.A[1][j - 1, 0]}
        for k in (1, 2):
            e |= {f"W1_{j}{k}": W1[j - 1, k - 1], f"dW1_{j}{k}": grads.dW[1][j - 1, k - 1],
                  f"W1_{j}{k}_new": after.W[1][j - 1, k - 1]}
    return {key: float(v) for key, v in e.items()}


def _plan() -> list[dict]:
    """What each step must show: its result, the numbers of its formula in reading order, and
    the graph numbers (data-q) visible once it is done."""
    steps: list[dict] = []

    def add(phase, result, formula, reveal=(), rule=None):
        # rule: the result from the formula's numbers as shown (None: a copy, written as shown)
        steps.append({"phase": phase, "result": result, "formula": formula,
                      "reveal": list(reveal), "rule": rule})

    dot = ("dot", lambda s: s[0] * s[1] + s[2] * s[3])
    sigmoid = ("sigmoid", lambda s: 1 / (1 + np.exp(-s[0])))
    prod = ("product", lambda s: s[0] * s[1])
    for j in (1, 2):
        add("forward", f"z1_{j}", [f"W1_{j}1", "x_1", f"W1_{j}2", "x_2", f"z1_{j}"],
            [f"z1_{j}"], dot)
    for j in (1, 2):
        add("forward", f"a1_{j}", [f"z1_{j}", f"a1_{j}"], [f"a1_{j}"], sigmoid)
    add("forward", "z2", ["W2_11", "a1_1", "W2_12", "a1_2", "z2"], ["z2"], dot)
    add("forward", "yhat", ["z2", "yhat"], ["yhat"], sigmoid)
    add("forward", "J", ["yhat", "y", "J"], ["J"],          # (yhat - y)^2: 2 is an exponent
        ("square", lambda s: (s[0] - s[1]) ** 2))
    add("backward", "dJ", ["dJ"], ["dJ"])
    add("backward", "dyhat", ["two", "two", "yhat", "y", "dyhat"], ["dyhat", "e_dyhat"],
        ("2 (yhat - y)", lambda s: s[1] * (s[2] - s[3])))    # the symbolic 2(...), then 2 x (...)
    add("backward", "dz2", ["dyhat", "g2", "dz2"], ["dz2", "e_g2"], prod)
    for j in (1, 2):
        add("backward", f"dW2_1{j}", ["dz2", f"a1_{j}", f"dW2_1{j}"], rule=prod)
    add("backward", "db2", ["db2"])
    for j in (1, 2):
        add("backward", f"da1_{j}", [f"W2_1{j}", "dz2", f"da1_{j}"], [f"da1_{j}"], prod)
    for j in (1, 2):
        add("backward", f"dz1_{j}", [f"da1_{j}", f"g1_{j}", f"dz1_{j}"],
            [f"dz1_{j}", f"e_g1_{j}"], prod)
    for j in (1, 2):
        for k in (1, 2):
            add("backward", f"dW1_{j}{k}", [f"dz1_{j}", f"x_{k}", f"dW1_{j}{k}"], rule=prod)
    for j in (1, 2):
        add("backward", f"db1_{j}", [f"db1_{j}"])
    add("update", "J_new", ["alpha", "W1_11_new", "W1_12_new", "W1_21_new", "W1_22_new",
                            "b1_1_new", "b1_2_new", "W2_11_new", "W2_12_new", "b2_new", "J",
                            "J_new"], rule=("update", None))
    return steps


# The graph at the update step: these numbers show their value after the step, and the backward
# numbers (the old parameters' gradients) are hidden.
AFTER = ["z1_1", "z1_2", "a1_1", "a1_2", "z2", "yhat", "J", "e_W1_11", "e_W1_12", "e_W1_21",
         "e_W1_22", "e_W2_11", "e_W2_12"]
OLD_GRADIENTS = ["dJ", "dyhat", "dz2", "da1_1", "da1_2", "dz1_1", "dz1_2", "e_dyhat", "e_g2",
                 "e_g1_1", "e_g1_2"]


KNOWN = ["x_1", "x_2", "y", "e_W1_11", "e_W1_12", "e_W1_21", "e_W1_22", "e_W2_11", "e_W2_12"]

# What the reader sees at the current step: the counter, the value, the live region, the numbers
# of the visible formula (assistive MathML: <mn> not in a script position, with a unary minus),
# the visible graph numbers, and how many graph elements are highlighted.
READ_JS = r"""
() => {
  const root = document.querySelector("[data-nnbook-stepper] .nnbook-stepper__ui");
  const formulas = [...root.querySelectorAll(".nnbook-stepper__formula")];
  const visible = formulas.filter(f => getComputedStyle(f).visibility === "visible");
  const numbers = [];
  let typeset = false;
  if (visible.length === 1) {
    const math = visible[0].querySelector("mjx-assistive-mml math");
    typeset = !!math;
    const scripts = /^(msub|msup|msubsup|munder|mover|munderover)$/;
    const inScript = el => {
      for (let n = el; n && n !== math; n = n.parentElement) {
        const p = n.parentElement;
        if (p && scripts.test(p.localName) && p.firstElementChild !== n) return true;
      }
      return false;
    };
    for (const mn of (math ? math.querySelectorAll("mn") : [])) {
      if (inScript(mn)) continue;
      let text = mn.textContent.trim();
      const prev = mn.previousElementSibling;
      if (prev && prev.localName === "mo" && /^[\u2212-]$/.test(prev.textContent.trim())) {
        const before = prev.previousElementSibling;
        if (!before || before.localName === "mo") text = "-" + text;   // a unary minus
      }
      numbers.push(text);
    }
  }
  const svg = root.querySelector("svg");
  const graph = [...svg.querySelectorAll("[data-q]")]
    .filter(t => getComputedStyle(t).visibility === "visible")
    .map(t => [t.dataset.q, t.textContent.trim()]);
  // the highlighted edges: is the backward arrow shown, is the forward arrow shown, and does the
  // shown arrow's tip (the first point of its head) lie above its tail (pointing up the graph)
  const edges = [...svg.querySelectorAll("[data-edge].is-current")].map(g => {
    const back = g.querySelector(":scope > .nnbook-back");
    const backShown = !!back && getComputedStyle(back).display !== "none";
    const fwd = [...g.querySelectorAll(":scope > path")];
    const fwdShown = fwd.some(p => getComputedStyle(p).visibility === "visible");
    let up = null;
    if (backShown) {
      const [line, head] = back.querySelectorAll("path");
      const y = p => parseFloat(p.getAttribute("d").split(",")[1]);
      up = y(head) < y(line);
    }
    return {backShown, fwdShown, up};
  });
  return {
    edges,
    k: root.querySelector("[data-stepper-k]").textContent.trim(),
    value: root.querySelector("[data-stepper-number]").textContent.trim(),
    live: root.querySelector("[aria-live]").textContent.trim(),
    visibleFormulas: visible.length, typeset, numbers, graph,
    highlighted: svg.querySelectorAll(".is-current").length,
    hidden: root.hidden,
  };
}
"""


def _six(value: float) -> str:
    """Six significant digits with trailing zeros kept; a number they hold (to 1e-12) as it is."""
    short = format_number(value, 6).replace("\u2212", "-")
    if abs(float(short) - value) <= 1e-12 * abs(value):
        return short
    text = f"{value:#.6g}"
    return text.rstrip(".")


def _four(value: float) -> str:
    return format_number(value, 4).replace("\u2212", "-")


class Checker:
    """Compares what the page shows at each step with the engine; counts and collects."""

    def __init__(self) -> None:
        self.engine = _engine()
        self.plan = _plan()
        self.steps = 0
        self.numbers = 0
        self.clicks = 0
        self.keys = 0
        self.mismatches: list[str] = []
        self.formulas = 0          # formulas whose arithmetic was redone from the shown numbers
        self.after_update = 0      # graph numbers compared with the engine after the step
        self.back_arrows = 0       # highlighted edges of backward steps with the arrow up

    def check(self, where: str, k: int, seen: dict, last_live: str | None) -> None:
        plan, e, bad = self.plan[k - 1], self.engine, self.mismatches.append
        self.steps += 1
        tag = f"{where}, step {k}"
        if seen["hidden"]:
            bad(f"{tag}: the stepper is still hidden (script not run)")
        if seen["k"] != str(k):
            bad(f"{tag}: the counter says {seen['k']}")
        if not seen["live"] or seen["live"] == last_live:
            bad(f"{tag}: the live region did not change ({seen['live']!r})")
        if f"Step {k} of {len(self.plan)}" not in seen["live"]:
            bad(f"{tag}: the live region does not name the step: {seen['live']!r}")
        if seen["highlighted"] < 1:
            bad(f"{tag}: nothing highlighted on the graph")
        # the value
        self.numbers += 1
        if seen["value"].replace("\u2212", "-") != _six(e[plan["result"]]):
            bad(f"{tag}: value {seen['value']!r}, engine {plan['result']} = {e[plan['result']]!r}")
        # the formula
        if seen["visibleFormulas"] != 1 or not seen["typeset"]:
            bad(f"{tag}: {seen['visibleFormulas']} formulas visible, typeset: {seen['typeset']}")
        want = [_six(e[q]) for q in plan["formula"]]
        if plan["rule"] is not None:       # arithmetic: the result (update: every new number)
            want[-1] = _four(e[plan["result"]])
        if plan["phase"] == "update":
            want[1:] = [_four(e[q]) for q in plan["formula"][1:]]
        if len(seen["numbers"]) != len(want):
            bad(f"{tag}: the formula shows {seen['numbers']}, expected {want}")
        # a length mismatch is reported above; compare what both have
        for got, exp, q in zip(seen["numbers"], want, plan["formula"], strict=False):
            self.numbers += 1
            if got != exp:
                bad(f"{tag}: the formula shows {q} as {got}, the engine's value is {exp}")
        self._arithmetic(tag, plan, seen["numbers"])
        # the graph: exactly the numbers computed so far, each the engine's at four digits (at the
        # update: after the step, the old gradients hidden)
        revealed = set(KNOWN).union(*(s["reveal"] for s in self.plan[:k]))
        update = plan["phase"] == "update"
        if update:
            revealed -= set(OLD_GRADIENTS)
        shown = dict(seen["graph"])
        if set(shown) != revealed:
            bad(f"{tag}: graph shows {sorted(set(shown) ^ revealed)} wrongly (visible/hidden)")
        for q, text in shown.items():
            self.numbers += 1
            number = text.rsplit(" ", 1)[-1].lstrip("\u00d7")
            key = q.removeprefix("e_") + ("_new" if update and q in AFTER else "")
            exp = format_number(e[key])
            self.after_update += update and q in AFTER
            if number != exp:
                bad(f"{tag}: the graph shows {q} as {text!r}, the engine's {key} is {exp}")
        # the highlighted edges: on a backward step the gradient's arrow, pointing up, instead
        # of the forward one; on other steps the forward arrow only
        for edge in seen["edges"]:
            if plan["phase"] == "backward":
                if not edge["backShown"] or edge["fwdShown"] or not edge["up"]:
                    bad(f"{tag}: a highlighted edge shows {edge} (want the backward arrow, up)")
                else:
                    self.back_arrows += 1
            elif edge["backShown"] or not edge["fwdShown"]:
                bad(f"{tag}: a highlighted edge shows {edge} (want the forward arrow)")

    def _arithmetic(self, tag: str, plan: dict, numbers: list[str]) -> None:
        """Redo the formula's arithmetic from the numbers it shows: the result, rounded to four
        digits, must be the shown result (a copy: the same text); the update's new parameters
        from the values the earlier steps showed."""
        bad = self.mismatches.append
        if len(numbers) != len(plan["formula"]):
            return                                           # reported by check()
        try:
            vals = [float(t) for t in numbers]
        except ValueError:
            bad(f"{tag}: the formula shows {numbers}, not numbers")
            return
        if plan["rule"] is None:                             # db = delta, dJ/dJ = 1
            return
        name, rule = plan["rule"]
        self.formulas += 1
        if name == "update":
            alpha = vals[0]
            for q, text in zip(plan["formula"][1:10], numbers[1:10], strict=True):
                old = q.removesuffix("_new")
                w = self.engine.get(old, 0.0)                # the biases start at zero
                again = _four(w - alpha * float(_six(self.engine["d" + old])))
                if again != text:
                    bad(f"{tag}: {q} shown {text}, {w} - {alpha} x (shown d{old}) gives {again}")
            return
        again = _four(rule(vals[:-1]))
        if again != numbers[-1]:
            bad(f"{tag}: the formula ({name}) of {numbers[:-1]} gives {again}, "
                f"it shows {numbers[-1]}")


def _walk(page, checker: Checker, where: str, how: str) -> int:
    """Go through every step with the Next button ("next") or the arrow keys ("keys"), checking
    each; returns the number of steps taken."""
    n = len(checker.plan)
    ui = page.locator("[data-nnbook-stepper] .nnbook-stepper__ui")
    if how == "keys":
        ui.focus()
        page.keyboard.press("End")
        page.keyboard.press("Home")
        checker.keys += 2
    seen = page.evaluate(READ_JS)
    if seen["k"] != "1":
        checker.mismatches.append(f"{where}: starts at step {seen['k']}, not 1")
    checker.check(where, 1, seen, None)
    for k in range(2, n + 1):
        last = seen["live"]
        if how == "next":
            page.click("[data-nnbook-stepper] [data-stepper-action=next]")
            checker.clicks += 1
        else:
            page.keyboard.press("ArrowRight")
            checker.keys += 1
        seen = page.evaluate(READ_JS)
        checker.check(f"{where} ({how})", k, seen, last)
    # at the end, Next does nothing; Left goes back one step, End forward again, Start to 1
    if how == "keys":
        page.keyboard.press("ArrowRight")
        if page.evaluate(READ_JS)["k"] != str(n):
            checker.mismatches.append(f"{where}: ArrowRight went past the last step")
        page.keyboard.press("ArrowLeft")
        seen = page.evaluate(READ_JS)
        checker.check(f"{where} (ArrowLeft)", n - 1, seen, None)
        page.keyboard.press("End")
        checker.keys += 3
        checker.check(f"{where} (End)", n, page.evaluate(READ_JS), seen["live"])
    else:
        page.click("[data-nnbook-stepper] [data-stepper-action=start]")
        checker.clicks += 1
        checker.check(f"{where} (Start)", 1, page.evaluate(READ_JS), seen["live"])
    return n


def _ready(page) -> None:
    """The stepper set up and every formula typeset."""
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-nnbook-stepper]');"
        " return s && s.dataset.stepperReady && !s.querySelector('.nnbook-stepper__ui').hidden"
        " && s.querySelectorAll('.nnbook-stepper__formula mjx-container').length ==="
        " s.querySelectorAll('.nnbook-stepper__formula').length; }", timeout=20000)
    page.evaluate("async () => { await MathJax.startup.promise; }")


def test_stepper_shows_the_engines_numbers(served: Site) -> None:  # noqa: F811
    sync_playwright, chromium = _require_browser()
    checker = Checker()
    watch = Watch(served)
    problems: list[str] = []
    walks = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            context = browser.new_context(**WINDOW, color_scheme=scheme)
            context.route("**/*", watch.route)
            page = context.new_page()
            watch.attach(page)

            # 1. a page load: Next button, then the keys
            watch.page = f"{PAGE} ({scheme})"
            page.goto(served.url + PAGE, wait_until="load")
            _ready(page)
            shown_scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            if shown_scheme != ("slate" if scheme == "dark" else "default"):
                problems.append(f"{scheme}: the page uses the {shown_scheme!r} scheme")
            for how in ("next", "keys"):
                walks.append(_walk(page, checker, f"load, {scheme}", how))

            # 2. arriving by instant navigation: from another chapter, a nav link, no reload
            watch.page = f"{FROM_PAGE} -> {PAGE} ({scheme})"
            page.goto(served.url + FROM_PAGE, wait_until="load")
            page.evaluate("() => { window.__nnbookNoReload = true; }")
            link = page.locator(f'nav.md-nav--primary a.md-nav__link[href$="{PAGE}"]').first
            link.dispatch_event("click")
            page.wait_for_url(f"**/{PAGE}", timeout=15000)
            _ready(page)
            if not page.evaluate("() => window.__nnbookNoReload === true"):
                problems.append(f"{scheme}: the nav link reloaded the page (no instant navigation)")
            # set up once: one click on Next is one step
            for how in ("next", "keys"):
                walks.append(_walk(page, checker, f"instant navigation, {scheme}", how))
            context.close()
        browser.close()

    summary = (f"stepper: {len(walks)} walks through {len(checker.plan)} steps (Next button and "
               f"arrow keys; page load and instant navigation; light and dark): "
               f"{checker.clicks} button clicks, {checker.keys} key presses, "
               f"{checker.steps} steps checked, {checker.numbers} numbers compared with the "
               f"engine ({checker.after_update} of them the graph after the update), "
               f"{checker.formulas} formulas recomputed from their shown numbers, "
               f"{checker.back_arrows} backward arrows checked, "
               f"{len(checker.mismatches)} mismatches")
    SUMMARY.append(summary)
    print(summary)
    problems += checker.mismatches
    problems += [f"request to another host: {u}" for u in watch.blocked]
    problems += watch.failed + watch.console
    assert checker.steps >= 8 * len(checker.plan)
    assert checker.formulas >= 8 * 20 and checker.after_update >= 8 * 13 and checker.back_arrows
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])
