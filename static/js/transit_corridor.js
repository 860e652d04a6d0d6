/* Drawing a farm's corridor: one polyline (Leaflet.draw), written as GeoJSON into the hidden
   "route" field; the farm, the warehouse and the port are shown to draw through. */
(function () {
  "use strict";
  var T = window.transitMap;

  function start(element) {
    var config = T.readJson(element.dataset.corridorMap);
    var map = T.make(element, config);
    var field = document.querySelector("input[name=route]");
    var drawn = new L.FeatureGroup().addTo(map);
    if (config.farm) {
      L.circleMarker(config.farm, { radius: 8, color: "#7c2d12", fillColor: "#f59e0b", fillOpacity: 1 }).addTo(map);
    }
    function write() {
      var layer = drawn.getLayers()[0];
      field.value = layer ? JSON.stringify(layer.toGeoJSON().geometry) : "";
    }
    var existing = field.value ? JSON.parse(field.value) : (config.corridor && config.corridor.route);
    if (existing) {
      L.geoJSON(existing, { style: { color: "#15803d", weight: 4 } }).eachLayer(function (l) { drawn.addLayer(l); });
      write();
    }
    map.addControl(new L.Control.Draw({
      position: "topright",
      edit: { featureGroup: drawn },
      draw: { polyline: { shapeOptions: { color: "#15803d", weight: 4 } }, polygon: false, rectangle: false,
              circle: false, marker: false, circlemarker: false }
    }));
    map.on(L.Draw.Event.CREATED, function (e) {
      drawn.clearLayers();
      drawn.addLayer(e.layer);
      write();
    });
    map.on(L.Draw.Event.EDITED + " " + L.Draw.Event.DELETED, write);
    var bounds = drawn.getLayers().length ? drawn.getBounds() : null;
    if (config.farm) { bounds = bounds ? bounds.extend(config.farm) : L.latLngBounds([config.farm, config.places.port]); }
    if (bounds) { map.fitBounds(bounds.pad(0.15)); }
  }

  document.querySelectorAll("[data-corridor-map]").forEach(start);
})();
