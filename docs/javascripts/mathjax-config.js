// MathJax 3 configuration for nnbook (loaded before the self-hosted javascripts/mathjax/tex-chtml.js).
//
// * Markdown pages: pymdownx.arithmatex (generic) wraps math in .arithmatex as \( \) and \[ \].
// * Notebook pages: mkdocs-jupyter renders markdown cells as .jp-RenderedMarkdown with raw $ and $$.
// Only those two classes are typeset. ignoreHtmlClass ".+" ignores every *classed* element (code,
// navigation, ...) while the unclassed <p>, <li> inside a notebook's markdown cell stay processed.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown",
    // Formulas are not Tab stops: a keyboard user would otherwise pass every equation of a page
    // (hundreds) on the way to a link or the stepper. Screen readers still read each formula
    // through MathJax's hidden assistive MathML.
    menuOptions: {settings: {inTabOrder: false}},
  },
  // Fonts and autoloaded TeX packages are fetched relative to tex-chtml.js (self-hosted by the hook).
};

// Instant navigation (navigation.instant) swaps page content without a reload; Material announces
// each new page on document$. The first emission is the initial load, which MathJax's own start-up
// typesets: re-typesetting it too races start-up (blank glyphs, red autoload errors), so skip it.
// Later pages are typeset after start-up has finished, by chaining on MathJax.startup.promise.
let nnbookFirstPage = true;
document$.subscribe(() => {
  if (nnbookFirstPage) {
    nnbookFirstPage = false;
    return;
  }
  MathJax.startup.promise = MathJax.startup.promise.then(() => {
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  });
});
