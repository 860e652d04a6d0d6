/* Disease zones on Leaflet maps, offline (shipped outlines, no tile server needed).

   - Pages of their own: every element with data-zone-map="<id of a json_script>" becomes a map of
     the zones (circles), the outbreaks and the farms around them; data-zone-picker does the same
     and lets a manager put an outbreak's point on the map (the new-report form).
   - Other maps (the farm map, the overview map): once django-leaflet has made them ("map:init"),
     the zones in the json_script "zones-data" are drawn under their markers.
   Text from the server is only ever set with textContent or passed to Leaflet as plain text. */
(function () {
  "use strict";
  var COUNTY_ZOOM = 7;
  var STYLE = {
    infected: { color: "#b91c1c", weight: 2, fillColor: "#dc2626", fillOpacity: 0.22 },
    surveillance: { color: "#d97706", weight: 2, dashArray: "6 5", fillColor: "#f59e0b", fillOpacity: 0.1 },
    lifted: { color: "#94a3b8", weight: 1.5, dashArray: "2 4", fillColor: "#94a3b8", fillOpacity: 0.06 }
  };
  var FARM = { radius: 4, color: "#fff", weight: 1, fillColor: "#64748b", fillOpacity: 0.9 };
  var FLAGGED = {
    infected: { radius: 7, color: "#7f1d1d", weight: 2.5, fillColor: "#dc2626", fillOpacity: 1 },
    surveillance: { radius: 7, color: "#7c2d12", weight: 2.5, fillColor: "#f59e0b", fillOpacity: 1 }
  };

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

  // Leaflet takes a tooltip's string as HTML; disease names and numbers come from users.
  function node(text) { return el("span", null, text); }

  // A popup built from DOM nodes: nothing from the server is parsed as HTML.
  function popupNode(lines, link) {
    var box = el("div");
    lines.forEach(function (line, n) {
      if (line) { box.appendChild(el("div", n === 0 ? "fw-semibold" : "small", line)); }
    });
    if (link && link.href) {
      var a = el("a", "small", link.text + " →");
      a.href = link.href;
      box.appendChild(a);
    }
    return box;
  }

  function urlFor(template, id) { return (template || "").replace(/0\/$/, id + "/"); }

  /* Province outlines, and a province's counties once zoomed in: the map without tiles. */
  function addOutlines(map, config) {
    if (config.tiles) {
      L.tileLayer(config.tiles, { attribution: config.tilesAttribution || "" }).addTo(map);
    }
    if (!config.outlines) { return; }
    map.createPane("outlines").style.zIndex = 350;
    map.createPane("counties").style.zIndex = 360;
    var provinces = [];
    var requested = {};
    var counties = L.layerGroup().addTo(map);
    function loadCounties() {
      if (map.getZoom() < COUNTY_ZOOM || !config.counties) { return; }
      var view = map.getBounds();
      provinces.forEach(function (p) {
        if (requested[p.code] || !p.bounds.intersects(view)) { return; }
        requested[p.code] = true;
        fetch(config.counties + p.code + ".geojson").then(function (r) { return r.ok ? r.json() : null; })
          .then(function (geo) {
            if (!geo) { return; }
            L.geoJSON(geo, { style: { color: "#cbd5e1", weight: 0.8, fill: false, dashArray: "3 3" },
                             interactive: false, pane: "counties" }).addTo(counties);
          }).catch(function () { /* not shipped: the province outline is enough */ });
      });
    }
    fetch(config.outlines).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
      if (!geo) { return; }
      L.geoJSON(geo, {
        style: { color: "#94a3b8", weight: 1, fillColor: "#ffffff", fillOpacity: config.tiles ? 0 : 1 },
        interactive: false,
        pane: "outlines",
        onEachFeature: function (feature, layer) {
          provinces.push({ code: feature.properties.adcode, bounds: layer.getBounds() });
        }
      }).addTo(map);
      loadCounties();
    }).catch(function () { /* offline and not cached: the zones still show */ });
    map.on("zoomend moveend", loadCounties);
  }

  /* The zones as circles (outer first, so the inner one stays clickable), and each outbreak's point. */
  function drawZones(map, zones, config) {
    config = config || {};
    var labels = config.labels || {};
    var group = L.featureGroup();
    var centres = {};
    zones.slice().sort(function (a, b) { return b.radiusKm - a.radiusKm; }).forEach(function (z) {
      var style = z.active ? STYLE[z.kind] || STYLE.surveillance : STYLE.lifted;
      var circle = L.circle([z.lat, z.lng], Object.assign({ radius: z.radiusKm * 1000 }, style));
      var link = config.reportUrl ? { href: urlFor(config.reportUrl, z.report), text: labels.open || "" } : null;
      circle.bindPopup(function () {
        return popupNode([
          z.disease + " · " + z.kindLabel,
          z.radiusKm + " " + (labels.km || "km") + " · " + (labels.since || "") + " " + z.since,
          z.active ? (labels.review || "") + " " + z.reviewOn : labels.lifted,
          z.number
        ], link);
      });
      circle.zone = z;
      group.addLayer(circle);
      if (!centres[z.report]) {
        centres[z.report] = true;
        var marker = L.marker([z.lat, z.lng], {
          icon: L.divIcon({ className: "", html: "<i class='bi bi-virus zone-outbreak-icon'></i>", iconSize: [22, 22], iconAnchor: [11, 11] }),
          keyboard: false,
          opacity: z.active ? 1 : 0.5
        });
        marker.bindTooltip(node(z.disease + " · " + z.number), { direction: "top", offset: [0, -10] });
        marker.bindPopup(function () { return popupNode([z.disease, z.number, (labels.since || "") + " " + z.since], link); });
        group.addLayer(marker);
      }
    });
    group.addTo(map);
    return group;
  }
  window.drawZones = drawZones;

  function legend(map, config, zones) {
    var labels = config.labels || {};
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      var rows = [["zone-ring zone-ring-infected", labels.infected], ["zone-ring zone-ring-surveillance", labels.surveillance]];
      if (zones.some(function (z) { return !z.active; })) { rows.push(["zone-ring zone-ring-lifted", labels.lifted]); }
      if (config.flagged) { rows.push(["zone-dot flagged-dot", labels.flagged]); }
      if (config.farms && config.farms.length) { rows.push(["zone-dot farm-dot", labels.farm]); }
      rows.forEach(function (row) {
        var line = el("div");
        var mark = el("span", row[0]);
        if (row[0].indexOf("flagged-dot") >= 0) { mark.style.background = "#dc2626"; mark.style.boxShadow = "0 0 0 2px #7f1d1d"; }
        if (row[0].indexOf("farm-dot") >= 0) { mark.style.background = "#64748b"; }
        line.appendChild(mark);
        line.appendChild(document.createTextNode(row[1] || ""));
        box.appendChild(line);
      });
      return box;
    };
    control.addTo(map);
  }

  function drawFarms(map, config) {
    var labels = config.labels || {};
    var flagged = {};
    (config.flagged || []).forEach(function (f) { flagged[f.id] = f.zone; });
    var markers = {};
    var renderer = L.canvas({ padding: 0.5 });
    var plain = [], marked = [];
    (config.farms || []).forEach(function (row) {
      (flagged[row[0]] ? marked : plain).push(row);
    });
    // Flagged farms last, so they are drawn over the others.
    plain.concat(marked).forEach(function (row) {
      var zone = flagged[row[0]];
      var marker = L.circleMarker([row[2], row[3]], Object.assign({ renderer: renderer }, zone ? FLAGGED[zone] || FLAGGED.surveillance : FARM));
      marker.bindTooltip(node(row[1]));
      marker.bindPopup(function () {
        return popupNode([row[1], zone ? labels.flagged : ""], { href: urlFor(config.farmUrl, row[0]), text: labels.open || "" });
      });
      markers[row[0]] = marker.addTo(map);
    });
    return markers;
  }

  function fit(map, group, config, zones) {
    var focus = String(config.focus || "");
    var chosen = zones.filter(function (z) { return String(z.report) === focus; });
    var layers = group.getLayers().filter(function (layer) {
      if (!layer.zone) { return false; }
      if (chosen.length) { return String(layer.zone.report) === focus; }
      return config.fitAll || layer.zone.active;
    });
    if (!layers.length) { layers = group.getLayers().filter(function (layer) { return layer.zone; }); }
    if (layers.length) {
      map.fitBounds(L.featureGroup(layers).getBounds().pad(0.15));
    } else {
      map.setView([27.0, 113.0], 5);
    }
  }

  function makeMap(element, config) {
    // A view first: Leaflet adds layers (and can measure circles) only once the map has one.
    var map = L.map(element, { minZoom: 3, maxZoom: 18, zoomSnap: 0.5 }).setView([27.0, 113.0], 5);
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    addOutlines(map, config);
    return map;
  }

  /* A page's own map of zones, outbreaks and farms; the list beside it pans to a farm. */
  function zoneMap(element) {
    var config = readJson(element.getAttribute("data-zone-map")) || {};
    var zones = config.zones || [];
    var map = makeMap(element, config);
    var group = drawZones(map, zones, config);
    var markers = drawFarms(map, config);
    fit(map, group, config, zones);
    legend(map, config, zones);
    element.setAttribute("data-zones", String(zones.length));
    element.setAttribute("data-flagged", String((config.flagged || []).length));
    document.querySelectorAll("[data-pan-farm]").forEach(function (item) {
      function go() {
        var marker = markers[item.getAttribute("data-pan-farm")];
        if (!marker) { return; }
        map.setView(marker.getLatLng(), Math.max(map.getZoom(), 11));
        marker.openPopup();
      }
      item.addEventListener("click", function (event) {
        if (event.target.closest("a")) { return; }
        go();
      });
      item.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); go(); }
      });
    });
    document.querySelectorAll("[data-pan-report]").forEach(function (item) {
      item.addEventListener("click", function (event) {
        if (event.target.closest("a")) { return; }
        var id = item.getAttribute("data-pan-report");
        var layers = group.getLayers().filter(function (layer) { return layer.zone && String(layer.zone.report) === id; });
        if (layers.length) { map.fitBounds(L.featureGroup(layers).getBounds().pad(0.2)); }
      });
    });
    return map;
  }

  /* The new-report form: click the map (or type the point, or choose a county) and see the zones. */
  function zonePicker(element) {
    var config = readJson(element.getAttribute("data-zone-picker")) || {};
    var map = makeMap(element, config);
    drawZones(map, (config.zones || []).filter(function (z) { return z.active; }), config);
    map.setView([24.0, 113.5], 6);
    var form = element.closest("form");
    function field(name) { return form.querySelector("[name=" + name + "]"); }
    var lat = field("latitude"), lng = field("longitude"), disease = field("disease");
    var inner = field("radius_infected"), outer = field("radius_surveillance");
    var province = field("province"), county = field("county_code");
    var preview = L.layerGroup().addTo(map);
    var countyPoint = null;

    function number(input) { var v = parseFloat(String(input.value || "").replace(",", ".")); return isFinite(v) ? v : null; }
    function point() {
      var a = number(lat), b = number(lng);
      if (a !== null && b !== null) { return L.latLng(a, b); }
      return countyPoint;
    }
    function redraw(pan) {
      preview.clearLayers();
      var p = point();
      element.setAttribute("data-point", p ? p.lat.toFixed(5) + "," + p.lng.toFixed(5) : "");
      if (!p) { return; }
      var rings = [];
      [[outer, "surveillance"], [inner, "infected"]].forEach(function (pair) {
        var r = number(pair[0]);
        if (r !== null && r > 0 && r <= 50) {
          rings.push(L.circle(p, Object.assign({ radius: r * 1000, interactive: false }, STYLE[pair[1]])).addTo(preview));
        }
      });
      L.marker(p, { icon: L.divIcon({ className: "", html: "<i class='bi bi-virus zone-outbreak-icon'></i>", iconSize: [22, 22], iconAnchor: [11, 11] }) })
        .bindTooltip(node(config.picked || "")).addTo(preview);
      if (pan) {
        if (rings.length) { map.fitBounds(rings[0].getBounds().pad(0.3)); } else { map.setView(p, 11); }
      }
    }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lng.value = event.latlng.lng.toFixed(6);
      redraw(false);
    });
    [lat, lng].forEach(function (input) { input.addEventListener("change", function () { redraw(true); }); });
    [inner, outer].forEach(function (input) { input.addEventListener("input", function () { redraw(false); }); });
    if (disease) {
      disease.addEventListener("change", function () {
        var d = (config.defaults || {})[disease.value];
        if (d) { inner.value = d.infected; outer.value = d.surveillance; redraw(true); }
      });
    }
    var counties = {};
    function fillCounties(selected) {
      var code = province.value;
      county.textContent = "";
      var first = el("option", null, config.chooseCounty || "");
      first.value = "";
      county.appendChild(first);
      if (!code) { return; }
      fetch(config.countiesUrl + "?province=" + encodeURIComponent(code), { credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(function (data) {
          data.counties.forEach(function (c) {
            counties[c.code] = c;
            var option = el("option", null, c.name);
            option.value = c.code;
            county.appendChild(option);
          });
          if (selected) { county.value = selected; }
        });
    }
    if (province && county) {
      var initial = county.value;
      if (initial && !province.value) { province.value = initial.slice(0, 2) + "0000"; }
      if (province.value) { fillCounties(initial); }
      province.addEventListener("change", function () { fillCounties(""); });
      county.addEventListener("change", function () {
        var c = counties[county.value];
        countyPoint = c && c.lat != null ? L.latLng(c.lat, c.lng) : null;
        redraw(true);
      });
    }
    redraw(true);
  }

  /* The zones on maps made by django-leaflet (the farm map, the overview map). */
  window.addEventListener("map:init", function (event) {
    var data = readJson("zones-data");
    if (!data || !data.zones || !data.zones.length) { return; }
    var map = event.detail.map;
    map.createPane("zones").style.zIndex = 380;  // over the outlines, under the markers
    var group = L.featureGroup();
    var outbreaks = {};
    data.zones.slice().sort(function (a, b) { return b.radiusKm - a.radiusKm; }).forEach(function (z) {
      var circle = L.circle([z.lat, z.lng], Object.assign({ radius: z.radiusKm * 1000, pane: "zones" }, STYLE[z.kind] || STYLE.surveillance));
      circle.bindTooltip(node(z.disease + " · " + z.kindLabel + " · " + z.radiusKm + " km"));
      group.addLayer(circle);
      if (!outbreaks[z.report]) {
        // A 10 km circle is a dot at the scale of a province: the outbreak's sign shows at any zoom.
        outbreaks[z.report] = true;
        group.addLayer(L.marker([z.lat, z.lng], {
          icon: L.divIcon({ className: "", html: "<i class='bi bi-virus zone-outbreak-icon'></i>", iconSize: [22, 22], iconAnchor: [11, 11] }),
          keyboard: false
        }).bindTooltip(node(z.disease + " · " + z.number)));
      }
    });
    // Farms in a zone are ringed (the farm map colours them by status or grade underneath).
    (data.flagged || []).forEach(function (f) {
      group.addLayer(L.circleMarker([f[0], f[1]], {
        radius: 10, color: f[2] === "infected" ? "#b91c1c" : "#d97706", weight: 3, fill: false, interactive: false,
        pane: "zones"
      }));
    });
    group.addTo(map);
    map.getContainer().setAttribute("data-zones", String(data.zones.length));
  });

  function start() {
    document.querySelectorAll("[data-zone-map]").forEach(zoneMap);
    document.querySelectorAll("[data-zone-picker]").forEach(zonePicker);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
