/* The farm application form: county look-up, the location map, the building layout drawn with
   Leaflet.draw and the surroundings rows checked against the bureau's minimums; also the
   read-only map of a farm's page. django-leaflet calls the window.farm*Init callbacks. */
(function () {
  "use strict";
  var COLOURS = { pen: "#2563eb", isolation: "#dc2626", disinfection_pool: "#0891b2", manure: "#a16207", other: "#64748b" };

  function byId(id) { return document.getElementById(id); }
  function readJson(id) { var el = byId(id); return el ? JSON.parse(el.textContent) : null; }
  /* Text from users (pen names, county names) only ever goes in as text: never through innerHTML,
     where a name like "><img src=x onerror=…> would run as script. */
  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text != null) { el.textContent = String(text); }
    return el;
  }
  function swatch(kind) { var s = node("span", "swatch"); s.style.background = COLOURS[kind] || COLOURS.other; return s; }
  function labelled(kind, label) { var div = node("div"); div.append(swatch(kind), " " + label); return div; }
  var config = readJson("farm-form-config") || readJson("farm-map-data") || {};
  var text = config.text || {};

  /* With no tile server, a faint grid at site scale gives the drawing something to stand on. */
  var SiteGrid = L.GridLayer.extend({
    createTile: function () {
      var tile = document.createElement("canvas"), c = tile.getContext("2d");
      tile.width = tile.height = 256;
      c.strokeStyle = "rgba(100, 116, 139, 0.18)";
      for (var i = 0; i < 256; i += 32) {
        c.beginPath(); c.moveTo(i + 0.5, 0); c.lineTo(i + 0.5, 256); c.moveTo(0, i + 0.5); c.lineTo(256, i + 0.5); c.stroke();
      }
      return tile;
    }
  });

  function baseMap(map) {
    map.getContainer().style.background = "#eef4f7";
    var tiles = false;
    map.eachLayer(function (layer) { if (layer instanceof L.TileLayer) { tiles = true; } });
    if (!tiles) {
      // Above the opaque province fill (overlay pane), so its own pane, letting clicks through.
      map.createPane("siteGrid").style.zIndex = 450;
      map.getPane("siteGrid").style.pointerEvents = "none";
      new SiteGrid({ minZoom: 14, pane: "siteGrid" }).addTo(map);
    }
    if (!config.outlines) { return; }
    fetch(config.outlines).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
      if (geo) {
        L.geoJSON(geo, { style: { color: "#94a3b8", weight: 1, fillColor: "#fff", fillOpacity: 1 }, interactive: false })
          .addTo(map).bringToBack();
      }
    });
  }
  function shapeStyle(kind) { var c = COLOURS[kind] || COLOURS.other; return { color: c, weight: 2, fillColor: c, fillOpacity: 0.35 }; }
  function areaOf(layer) {
    if (!layer.getLatLngs || !L.GeometryUtil || !L.GeometryUtil.geodesicArea) { return null; }
    return Math.round(L.GeometryUtil.geodesicArea(layer.getLatLngs()[0]));
  }

  /* The colours of the kinds of building: all of them while drawing, those drawn on a farm's page. */
  function legend(map, group) {
    var kinds = {};
    if (group) { group.eachLayer(function (l) { kinds[((l.feature || {}).properties || {}).kind] = true; }); }
    var keys = Object.keys(config.layoutKinds || {}).filter(function (k) { return !group || kinds[k]; });
    if (!keys.length) { return; }
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend");
      keys.forEach(function (k) { div.appendChild(labelled(k, config.layoutKinds[k])); });
      return div;
    };
    control.addTo(map);
  }

  /* ---- the farm's point ---- */
  var lat = byId("id_latitude"), lng = byId("id_longitude");
  var locationMap = null, layoutMap = null, pointMarker = null, layoutPoint = null, drawn = null;

  function currentPoint() {
    if (!lat || !lng) { return null; }
    var a = parseFloat(lat.value), b = parseFloat(lng.value);
    return isFinite(a) && isFinite(b) ? L.latLng(a, b) : null;
  }
  function showPoint(pan) {
    var p = currentPoint();
    var check = document.querySelector("[data-check=point]");
    if (check) { check.classList.toggle("d-none", !p); }
    if (!p) { return; }
    if (locationMap) {
      if (!pointMarker) {
        pointMarker = L.marker(p, { draggable: true, title: text.farmHere }).addTo(locationMap);
        pointMarker.on("dragend", function () { setPoint(pointMarker.getLatLng(), false); });
      } else { pointMarker.setLatLng(p); }
      if (pan) { locationMap.setView(p, Math.max(locationMap.getZoom(), 12)); }
    }
    if (layoutMap) {
      if (!layoutPoint) {
        layoutPoint = L.circleMarker(p, { radius: 6, color: "#fff", weight: 2, fillColor: "#111827", fillOpacity: 1 })
          .bindTooltip(node("span", null, text.farmHere)).addTo(layoutMap);
      } else { layoutPoint.setLatLng(p); }
      if (!drawn || !drawn.getLayers().length) { layoutMap.setView(p, 17); }
    }
  }
  function setPoint(latlng, pan) {
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    showPoint(pan);
  }

  /* The chosen province's counties, the chosen one highlighted: the farm must lie in it. */
  var countyLayer = null, countyProvince = null;
  function showCounties(fit) {
    var province = byId("id_province"), county = byId("id_county_code");
    if (!locationMap || !province) { return; }
    var pcode = province.value, code = county.value, url = (config.countyOutlines || {})[pcode];
    function draw() {
      if (!countyLayer) { return; }
      var target = null;
      countyLayer.eachLayer(function (layer) {
        var on = layer.feature.properties.adcode === code;
        layer.setStyle(on ? { color: "#0f766e", weight: 2, fillColor: "#0f766e", fillOpacity: 0.12 }
          : { color: "#94a3b8", weight: 0.7, fillOpacity: 0 });
        if (on) { target = layer; }
      });
      if (target) { target.bringToFront(); }
      var p = currentPoint(), bounds = (target || countyLayer).getBounds();
      if (fit) { locationMap.fitBounds(bounds); }
      // A point outside the chosen county: show both, so the mismatch can be seen.
      else if (target && p && !bounds.contains(p)) { locationMap.fitBounds(bounds.extend(p).pad(0.05)); }
    }
    if (pcode === countyProvince) { draw(); return; }
    if (countyLayer) { locationMap.removeLayer(countyLayer); countyLayer = null; }
    countyProvince = pcode;
    if (!url) { return; }
    fetch(url).then(function (r) { return r.json(); }).then(function (geo) {
      if (countyProvince !== pcode) { return; }
      countyLayer = L.geoJSON(geo, { interactive: false }).addTo(locationMap);
      draw();
    });
  }

  window.farmLocationInit = function (map) {
    // A plain "Leaflet" credit: the default prefix carries a flag that has no place on a bureau map.
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    locationMap = map;
    baseMap(map);
    map.on("click", function (e) { setPoint(e.latlng, false); });
    [lat, lng].forEach(function (input) { input.addEventListener("change", function () { showPoint(true); }); });
    showPoint(true);
    showCounties(!currentPoint());
    map.getContainer().setAttribute("data-ready", "1");
  };

  /* ---- the building layout ---- */
  var layoutInput = byId("id_layout");

  function writeLayout() {
    var features = [];
    drawn.eachLayer(function (layer) {
      var f = layer.toGeoJSON();
      f.properties = { kind: layer.kind, name: layer.label || "" };
      features.push(f);
    });
    layoutInput.value = features.length ? JSON.stringify({ type: "FeatureCollection", features: features }) : "";
    listLayout();
  }
  function setKind(layer, kind) {
    layer.kind = kind;
    if (layer.setStyle) { layer.setStyle(shapeStyle(kind)); }
    writeLayout();
  }
  function kindChooser(layer) {
    var div = L.DomUtil.create("div", "layout-kind-chooser");
    div.appendChild(node("div", "fw-semibold small mb-1", text.whatIsIt));
    Object.keys(config.layoutKinds).forEach(function (kind) {
      var b = L.DomUtil.create("button", "btn btn-sm me-1 mb-1 " + (kind === layer.kind ? "btn-dark" : "btn-outline-dark"), div);
      b.type = "button";
      b.setAttribute("data-kind", kind);
      b.append(swatch(kind), " " + config.layoutKinds[kind]);
      L.DomEvent.on(b, "click", function (e) { L.DomEvent.stop(e); setKind(layer, kind); layer.closePopup(); });
    });
    return div;
  }
  function addShape(layer, kind, name) {
    layer.kind = config.layoutKinds[kind] ? kind : "other";
    layer.label = name || "";
    if (layer.setStyle) { layer.setStyle(shapeStyle(layer.kind)); }
    layer.bindPopup(function () { return kindChooser(layer); });
    drawn.addLayer(layer);
  }
  function listLayout() {
    var table = byId("layout-list");
    if (!table) { return; }
    var body = table.querySelector("tbody"), pens = 0;
    body.replaceChildren();
    drawn.eachLayer(function (layer) {
      if (layer.kind === "pen") { pens += 1; }
      var tr = document.createElement("tr"), area = areaOf(layer);
      var select = node("select", "form-select form-select-sm");
      select.setAttribute("data-layout-kind", "");
      Object.keys(config.layoutKinds).forEach(function (k) {
        select.appendChild(new Option(config.layoutKinds[k], k, false, k === layer.kind));
      });
      var name = node("input", "form-control form-control-sm");
      name.maxLength = 60;
      name.setAttribute("data-layout-name", "");
      name.value = layer.label || "";
      var remove = node("button", "btn btn-sm btn-link text-danger");
      remove.type = "button";
      remove.title = text.remove || "";
      remove.appendChild(node("i", "bi bi-x-lg"));
      var cells = [swatch(layer.kind), select, name, area == null ? "—" : area.toLocaleString() + " " + (text.area || ""), remove];
      var classes = ["", "", "", "text-end small text-nowrap", "text-end"];
      cells.forEach(function (content, i) { var td = node("td", classes[i]); td.append(content); tr.appendChild(td); });
      select.addEventListener("change", function (e) { setKind(layer, e.target.value); });
      name.addEventListener("change", function (e) { layer.label = e.target.value; writeLayout(); });
      remove.addEventListener("click", function () { drawn.removeLayer(layer); writeLayout(); });
      tr.addEventListener("mouseenter", function () { if (layer.setStyle) { layer.setStyle({ weight: 4 }); } });
      tr.addEventListener("mouseleave", function () { if (layer.setStyle) { layer.setStyle({ weight: 2 }); } });
      body.appendChild(tr);
    });
    var count = drawn.getLayers().length;
    table.classList.toggle("d-none", !count);
    byId("layout-empty").classList.toggle("d-none", !!count);
    var badge = document.querySelector("[data-check=pens]");
    if (badge) { badge.textContent = pens; badge.className = "badge " + (pens ? "text-bg-success" : "text-bg-light"); }
  }

  window.farmLayoutInit = function (map) {
    // A plain "Leaflet" credit: the default prefix carries a flag that has no place on a bureau map.
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    layoutMap = map;
    baseMap(map);
    drawn = new L.FeatureGroup().addTo(map);
    var saved = null;
    try { saved = layoutInput.value ? JSON.parse(layoutInput.value) : null; } catch (e) { saved = null; }
    if (saved && saved.features) {
      L.geoJSON(saved).eachLayer(function (layer) {
        var props = (layer.feature && layer.feature.properties) || {};
        addShape(layer, props.kind, props.name);
      });
    }
    var style = shapeStyle("pen");
    map.addControl(new L.Control.Draw({
      position: "topleft",
      edit: { featureGroup: drawn },
      draw: {
        polygon: { allowIntersection: false, showArea: false, shapeOptions: style },
        rectangle: { showArea: false, shapeOptions: style },
        polyline: false, circle: false, marker: false, circlemarker: false
      }
    }));
    legend(map, null);
    map.on(L.Draw.Event.CREATED, function (e) {
      addShape(e.layer, "pen", "");
      writeLayout();
      e.layer.openPopup(e.layer.getBounds().getCenter());
    });
    map.on(L.Draw.Event.EDITED + " " + L.Draw.Event.DELETED, writeLayout);
    listLayout();
    if (drawn.getLayers().length) { map.fitBounds(drawn.getBounds().pad(0.3)); }
    showPoint(false);
    map.getContainer().setAttribute("data-ready", "1");
  };

  /* ---- the farm's page: point and layout, read only ---- */
  window.farmDetailInit = function (map) {
    // A plain "Leaflet" credit: the default prefix carries a flag that has no place on a bureau map.
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    baseMap(map);
    var p = L.latLng(config.lat, config.lng);
    L.marker(p).addTo(map);
    var shapes = L.geoJSON(config.layout && config.layout.features ? config.layout : null, {
      style: function (f) { return shapeStyle((f.properties || {}).kind); },
      onEachFeature: function (f, layer) {
        var props = f.properties || {};
        layer.bindTooltip(node("span", null, ((config.layoutKinds || {})[props.kind] || props.kind) + (props.name ? " · " + props.name : "")));
      }
    }).addTo(map);
    var url = (config.countyOutlines || {})[String(config.county).slice(0, 2) + "0000"];
    if (url) {
      fetch(url).then(function (r) { return r.json(); }).then(function (geo) {
        var county = L.geoJSON(geo, {
          interactive: false, filter: function (f) { return f.properties.adcode === config.county; },
          style: { color: "#0f766e", weight: 2, fillColor: "#0f766e", fillOpacity: 0.06 }
        }).addTo(map);
        shapes.bringToFront();
        // With nothing drawn, the county around the point says more than an empty close-up.
        if (!shapes.getLayers().length && county.getLayers().length) { map.fitBounds(county.getBounds().extend(p)); }
      });
    }
    if (shapes.getLayers().length) { map.fitBounds(shapes.getBounds().extend(p).pad(0.3)); } else { map.setView(p, 11); }
    legend(map, shapes);
    map.getContainer().setAttribute("data-ready", "1");
  };

  /* ---- the county: province, county, and a search by name ---- */
  var province = byId("id_province"), county = byId("id_county_code"), search = byId("county-search");
  var results = byId("county-results");

  function fillCounties(code, selected) {
    if (!code) { county.replaceChildren(); return Promise.resolve(); }
    return fetch(config.countiesUrl + "?province=" + encodeURIComponent(code)).then(function (r) { return r.json(); })
      .then(function (data) {
        county.replaceChildren(new Option(text.chooseCounty, ""));
        data.counties.forEach(function (c) {
          county.appendChild(new Option(c.label || (c.city ? c.city + " " : "") + c.name, c.code));
        });
        county.value = selected || "";
      });
  }
  function pick(c) {
    province.value = c.province_code;
    fillCounties(c.province_code, c.code).then(function () { showCounties(true); });
    search.value = "";
    results.classList.add("d-none");
  }
  if (province && county) {
    province.addEventListener("change", function () { fillCounties(province.value, "").then(function () { showCounties(true); }); });
    county.addEventListener("change", function () { showCounties(true); });
  }
  if (search) {
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var q = search.value.trim();
      if (!q) { results.classList.add("d-none"); return; }
      timer = setTimeout(function () {
        fetch(config.countiesUrl + "?q=" + encodeURIComponent(q)).then(function (r) { return r.json(); }).then(function (data) {
          results.replaceChildren();
          data.counties.forEach(function (c) {
            var b = node("button", "list-group-item list-group-item-action");
            b.type = "button";
            b.setAttribute("data-county", c.code);
            b.append(node("span", "fw-semibold", c.name), " ",
              node("span", "text-muted small", (c.parent || c.province + " " + (c.city || "")) + " · " + c.code));
            b.addEventListener("click", function () { pick(c); });
            results.appendChild(b);
          });
          if (!data.counties.length) { results.appendChild(node("div", "list-group-item text-muted", text.noCounty)); }
          results.classList.remove("d-none");
        });
      }, 200);
    });
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
  }

  /* ---- surroundings, checked live against the minimums ---- */
  var rows = byId("surrounding-rows");
  function checkSurroundings() {
    var list = [];
    rows.querySelectorAll("[data-surrounding-row]").forEach(function (row) {
      var kind = row.querySelector("select").value, input = row.querySelector("input[name$='distance_m']");
      var removed = row.querySelector("input[name$='DELETE']").checked, min = config.minimums[kind];
      row.querySelector("[data-minimum]").textContent = min == null ? "—" : "≥ " + min + " m";
      var bad = !removed && input.value !== "" && min != null && Number(input.value) < min;
      row.classList.toggle("table-danger", bad);
      if (bad) { list.push(config.kinds[kind] + ": " + input.value + " m (" + text.atLeast.replace("{minimum}", min) + ")"); }
    });
    var box = byId("shortfalls");
    box.querySelector("ul").replaceChildren.apply(box.querySelector("ul"), list.map(function (t) { return node("li", null, t); }));
    box.classList.toggle("d-none", !list.length);
    var flag = document.querySelector("[data-check=shortfalls]");
    if (flag) { flag.classList.toggle("d-none", !list.length); }
  }
  if (rows) {
    rows.addEventListener("input", checkSurroundings);
    rows.addEventListener("change", checkSurroundings);
    rows.addEventListener("click", function (e) {
      var button = e.target.closest("[data-remove-row]");
      if (!button) { return; }
      var row = button.closest("tr");
      row.querySelector("input[name$='DELETE']").checked = true;
      row.classList.add("d-none");
      checkSurroundings();
    });
    byId("surrounding-add").addEventListener("click", function () {
      var total = document.querySelector("input[name$='-TOTAL_FORMS']");
      // A copy of the empty form's row, numbered: cloned nodes, no HTML parsed from text.
      var row = byId("surrounding-template").content.cloneNode(true);
      row.querySelectorAll("[name], [id], [for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/__prefix__/g, total.value)); }
        });
      });
      rows.appendChild(row);
      total.value = Number(total.value) + 1;
      checkSurroundings();
    });
    checkSurroundings();
  }

  /* ---- buttons that ask first ---- */
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) { e.preventDefault(); }
  });
})();
