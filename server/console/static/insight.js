// The counter/staff page's charts (Apache ECharts, served by this server), drawn from the
// numbers in each element's data attributes; the same numbers are in the tables beside.
(function () {
  "use strict";
  function data(el, name) { return JSON.parse(el.getAttribute("data-" + name)); }
  function init(el) {
    return window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
  }
  function trend(el) {
    var names = data(el, "names");
    init(el).setOption({
      animation: false,
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data(el, "labels") },
      yAxis: [{ type: "value", min: 1, max: 5 }, { type: "value", minInterval: 1 }],
      series: [
        { name: names[0], type: "line", data: data(el, "mean"), connectNulls: false, color: "#0b4f8a" },
        { name: names[1], type: "line", data: data(el, "prev-mean"), lineStyle: { type: "dashed" }, color: "#7b8794" },
        { name: names[2], type: "bar", yAxisIndex: 1, data: data(el, "count"), color: "#9ec5e8" },
        { name: names[3], type: "bar", yAxisIndex: 1, data: data(el, "prev-count"), color: "#d5dbe1" }
      ]
    });
  }
  function dims(el) {
    var series = data(el, "series");
    init(el).setOption({
      animation: false,
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 5 },
      yAxis: { type: "category", data: data(el, "names"), inverse: true },
      series: [
        { name: series[0], type: "bar", data: data(el, "values"), color: "#0b4f8a" },
        { name: series[1], type: "bar", data: data(el, "prev"), color: "#b0b8c1" }
      ]
    });
  }
  function heat(el) {
    var cells = data(el, "cells");
    var max = 1;
    cells.forEach(function (c) { if (c[2] > max) { max = c[2]; } });
    var hours = [];
    for (var h = 0; h < 24; h++) { hours.push(String(h)); }
    init(el).setOption({
      animation: false,
      tooltip: { formatter: function (p) { return p.value[2] + " · " + (p.value[3] === null ? "—" : p.value[3]); } },
      grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: hours },
      yAxis: { type: "category", data: data(el, "days"), inverse: true },
      visualMap: { min: 0, max: max, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: ["#eef4fa", "#0b4f8a"] } },
      series: [{ type: "heatmap", data: cells, encode: { x: 0, y: 1, value: 2 } }]
    });
  }
  function draw() {
    if (!window.echarts) { return; }
    var el = document.getElementById("trend-chart"); if (el) { trend(el); }
    el = document.getElementById("dims-chart"); if (el) { dims(el); }
    el = document.getElementById("heat-chart"); if (el) { heat(el); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    draw();
    window.addEventListener("resize", function () {
      ["trend-chart", "dims-chart", "heat-chart"].forEach(function (id) {
        var el = document.getElementById(id);
        var chart = el && window.echarts && window.echarts.getInstanceByDom(el);
        if (chart) { chart.resize(); }
      });
    });
  });
})();
