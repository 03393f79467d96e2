// nnbook's stepper: walk through one training step of a network, a step at a time.
//
// The markup and every number come from nnbook.diagrams.stepper_221 at build time: the graph (each
// node a <g data-node>, each edge a <g data-edge>, each number a [data-q]), one pre-rendered
// formula per step (typeset by the site's MathJax with the rest of the page; this script only
// shows one of them), and the steps as JSON in the root's data-stepper-data attribute (not in an
// inline <script type="application/json">: Material's instant navigation re-creates inline
// scripts without their type and would run the JSON). This script computes nothing: it shows
// step k. On a backward step the highlighted edges show the gradient's way (an arrow pointing up,
// drawn by nnbook, shown by the style sheet). The page never scrolls by itself: on a phone the
// panel sits above the graph and says so.
//
// Controls: Start / Previous / Next / End, and the Left / Right / Home / End keys while the
// stepper has focus. An aria-live region says each step in words. Material's instant navigation
// swaps the page without a reload and announces it on document$: every stepper on the new page is
// set up then, once (data-stepper-ready guards against a second set-up).
(function () {
  "use strict";

  function setUp(root) {
    if (root.dataset.stepperReady) return;
    const ui = root.querySelector(".nnbook-stepper__ui");
    if (!ui || !root.dataset.stepperData) return;
    let data;
    try {
      data = JSON.parse(root.dataset.stepperData);
    } catch (err) {
      return;                                   // the list in words is all a reader gets
    }
    const steps = data.steps;
    const n = steps.length;
    if (!n) return;
    root.dataset.stepperReady = "1";

    const svg = ui.querySelector("svg");
    const find = sel => ui.querySelector(sel);
    const counter = find("[data-stepper-k]");
    const phase = find("[data-stepper-phase]");
    const name = find("[data-stepper-name]");
    const number = find("[data-stepper-number]");
    const live = find("[data-stepper-live]");
    const formulas = [...ui.querySelectorAll(".nnbook-stepper__formula")];
    const numbers = svg ? [...svg.querySelectorAll("[data-q]")] : [];
    // The graph's own text of each number: a step with "set" (the update) shows other text (the
    // numbers after the step, computed and checked by nnbook); every other step restores this.
    const original = new Map(numbers.map(el => [el, el.textContent]));
    const buttons = {};
    ui.querySelectorAll("[data-stepper-action]").forEach(b => {
      buttons[b.dataset.stepperAction] = b;
    });

    // revealedAt[q]: the first step whose value is shown on the graph (0: known from the start).
    const revealedAt = {};
    data.known.forEach(q => { revealedAt[q] = 0; });
    steps.forEach((s, i) => s.reveal.forEach(q => {
      if (!(q in revealedAt)) revealedAt[q] = i + 1;
    }));

    let k = 1;
    function show(next, announce) {
      k = Math.min(n, Math.max(1, next));
      const step = steps[k - 1];
      ui.dataset.phase = step.phase;
      counter.textContent = String(k);
      phase.textContent = step.title;
      name.innerHTML = step.name;               // built by nnbook at build time (sub/sup only)
      number.textContent = step.number;
      formulas.forEach(f => f.classList.toggle("is-current", f.dataset.step === String(k)));
      if (svg) {
        svg.querySelectorAll(".is-current").forEach(el => el.classList.remove("is-current"));
        step.nodes.forEach(q => {
          const el = svg.querySelector(`[data-node="${q}"]`);
          if (el) el.classList.add("is-current");
        });
        step.edges.forEach(q => {
          const el = svg.querySelector(`[data-edge="${q}"]`);
          if (el) el.classList.add("is-current");
        });
        const set = step.set || {};
        const hide = new Set(step.hide || []);
        numbers.forEach(el => {
          const q = el.dataset.q;
          const text = q in set ? set[q] : original.get(el);
          if (el.textContent !== text) el.textContent = text;
          const at = revealedAt[q];
          el.classList.toggle("is-pending", at === undefined || at > k || hide.has(q));
          el.classList.toggle("is-updated", q in set);
        });
      }
      const first = k === 1;
      const last = k === n;
      [["start", first], ["prev", first], ["next", last], ["end", last]].forEach(([a, off]) => {
        // aria-disabled, not disabled: a focused button keeps its focus at either end
        if (buttons[a]) buttons[a].setAttribute("aria-disabled", off ? "true" : "false");
      });
      if (announce) say(step);
    }

    // The live region: "Step k of n, phase." for screen readers only (the counter shows it), then
    // the sentence, which everyone sees.
    function say(step) {
      const where = document.createElement("span");
      where.className = "nnbook-stepper__sr";
      where.textContent = `Step ${k} of ${n}, ${step.title.toLowerCase()}. `;
      live.replaceChildren(where, document.createTextNode(step.say));
    }

    const go = {
      start: () => show(1, true),
      prev: () => show(k - 1, true),
      next: () => show(k + 1, true),
      end: () => show(n, true),
    };
    ui.addEventListener("click", event => {
      const button = event.target.closest("[data-stepper-action]");
      if (!button || !ui.contains(button)) return;
      if (button.getAttribute("aria-disabled") === "true") return;
      go[button.dataset.stepperAction]();
    });
    ui.addEventListener("keydown", event => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const action = {ArrowLeft: "prev", ArrowRight: "next", Home: "start", End: "end"}[event.key];
      if (!action) return;
      event.preventDefault();                   // no page scroll
      go[action]();
    });

    const text = root.querySelector(".nnbook-stepper__text");
    if (text) text.hidden = true;              // the controls replace the list in words
    ui.hidden = false;
    show(1, false);
    say(steps[0]);
  }

  function setUpAll() {
    document.querySelectorAll("[data-nnbook-stepper]").forEach(setUp);
  }

  if (typeof window.document$ !== "undefined" && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setUpAll);       // first load and every instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
