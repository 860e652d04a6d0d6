/* The organisations of the chain on a Leaflet map, drawn over shipped province outlines so
   that it works with no tile server (django-leaflet calls window.orgMapInit). */
(function () {
  "use strict";
  var COLOURS = {
    enterprise: "#2563eb", ciq_branch: "#0f766e", port: "#dc2626",
    warehouse: "#d97706", laboratory: "#7c3aed", head_office: "#111827"
  };

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  /* Organisation names and addresses come from users: text only, never through innerHTML. */
  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text != null) { el.textContent = String(text); }
    return el;
  }

  window.orgMapInit = function (map) {
    // A plain "Leaflet" credit: the default prefix carries a flag that has no place on a bureau map.
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    var config = readJson("orgmap-config") || {};
    var points = readJson("orgmap-points") || [];
    map.getContainer().style.background = "#eef4f7";

    if (config.outlines) {
      fetch(config.outlines).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
        if (!geo) { return; }
        var layer = L.geoJSON(geo, {
          style: { color: "#94a3b8", weight: 1, fillColor: "#ffffff", fillOpacity: 1 },
          interactive: false
        }).addTo(map);
        layer.bringToBack();
      });
    }

    var markers = points.map(function (p) {
      var marker = L.circleMarker([p.lat, p.lng], {
        radius: p.kind === "enterprise" ? 6 : 8, color: "#fff", weight: 2,
        fillColor: COLOURS[p.kind] || "#64748b", fillOpacity: 0.95
      });
      var url = (config.detailUrl || "").replace(/0\/$/, p.id + "/");
      marker.bindPopup(function () {
        var box = node("div");
        box.append(node("div", "fw-semibold", p.name), node("div", "small text-muted", p.kind_label),
          node("div", "small", p.address));
        if (url) { var link = node("a", "small", (config.detailLabel || "") + " →"); link.href = url; box.appendChild(link); }
        return box;
      });
      marker.bindTooltip(node("span", null, p.name));
      marker.options.orgKind = p.kind;
      return marker.addTo(map);
    });

    if (markers.length > 1) {
      map.fitBounds(L.featureGroup(markers).getBounds().pad(0.15));
    } else if (markers.length === 1) {
      map.setView(markers[0].getLatLng(), 7);  // the province around it stays in view
    }

    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend");
      var seen = {};
      points.forEach(function (p) {
        if (seen[p.kind]) { return; }
        seen[p.kind] = true;
        var row = node("div"), dot = node("span", "dot");
        dot.style.background = COLOURS[p.kind] || "#64748b";
        row.append(dot, p.kind_label == null ? "" : String(p.kind_label));
        div.appendChild(row);
      });
      return div;
    };
    if (points.length) { legend.addTo(map); }
    map.getContainer().setAttribute("data-markers", String(markers.length));
  };
})();
