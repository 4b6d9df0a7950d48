// The little JavaScript the pages need; every decision stays on the server. It shows how many
// seats are ticked, counts a hold down to its expiry, and draws the dashboard's charts.
(function () {
  "use strict";

  function seatCounter(form) {
    var status = document.getElementById("chosen-count");
    var max = parseInt(form.dataset.maxSeats, 10);
    function update() {
      var chosen = Array.prototype.map.call(form.querySelectorAll(".seat-input:checked"), function (box) { return box.value; });
      if (!chosen.length) {
        status.textContent = "No seat chosen yet.";
      } else {
        status.textContent = chosen.length + " seat" + (chosen.length > 1 ? "s" : "") + " chosen: " + chosen.join(", ") +
          (chosen.length > max ? ". That is more than " + max + "; untick some." : ".");
      }
    }
    form.addEventListener("change", update);
    update();
  }

  function countdown(element) {
    var expiresAt = Date.parse(element.dataset.expiresAt);
    // Count from the server's clock, not the device's, which may be off by minutes.
    var offset = Date.parse(element.dataset.now) - Date.now();
    var left = element.querySelector(".countdown-left");
    var expired = document.querySelector(".countdown-expired");
    function tick() {
      var seconds = Math.max(0, Math.round((expiresAt - (Date.now() + offset)) / 1000));
      left.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
      if (seconds === 0) {
        // The server refuses a late confirmation anyway; the page stops offering one.
        expired.hidden = false;
        element.classList.add("is-expired");
        var actions = document.querySelector(".hold-actions");
        if (actions) { actions.hidden = true; }
        return;
      }
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  // One coach at a time: the picker shows the coach chosen (the server says which opens first).
  // Seats ticked in other coaches stay ticked, and all of them are sent.
  function coachPicker(select) {
    var coaches = document.querySelectorAll("fieldset.coach");
    function show() {
      coaches.forEach(function (coach) { coach.hidden = coach.id !== select.value; });
    }
    select.addEventListener("change", show);
    show();
  }

  // Swaps the From and To boxes' text: nothing is decided here, the search does that.
  function swapButton(button) {
    var ids = button.dataset.swap.split(" ");
    button.addEventListener("click", function () {
      var first = document.getElementById(ids[0]), second = document.getElementById(ids[1]);
      var text = first.value;
      first.value = second.value;
      second.value = text;
    });
  }

  // The chosen day in words, whatever order the browser's date box shows its numbers in.
  function dateWords(input) {
    var output = document.getElementById(input.dataset.dateWords);
    function update() {
      var day = input.value ? new Date(input.value + "T00:00:00") : null;
      output.textContent = day && !isNaN(day) ? day.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" }) : "";
    }
    input.addEventListener("input", update);
    update();
  }

  var PALETTE = ["#1f3a93", "#c0392b", "#1d6b2f", "#7a4b00"];

  // A bar chart of whole counts: `series` is [[label, field, colour], ...] read from each row.
  function countBars(rows, labelOf, series, horizontal) {
    var countAxis = { beginAtZero: true, ticks: { precision: 0 } };
    return {
      type: "bar",
      data: {
        labels: rows.map(labelOf),
        datasets: series.map(function (s) {
          return { label: s[0], data: rows.map(function (r) { return r[s[1]]; }), backgroundColor: s[2] };
        })
      },
      options: horizontal ? { indexAxis: "y", scales: { x: countAxis } } : { scales: { y: countAxis } }
    };
  }

  function drawCharts(data) {
    if (!window.Chart) { return; }
    var day = function (r) { return r.date.slice(5); };
    var charts = {
      bookings_by_day: function (rows) {
        return countBars(rows, day, [["Bookings", "bookings", PALETTE[0]], ["Seats sold", "seats_sold", PALETTE[2]]]);
      },
      by_class: function (rows) {
        return countBars(rows, function (r) { return r["class"]; },
          [["Seats sold", "seats_sold", PALETTE[2]], ["Bookings", "bookings", PALETTE[0]]]);
      },
      top_routes: function (rows) {
        return countBars(rows, function (r) { return r.source + " → " + r.destination; },
          [["Searches", "search_count", PALETTE[0]]], true);
      },
      latency_by_day: function (rows) {
        return {
          type: "line",
          data: {
            labels: rows.map(day),
            datasets: ["p50_ms", "p95_ms", "p99_ms"].map(function (key, i) {
              return { label: key.replace("_ms", ""), data: rows.map(function (r) { return r[key]; }), borderColor: PALETTE[i], backgroundColor: PALETTE[i], spanGaps: true };
            })
          },
          options: { scales: { y: { beginAtZero: true, title: { display: true, text: "ms" } } } }
        };
      }
    };
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var rows = data[canvas.dataset.chart];
      var config = charts[canvas.dataset.chart](rows);
      config.options.maintainAspectRatio = false;
      config.options.animation = false;
      canvas.chart = new window.Chart(canvas, config);
      canvas.dataset.drawn = String(rows.length);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-swap]").forEach(swapButton);
    document.querySelectorAll("[data-date-words]").forEach(dateWords);
    var seatForm = document.querySelector("form.seat-map");
    if (seatForm) { seatCounter(seatForm); }
    var picker = document.getElementById("coach-picker");
    if (picker) { coachPicker(picker); }
    var clock = document.querySelector(".countdown");
    if (clock) { countdown(clock); }
    var chartData = document.getElementById("chart-data");
    if (chartData) { drawCharts(JSON.parse(chartData.textContent)); }
  });
})();
