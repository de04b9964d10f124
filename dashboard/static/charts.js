// Draws every figure of the page with plotly.js (served by Handoff) and follows a clicked point to the
// leads behind it. The figure documents are inert JSON in the page; this script is the only code run.
(function () {
  "use strict";
  var config = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "sendDataToCloud"],
  };

  function drillUrl(point) {
    var target = point && point.customdata;
    return typeof target === "string" && target.charAt(0) === "/" && target.charAt(1) !== "/" ? target : null;
  }

  function draw(source) {
    var element = document.getElementById(source.getAttribute("data-target"));
    if (!element) return;
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
      element.setAttribute("data-rendered", "true");
      element.on("plotly_click", function (event) {
        var url = drillUrl(event.points && event.points[0]);
        if (url) window.location.assign(url);
      });
    });
  }

  function start() {
    if (!window.Plotly) return;
    document.querySelectorAll("script.figure-data").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
