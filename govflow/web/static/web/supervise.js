// The supervisor's dashboard charts (ECharts, vendored). Each chart reads its labels,
// values and drill-down links from the data-chart attribute the server wrote; the same
// numbers are in the table beside it, which is what a screen reader and the keyboard use.
(function () {
  "use strict";

  function option(spec) {
    var base = { animation: false, aria: { enabled: true }, tooltip: {} };
    if (spec.kind === "pie") {
      base.tooltip.trigger = "item";
      base.legend = { bottom: 0 };
      base.series = [{
        type: "pie",
        radius: ["35%", "65%"],
        label: { formatter: "{b}：{c}" },
        data: spec.labels.map(function (label, i) { return { name: label, value: spec.values[i] }; })
      }];
      return base;
    }
    base.tooltip.trigger = "axis";
    base.grid = { left: 8, right: 24, top: 8, bottom: 8, containLabel: true };
    base.xAxis = { type: "value", minInterval: 1, name: spec.unit };
    base.yAxis = { type: "category", inverse: true, data: spec.labels };
    base.series = [{ type: "bar", barMaxWidth: 28, data: spec.values, label: { show: true, position: "right" } }];
    return base;
  }

  function draw(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var spec;
      try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
      var old = window.echarts.getInstanceByDom(el);
      if (old) { old.dispose(); }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec));
      chart.on("click", function (params) {
        var link = spec.links && spec.links[params.dataIndex];
        if (link) { window.location.href = link; }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.detail.elt || document); });
  window.addEventListener("resize", function () {
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  });
})();
