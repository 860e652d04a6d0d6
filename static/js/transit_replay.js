/* A trip's track replayed: the whole track drawn, a truck that plays along it, a scrub bar.
   Flagged points (out of order, impossible jumps) are shown as grey dots, never on the line. */
(function () {
  "use strict";
  var T = window.transitMap;
  var node = T.node;

  function start(element) {
    var config = T.readJson(element.dataset.journeyReplay);
    var words = config.words || {};
    var map = T.make(element, config);
    var play = document.querySelector("[data-replay-play]");
    var scrub = document.querySelector("[data-replay-scrub]");
    var clock = document.querySelector("[data-replay-time]");
    var speed = document.querySelector("[data-replay-speed]");
    var timer = null;

    fetch(config.trackUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var corridor = T.drawCorridor(map, data.corridor, words);
        var good = data.points.filter(function (p) { return !p[4]; });
        data.points.filter(function (p) { return p[4]; }).forEach(function (p) {
          L.circleMarker([p[1], p[2]], { radius: 4, color: "#64748b", weight: 1, fillOpacity: 0.6 })
            .bindTooltip(node(words.flagged + " (" + p[4] + ")")).addTo(map);
        });
        if (!good.length) {
          clock.textContent = words.noTrack;
          play.disabled = true;
          if (corridor) { map.fitBounds(corridor.getBounds().pad(0.1)); }
          return;
        }
        var line = L.polyline(good.map(function (p) { return [p[1], p[2]]; }), { color: "#1d4ed8", weight: 4, opacity: 0.8 }).addTo(map);
        var done = L.polyline([], { color: "#f97316", weight: 5 }).addTo(map);
        var truck = L.marker([good[0][1], good[0][2]], {
          icon: L.divIcon({ className: "journey-truck-icon sev-0", html: "<i class='bi bi-truck'></i>", iconSize: [30, 30], iconAnchor: [15, 15] })
        }).addTo(map);
        map.fitBounds((corridor ? corridor.getBounds().extend(line.getBounds()) : line.getBounds()).pad(0.1));
        scrub.max = String(good.length - 1);
        function show(i) {
          var p = good[i];
          truck.setLatLng([p[1], p[2]]);
          done.setLatLngs(good.slice(0, i + 1).map(function (q) { return [q[1], q[2]]; }));
          clock.textContent = new Date(p[0]).toLocaleString();
          speed.textContent = p[3] != null ? Math.round(p[3]) + " km/h" : "";
          scrub.value = String(i);
        }
        function stop() {
          window.clearInterval(timer);
          timer = null;
          play.querySelector("i").className = "bi bi-play-fill";
          play.querySelector("span").textContent = words.play;
        }
        play.addEventListener("click", function () {
          if (timer) { stop(); return; }
          var i = Number(scrub.value);
          if (i >= good.length - 1) { i = 0; }
          var step = Math.max(1, Math.round(good.length / 300));
          play.querySelector("i").className = "bi bi-pause-fill";
          play.querySelector("span").textContent = words.pause;
          timer = window.setInterval(function () {
            i = Math.min(good.length - 1, i + step);
            show(i);
            if (i >= good.length - 1) { stop(); }
          }, 50);
        });
        scrub.addEventListener("input", function () { show(Number(scrub.value)); });
        show(good.length - 1);
      })
      .catch(function () { clock.textContent = words.noTrack; });
  }

  document.querySelectorAll("[data-journey-replay]").forEach(start);
})();
