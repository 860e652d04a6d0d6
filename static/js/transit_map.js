/* Shared by the journey pages (transit_live.js, transit_replay.js, transit_corridor.js): a Leaflet
   map without a tile server (Guangdong's county outlines, shipped), the Qingshuihe warehouse and
   the Wenjindu port, and small DOM helpers. Text from the server is set with textContent only. */
(function () {
  "use strict";
  function readJson(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text != null) { node.textContent = String(text); }
    return node;
  }

  // Leaflet takes a tooltip's string as HTML: it is always given a node.
  function node(text) { return el("span", null, text); }

  function place(map, latlng, label, icon) {
    L.marker(latlng, {
      icon: L.divIcon({ className: "journey-place", html: "<i class='bi bi-" + icon + "'></i>", iconSize: [28, 28], iconAnchor: [14, 14] }),
      keyboard: false
    }).bindTooltip(node(label), { direction: "top" }).addTo(map);
  }

  function make(element, config) {
    var map = L.map(element, { zoomControl: true, minZoom: 5, maxZoom: 17 }).setView([22.75, 114.2], 10);
    map.createPane("outlines").style.zIndex = 250;
    if (config && config.outlines) { fetch(config.outlines).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
      if (!geo) { return; }
      L.geoJSON(geo, { pane: "outlines", interactive: false,
                       style: { color: "#cbd5e1", weight: 1, fillColor: "#f8fafc", fillOpacity: 1 } }).addTo(map);
    }).catch(function () { /* the track and the places still show */ }); }
    var places = (config && config.places) || {};
    var words = (config && config.words) || {};
    if (places.warehouse) { place(map, places.warehouse, words.warehouse || "", "building"); }
    if (places.port) { place(map, places.port, words.port || "", "flag-fill"); }
    return map;
  }

  function drawCorridor(map, corridor, words) {
    if (!corridor) { return null; }
    var group = L.featureGroup().addTo(map);
    L.geoJSON(corridor.polygon, { interactive: false,
      style: { color: "#16a34a", weight: 1, fillColor: "#22c55e", fillOpacity: 0.12 } }).addTo(group);
    L.geoJSON(corridor.route, { interactive: false,
      style: { color: "#15803d", weight: 2, dashArray: "6 6" } }).addTo(group)
      .bindTooltip(node((words && words.corridor) || ""));
    return group;
  }

  window.transitMap = { readJson: readJson, el: el, node: node, make: make, drawCorridor: drawCorridor };
})();
