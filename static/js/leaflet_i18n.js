/* Leaflet's own controls in the page's language: Leaflet titles its zoom buttons in English.
   Loaded right after leaflet.js (templates/includes/leaflet_js.html), before any map is made;
   the translated titles come in this script element's data- attributes. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.L) { return; }
  var titles = me.dataset;
  L.Control.Zoom.prototype.options.zoomInTitle = titles.zoomIn;
  L.Control.Zoom.prototype.options.zoomOutTitle = titles.zoomOut;
})();
