// Draws the report's figures from the JSON in #figure-data with the inlined plotly.js.
// No network access: the page's Content-Security-Policy forbids it.
(function () {
  "use strict";
  var holder = document.getElementById("figure-data");
  var figures = holder ? JSON.parse(holder.textContent || "{}") : {};
  var config = { displaylogo: false, responsive: true,
                 modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };
  var ids = Object.keys(figures);
  var narrow = window.innerWidth < 600;
  if (ids.length && typeof Plotly === "undefined") {
    document.documentElement.setAttribute("data-charts", "unavailable");
    return;
  }
  var pending = ids.map(function (id) {
    var el = document.getElementById(id);
    if (!el) { return Promise.resolve(); }
    var fig = figures[id];
    if (narrow && fig.layout.showlegend) {
      // a phone: room below the axis title for the legend
      fig.layout.margin = Object.assign({}, fig.layout.margin, { b: 120 });
      fig.layout.legend = Object.assign({}, fig.layout.legend, { y: -0.2 - 90 / (fig.layout.height || 320) });
      fig.layout.height = (fig.layout.height || 320) + 60;
    }
    return Plotly.newPlot(el, fig.data, fig.layout, config);
  });
  Promise.all(pending).then(function () {
    document.documentElement.setAttribute("data-charts", "ready");
  });
  function resizeAll() {
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.data) { Plotly.Plots.resize(el); }
    });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  // headless printing (page.pdf, some print dialogs) switches to print media without beforeprint
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    if (printing.addEventListener) { printing.addEventListener("change", resizeAll); }
  }
})();
