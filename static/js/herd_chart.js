/* The herd page's mortality chart: monthly deaths (bars) and the mortality rate (line).
 *
 * Reads the rows of livestock.selectors.mortality_by_month and the labels from two
 * json_script blocks, and draws them with the vendored Chart.js (no network needed).
 */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw() {
    var canvas = document.getElementById("mortality-chart");
    var rows = readJson("mortality-data");
    var labels = readJson("mortality-labels") || {};
    if (!canvas || !rows || typeof window.Chart === "undefined") {
      return;
    }
    var anyDeath = rows.some(function (r) { return r.deaths > 0; });
    var chart = new window.Chart(canvas, {
      data: {
        labels: rows.map(function (r) { return r.month; }),
        datasets: [
          {
            type: "bar",
            label: labels.deaths,
            data: rows.map(function (r) { return r.deaths; }),
            backgroundColor: "rgba(220, 38, 38, 0.55)",
            borderColor: "#dc2626",
            borderWidth: 1,
            borderRadius: 3,
            yAxisID: "deaths",
            order: 2
          },
          {
            type: "line",
            label: labels.rate,
            data: rows.map(function (r) { return r.rate; }),
            borderColor: "#0f766e",
            backgroundColor: "#0f766e",
            pointRadius: 3,
            // Monotone: a smoothed line that never dips below zero between two months.
            cubicInterpolationMode: "monotone",
            yAxisID: "rate",
            order: 1
          }
        ]
      },
      options: {
        // A chart that appears at once: inspectors print this page, and tests read it.
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          deaths: {
            type: "linear",
            position: "left",
            beginAtZero: true,
            suggestedMax: anyDeath ? undefined : 5,
            ticks: { precision: 0 },
            title: { display: true, text: labels.deaths }
          },
          rate: {
            type: "linear",
            position: "right",
            beginAtZero: true,
            suggestedMax: 5,
            grid: { drawOnChartArea: false },
            ticks: { callback: function (v) { return v + "%"; } },
            title: { display: true, text: labels.rate }
          }
        },
        plugins: {
          legend: { position: "bottom" },
          subtitle: { display: !anyDeath, text: labels.empty, color: "#64748b" },
          tooltip: {
            callbacks: {
              footer: function (items) {
                var row = rows[items[0].dataIndex];
                return labels.head + ": " + row.head;
              }
            }
          }
        }
      }
    });
    canvas.dataset.drawn = String(chart.data.labels.length);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
