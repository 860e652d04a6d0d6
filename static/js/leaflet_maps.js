/* Make the maps that {% leaflet_map %} declared (templates/leaflet/_leaflet_map.html).

   django-leaflet writes an inline script per map, which the Content-Security-Policy refuses;
   this file does what that script did, from the <template data-leaflet-map> element's data-
   attributes: wait for the load events, then L.Map.djangoMap(id, options), which fires
   "map:init" and calls the callback named in the template (e.g. "window.farmMapInit"). */
(function () {
  "use strict";

  function resolve(path) {
    // Only a name on window (dotted), never code: "window.farmMapInit" or "farmMapInit".
    if (!path) { return null; }
    var target = window;
    path.replace(/^window\./, "").split(".").forEach(function (part) {
      target = target == null ? undefined : target[part];
    });
    return typeof target === "function" ? target : null;
  }

  function make(element) {
    var name = element.dataset.leafletMap;
    function load() {
      L.Map.djangoMap(name, {
        djoptions: JSON.parse(element.dataset.djoptions),
        initfunc: load,
        globals: false,
        callback: resolve(element.dataset.callback),
      });
    }
    var events = JSON.parse(element.dataset.loadevents || "[]");
    if (events.length === 0 || (document.readyState === "complete" && events.indexOf("load") >= 0)) {
      load();
      return;
    }
    events.forEach(function (type) { window.addEventListener(type, load, false); });
  }

  function start() {
    if (!window.L || !L.Map.djangoMap) { return; }
    document.querySelectorAll("template[data-leaflet-map]").forEach(make);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
