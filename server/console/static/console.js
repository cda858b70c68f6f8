// Live countdowns: every element with data-due (an ISO time) shows the time left, or how
// long it is overdue, and is marked overdue once past. Runs again after each htmx swap.
(function () {
  "use strict";
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    if (h >= 48) {
      var body = document.body;
      return Math.floor(h / 24) + body.getAttribute("data-days") + " " +
        (h % 24) + body.getAttribute("data-hours");
    }
    return h + ":" + two(m) + ":" + two(s % 60);
  }
  function tick() {
    var body = document.body, now = Date.now();
    var nodes = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i], due = Date.parse(el.getAttribute("data-countdown"));
      if (isNaN(due)) { continue; }
      var left = due - now;
      el.textContent = left >= 0
        ? span(left) + " " + body.getAttribute("data-left")
        : body.getAttribute("data-overdue") + " " + span(left);
      el.classList.toggle("overdue", left < 0);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
    document.body.addEventListener("htmx:afterSwap", tick);
  });
})();
