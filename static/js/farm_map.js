/* The bureau's farm maps (django-leaflet calls the init functions): every farm in scope coloured
   by status or credit grade (window.farmMapInit), and one farm with its drawn layout
   (window.farmDetailMapInit). Both draw over the shipped province outlines, and over a
   province's county outlines once zoomed in, so they work with no tile server. */
(function () {
  "use strict";
  var COUNTY_ZOOM = 7;
  var NO_GRADE = "#94a3b8";
  var LAYOUT_COLOURS = {
    pen: "#2563eb", isolation: "#dc2626", disinfection_pool: "#0ea5e9", manure: "#a16207", other: "#64748b"
  };

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  /* Farm, enterprise and pen names come from users: they only ever go in as text, never through
     innerHTML (a pen named "><img src=x onerror=…> would run as script). */
  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text != null) { el.textContent = String(text); }
    return el;
  }

  // The colours live in app.css (.farm-status-*, .credit-grade-*): read them from there, once.
  var colourCache = {};
  function cssColour(className) {
    if (!(className in colourCache)) {
      var probe = document.createElement("span");
      probe.className = className;
      probe.style.display = "none";
      document.body.appendChild(probe);
      var colour = getComputedStyle(probe).backgroundColor;
      document.body.removeChild(probe);
      colourCache[className] = colour && colour !== "rgba(0, 0, 0, 0)" ? colour : NO_GRADE;
    }
    return colourCache[className];
  }
  function statusColour(status) { return cssColour("farm-status-" + status); }
  function gradeColour(grade) { return grade ? cssColour("credit-grade-" + grade) : NO_GRADE; }

  /* Province outlines at once; each province's counties (if shipped) when it is in view at
     COUNTY_ZOOM or closer. A missing county file is simply not drawn. */
  function addOutlines(map, config) {
    map.getContainer().style.background = "#eef4f7";
    if (!config.outlines) { return; }
    // The outlines are filled (the sea stays blue): they live in a pane under the farms.
    map.createPane("outlines").style.zIndex = 350;
    map.createPane("counties").style.zIndex = 360;
    var provinces = [];
    var counties = L.layerGroup().addTo(map);
    var requested = {};
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
          }).catch(function () { /* offline or not shipped: the province outline is enough */ });
      });
    }
    fetch(config.outlines).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
      if (!geo) { return; }
      L.geoJSON(geo, {
        style: { color: "#94a3b8", weight: 1, fillColor: "#ffffff", fillOpacity: 1 },
        interactive: false,
        pane: "outlines",
        onEachFeature: function (feature, featureLayer) {
          provinces.push({ code: feature.properties.adcode, bounds: featureLayer.getBounds() });
        }
      }).addTo(map);
      loadCounties();
    });
    map.on("zoomend moveend", loadCounties);
  }

  function legendControl(map) {
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () { return L.DomUtil.create("div", "map-legend"); };
    legend.addTo(map);
    return legend.getContainer();
  }

  function legendRow(colour, label, count, ring) {
    var row = node("div"), dot = node("span", "dot");
    dot.style.background = colour;
    if (ring) { dot.style.border = ring; }
    row.append(dot, label == null ? "" : String(label));
    if (count != null) { row.append(" ", node("span", "text-muted", "(" + count + ")")); }
    return row;
  }

  window.farmMapInit = function (map) {
    // A plain "Leaflet" credit: the default prefix carries a flag that has no place on a bureau map.
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    var config = readJson("farm-map-config") || {};
    var labels = config.labels || {};
    var container = map.getContainer();
    addOutlines(map, config);
    var renderer = L.canvas({ padding: 0.5 });  // thousands of farms stay fast on canvas
    var legend = legendControl(map);
    var markers = [];
    var mode = "status";

    function colourOf(m) { return mode === "status" ? statusColour(m.farm.status) : gradeColour(m.farm.grade); }

    // Chinese text takes a full-width colon.
    var COLON = (document.documentElement.lang || "").indexOf("zh") === 0 ? "：" : ": ";

    function popup(m) {
      var f = m.farm;
      var url = (config.detailUrl || "").replace(/0\/$/, f.id + "/");
      var box = node("div");
      var registration = node("div", "small", (labels.registration || "") + COLON);
      registration.appendChild(node("span", "font-monospace", f.number || "—"));
      var status = node("div", "small", (labels.status || "") + COLON);
      status.append(
        node("span", "badge farm-status farm-status-" + f.status, (labels.statuses || {})[f.status] || f.status),
        " · " + (labels.grade || "") + COLON,
        f.grade ? node("span", "badge credit-grade-" + f.grade, f.grade) : (labels.noGrade || "")
      );
      var open = node("a", "small", (labels.open || "") + " →");
      open.href = url;
      box.append(node("div", "fw-semibold", f.name), node("div", "small text-muted", f.enterprise), registration, status, open);
      return box;
    }

    function redraw() {
      var counts = {};
      markers.forEach(function (m) {
        m.setStyle({ fillColor: colourOf(m) });
        var key = mode === "status" ? m.farm.status : (m.farm.grade || "");
        counts[key] = (counts[key] || 0) + 1;
      });
      var rows = [];
      if (mode === "status") {
        Object.keys(labels.statuses || {}).forEach(function (s) {
          if (counts[s]) { rows.push(legendRow(statusColour(s), labels.statuses[s], counts[s])); }
        });
      } else {
        ["A", "B", "C", "D", ""].forEach(function (g) {
          if (counts[g]) { rows.push(legendRow(gradeColour(g), g || labels.noGrade, counts[g])); }
        });
      }
      legend.replaceChildren.apply(legend, rows.length ? rows : [labels.none || ""]);
      container.setAttribute("data-colour", mode);
    }

    fetch(config.dataUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      data.farms.forEach(function (row) {
        var ent = data.enterprises[row[6]] || ["", ""];
        var farm = { id: row[0], name: row[1], status: row[4], number: row[5], enterprise: ent[0], grade: ent[1] };
        var marker = L.circleMarker([row[2], row[3]], {
          renderer: renderer, radius: 6, color: "#fff", weight: 1.5, fillOpacity: 0.95
        });
        marker.farm = farm;
        marker.bindPopup(function () { return popup(marker); });
        marker.bindTooltip(node("span", null, farm.name));
        markers.push(marker.addTo(map));
      });
      redraw();
      if (markers.length > 1) {
        map.fitBounds(L.featureGroup(markers).getBounds().pad(0.1));
      } else if (markers.length === 1) {
        map.setView(markers[0].getLatLng(), 8);
      }
      container.setAttribute("data-markers", String(markers.length));
      document.dispatchEvent(new CustomEvent("farmmap:ready"));
    });

    document.querySelectorAll("[name=farm-colour]").forEach(function (input) {
      input.addEventListener("change", function () { mode = input.value; redraw(); });
    });

    // Find a farm by name, enterprise or registration number, and open its popup.
    var search = document.getElementById("farm-map-search");
    if (search) {
      search.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = (search.querySelector("input").value || "").trim().toLowerCase();
        var found = text && markers.filter(function (m) {
          var f = m.farm;
          return [f.name, f.enterprise, f.number].join(" ").toLowerCase().indexOf(text) >= 0;
        })[0];
        search.classList.toggle("was-missed", !found);
        if (found) {
          map.setView(found.getLatLng(), Math.max(map.getZoom(), 9));
          found.openPopup();
        }
      });
    }
  };

  window.farmDetailMapInit = function (map) {
    // A plain "Leaflet" credit: the default prefix carries a flag that has no place on a bureau map.
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    var config = readJson("farm-map-config") || {};
    var farm = readJson("farm-map-data") || {};
    var kinds = readJson("farm-layout-kinds") || {};
    addOutlines(map, config);
    // Ringed in dark so that it stands out from the buildings around it.
    var point = L.circleMarker([farm.lat, farm.lng], {
      radius: 9, color: "#111827", weight: 3, fillColor: statusColour(farm.status), fillOpacity: 1
    }).bindTooltip(node("span", null, farm.name)).addTo(map);
    var seen = {};
    var layout = L.geoJSON(farm.layout && farm.layout.type ? farm.layout : null, {
      style: function (feature) {
        var colour = LAYOUT_COLOURS[(feature.properties || {}).kind] || LAYOUT_COLOURS.other;
        return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.35 };
      },
      pointToLayer: function (feature, latlng) {
        var colour = LAYOUT_COLOURS[(feature.properties || {}).kind] || LAYOUT_COLOURS.other;
        return L.circleMarker(latlng, { radius: 6, color: colour, weight: 2, fillColor: colour, fillOpacity: 0.6 });
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        seen[props.kind] = true;
        layer.bindTooltip(node("span", null, [kinds[props.kind] || props.kind, props.name].filter(Boolean).join(" · ")));
      }
    }).addTo(map);
    var bounds = layout.getLayers().length ? layout.getBounds().extend(point.getLatLng()) : null;
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds.pad(0.5), { maxZoom: 18 });
    } else {
      map.setView(point.getLatLng(), 15);
    }
    var legend = legendControl(map);
    legend.append(legendRow(statusColour(farm.status), (config.labels || {}).farmPoint, null, "2px solid #111827"));
    Object.keys(seen).forEach(function (k) { legend.appendChild(legendRow(LAYOUT_COLOURS[k] || LAYOUT_COLOURS.other, kinds[k] || k)); });
    map.getContainer().setAttribute("data-layout", String(layout.getLayers().length));
    addLocator(document.getElementById("farm-locator"), config, point.getLatLng());
  };

  // Without a tile layer a close-up shows only the buildings: a small inset says where in China.
  function addLocator(element, config, latlng) {
    if (!element || !config.outlines) { return; }
    var locator = L.map(element, {
      zoomControl: false, attributionControl: false, dragging: false, scrollWheelZoom: false,
      doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false
    }).setView(latlng, 4);
    locator.createPane("outlines").style.zIndex = 350;
    L.circleMarker(latlng, { radius: 4, color: "#fff", weight: 1, fillColor: "#dc2626", fillOpacity: 1 }).addTo(locator);
    fetch(config.outlines).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
      if (!geo) { return; }
      L.geoJSON(geo, { style: { color: "#94a3b8", weight: 0.6, fillColor: "#ffffff", fillOpacity: 1 },
                       interactive: false, pane: "outlines" }).addTo(locator);
    });
  }

  // Buttons that cannot be undone ask first (data-confirm on the farm's page).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
