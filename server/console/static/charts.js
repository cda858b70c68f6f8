// Today's level chart (Apache ECharts, served by this server): drawn from the numbers in
// the element's data attributes, again after each htmx swap of the live panel.
(function () {
  "use strict";
  var COLORS = ["#a4161a", "#d9480f", "#868e96", "#2b8a3e", "#1b6b36"];
  function draw() {
    var el = document.getElementById("levels-chart");
    if (!el || !window.echarts) { return; }
    var values = JSON.parse(el.getAttribute("data-values"));
    var names = JSON.parse(el.getAttribute("data-names"));
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, inverse: true },
      series: [{
        type: "bar",
        data: values.map(function (v, i) { return { value: v, itemStyle: { color: COLORS[i] } }; }),
        label: { show: true, position: "right" }
      }]
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    draw();
    document.body.addEventListener("htmx:afterSwap", draw);
    window.addEventListener("resize", function () {
      var el = document.getElementById("levels-chart");
      var chart = el && window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  });
})();
