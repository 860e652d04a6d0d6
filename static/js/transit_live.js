/* The live map of the trucks on the road: polls the JSON feed and redraws markers and the list. */
(function () {
  "use strict";
  var T = window.transitMap;

  function start(element) {
    var config = T.readJson(element.dataset.journeyLive);
    var words = config.words || {};
    var map = T.make(element, config);
    var layer = L.featureGroup().addTo(map);
    var list = document.querySelector("[data-live-list]");
    var count = document.querySelector("[data-live-count]");
    var updated = document.querySelector("[data-live-updated]");
    var fitted = false;

    function tripUrl(id) { return config.tripUrl.replace(/0\/$/, id + "/"); }

    function severity(truck) {
      return truck.alerts.reduce(function (m, a) { return Math.max(m, a.severity); }, 0);
    }

    function row(truck) {
      var a = T.el("a", "list-group-item list-group-item-action journey-truck sev-" + severity(truck));
      a.href = tripUrl(truck.id);
      a.dataset.truck = truck.id;
      var top = T.el("div", "d-flex justify-content-between gap-2");
      top.appendChild(T.el("span", "fw-semibold", truck.plate + " · " + truck.number));
      top.appendChild(T.el("span", "small text-muted", truck.seenAt || words.noPosition));
      a.appendChild(top);
      a.appendChild(T.el("div", "small text-muted", truck.farm + " · " + truck.status + (truck.late ? " · " + words.late : "")));
      truck.alerts.forEach(function (alert) {
        a.appendChild(T.el("div", "small journey-alert-line sev-" + alert.severity, alert.kindLabel + ": " + alert.text));
      });
      return a;
    }

    function draw(trucks) {
      layer.clearLayers();
      list.querySelectorAll("[data-truck]").forEach(function (n) { n.remove(); });
      var empty = list.querySelector("[data-live-empty]");
      if (empty) { empty.hidden = trucks.length > 0; }
      count.textContent = String(trucks.length);
      trucks.forEach(function (truck) {
        list.appendChild(row(truck));
        if (truck.lat == null) { return; }
        var sev = severity(truck);
        var marker = L.marker([truck.lat, truck.lng], {
          icon: L.divIcon({ className: "journey-truck-icon sev-" + sev, html: "<i class='bi bi-truck'></i>", iconSize: [30, 30], iconAnchor: [15, 15] })
        });
        var box = T.el("div");
        box.appendChild(T.el("div", "fw-semibold", truck.plate + " · " + truck.number));
        box.appendChild(T.el("div", "small", words.lastSeen + " " + truck.seenAt));
        truck.alerts.forEach(function (alert) { box.appendChild(T.el("div", "small text-danger", alert.text)); });
        var link = T.el("a", "small", words.open + " →");
        link.href = tripUrl(truck.id);
        box.appendChild(link);
        marker.bindPopup(function () { return box; });
        layer.addLayer(marker);
      });
      if (!fitted && layer.getLayers().length) {
        var bounds = layer.getBounds();
        var places = config.places || {};
        if (places.warehouse) { bounds.extend(places.warehouse); }
        map.fitBounds(bounds.pad(0.3), { maxZoom: 12 });
        fitted = true;
      }
      updated.textContent = new Date().toLocaleTimeString();
    }

    function refresh() {
      fetch(config.liveUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { draw(data.trucks); } })
        .catch(function () { /* the next poll tries again */ });
    }
    refresh();
    window.setInterval(refresh, (config.refreshSeconds || 15) * 1000);
  }

  document.querySelectorAll("[data-journey-live]").forEach(start);
})();
