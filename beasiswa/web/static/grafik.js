// /anggaran: the what-if's chart drawn in the browser from the Vega-Lite spec in the figure's data-vega-spec
// (the same spec the command line renders to SVG), with tooltips on hover. Vega's expressions are interpreted
// (ast + vega-interpreter), never compiled with Function, so the page's CSP needs no 'unsafe-eval'; vega-embed's
// and vega-tooltip's own stylesheets are not injected (no inline style): app.css styles the tooltip.
// Should drawing fail, the server's SVG of the same chart takes its place.
(function () {
  "use strict";

  function fallback(box) {
    var img = document.createElement("img");
    img.className = "chart";
    img.src = box.getAttribute("data-fallback-src");
    img.alt = box.getAttribute("data-fallback-alt");
    box.replaceChildren(img);
  }

  function draw(box) {
    if (box.getAttribute("data-drawn")) return;
    box.setAttribute("data-drawn", "1");
    var spec, locale;
    try {
      spec = JSON.parse(box.getAttribute("data-vega-spec"));
      locale = JSON.parse(box.getAttribute("data-vega-locale"));
    } catch (e) {
      fallback(box);
      return;
    }
    if (typeof vegaEmbed !== "function" || typeof vegaInterpreter !== "object") {
      fallback(box);
      return;
    }
    vegaEmbed(box, spec, {
      ast: true,
      expr: vegaInterpreter.expressionInterpreter,
      actions: false,
      defaultStyle: false,
      renderer: "svg",
      formatLocale: locale,
      tooltip: { disableDefaultStyle: true, theme: "light" }
    }).catch(function () { fallback(box); });
  }

  function drawAll() {
    document.querySelectorAll("figure[data-vega-spec]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.addEventListener("htmx:afterSettle", drawAll);
})();
