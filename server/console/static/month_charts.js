// The Month page's bar chart of counter means (Apache ECharts, served by this server),
// drawn from the numbers in the element's data attributes.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("means-chart");
    if (!el || !window.echarts) { return; }
    var names = JSON.parse(el.getAttribute("data-names"));
    var values = JSON.parse(el.getAttribute("data-values"));
    el.style.height = Math.max(160, names.length * 26 + 40) + "px";
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 5 },
      yAxis: { type: "category", data: names, inverse: true },
      series: [{
        type: "bar",
        data: values.map(function (v) { return { value: v, itemStyle: { color: v < 3.5 ? "#a4161a" : "#1c5d99" } }; }),
        label: { show: true, position: "right", formatter: function (p) { return p.value.toFixed(2); } }
      }]
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    draw();
    window.addEventListener("resize", function () {
      var el = document.getElementById("means-chart");
      var chart = el && window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  });
})();
