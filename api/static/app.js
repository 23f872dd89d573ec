/* corridor map: talks only to the public /v1 API with relative URLs; no tiles, no CDNs. */
(function () {
  "use strict";

  const MODE_COLOURS = { rail: "#4a4e8f", road: "#c0741c", sea: "#1f86b5" };
  // The first kind in this order that a place has decides its marker.
  const KINDS = [
    ["gauge_change", "Gauge change", "#8e44ad"],
    ["border_crossing", "Border crossing", "#c0392b"],
    ["seaport", "Seaport", "#1f6fa8"],
    ["dry_port", "Dry port", "#2e8b57"],
    ["logistics_hub", "Logistics hub", "#2e8b57"],
    ["city", "City", "#56606a"],
  ];
  // The route and corridor palettes live in app.css (--route-colours, --corridor-colours), where their hues are
  // chosen never to meet: a route must not read as a corridor.
  const palette = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim().split(/\s+/);
  let ROUTE_COLOURS = ["#000"], CORRIDOR_COLOURS = ["#000"]; // read in start(), once app.css applies
  const routeColour = (i) => ROUTE_COLOURS[i % ROUTE_COLOURS.length];
  // The opening view: Europe's rail terminals to Xinjiang, where the corridors run (lat/lon). A network
  // elsewhere (CORRIDOR_NETWORK) opens on all of its places instead.
  const OPENING_VIEW = [[34, 3], [57, 92]];
  const LEGEND_OPEN_MIN_WIDTH = 900; // px of map: below this the legend starts collapsed
  const EVENT_LABELS = {
    border: "Border", wait: "Wait", queue: "Queue", season: "Season", transshipment: "Transshipment",
    gauge_change: "Gauge change", delay: "Delay",
  };
  const SERVICE_LABELS = { express: "express", scheduled: "scheduled", standard: "standard" };
  const RANK_LABELS = {
    time: "fastest", cost: "cheapest", co2e: "lowest CO₂e", generalized: "lowest generalized cost",
    reliable: "most reliable", pareto: "Pareto-optimal",
  };

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const regionNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;
  const countryName = (code) => {
    try { return (regionNames && regionNames.of(code)) || code; } catch (e) { return code; }
  };

  const state = {
    view: "routes",
    map: null,
    places: new Map(), // id -> properties with lat/lon
    links: new Map(), // id -> properties (from, to, mode, status)
    labels: [], // one per place: { place, score, minZoom, marker, side }
    routeEnds: new Set(), // place ids labelled whatever the zoom: the ends of the drawn routes
    fit: null, // { bounds, options } of the last fit, until the user moves the map
    fitting: false,
    corridors: [],
    corridorLayers: new Map(),
    scenarios: [],
    routeLayer: null,
    routes: [],
    selected: 0,
    routeLines: [],
    pending: null,
  };

  // ---------- formatting ----------
  const nf0 = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
  const nf1 = new Intl.NumberFormat("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const nf2 = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
  const days = (hours) => (hours == null ? "–" : nf1.format(hours / 24));
  const usd = (v) => (v == null ? "–" : "$" + nf0.format(v));
  const tonnes = (kg) => (kg == null ? "–" : nf1.format(kg / 1000));
  const hrs = (h) => (h == null ? "–" : h >= 48 ? nf1.format(h / 24) + " d" : nf1.format(h) + " h");
  const km = (v) => (v == null ? "–" : nf0.format(v) + " km");
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  // ---------- API ----------
  class ApiError extends Error {
    constructor(problem, status) {
      super(problem.detail || problem.title || "HTTP " + status);
      this.problem = problem;
      this.status = status;
    }
  }
  async function api(path, options) {
    let response;
    const init = { headers: { Accept: "application/json" } };
    if (options && options.body !== undefined) {
      init.method = options.method || "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new ApiError({ title: "The server could not be reached", detail: "Check that `corridor serve` is running, then try again." }, 0);
    }
    const type = response.headers.get("content-type") || "";
    let body = null;
    if (type.includes("json")) {
      try { body = await response.json(); } catch (e) { body = null; }
    }
    if (!response.ok) {
      const problem = body && typeof body === "object" ? body : { title: "HTTP " + response.status, detail: response.statusText };
      if (Array.isArray(problem.detail)) problem.detail = problem.detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
      throw new ApiError(problem, response.status);
    }
    return body;
  }

  // ---------- errors in plain words ----------
  const FIELD_INPUTS = {
    origin: "#origin", from: "#origin", destination: "#destination", to: "#destination", via: "#via", k: "#k", max_stretch: "#stretch",
    teu: "#amount", tonnes: "#amount", corridor: "#corridor", corridors: "#compare-corridors", scenario: "#scenario",
    service: "#service", container: "#container", departure_date: "#departure-date", month: "#departure-date",
    avoid_countries: "#avoid-box", avoid_country: "#avoid-box", modes: "#modes-label",
  };
  function fieldsOf(problem) {
    const fields = (problem.errors || []).map((e) => String(e.field || "").split(/[.[]/)[0]).filter(Boolean);
    if (problem.field) fields.push(problem.field);
    return fields;
  }
  function showError(err) {
    const box = $("#error");
    box.replaceChildren();
    $$("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
    if (!err) { box.hidden = true; return; }
    const p = err.problem || { title: "Something went wrong", detail: String(err.message || err) };
    const code = p.code || "";
    const fields = fieldsOf(p);
    const suggestions = Array.isArray(p.suggestions) ? p.suggestions.map((x) => (typeof x === "string" ? x : x.name)) : [];
    let headline = p.title || "Something went wrong";
    let detail = humanise(String(p.detail || ""));
    if (code === "unknown_place") {
      const input = $(FIELD_INPUTS[fields[0]] || "#destination");
      const given = input && input.value ? input.value : "";
      const role = input === $("#origin") ? "origin" : input === $("#destination") ? "destination" : "via place";
      headline = given ? `No place called “${given}” (${role})` : "Unknown place";
      detail = suggestions.length ? "Check the spelling, or pick one of the places we do know:" :
        "Check the spelling; suggestions appear as you type a few letters.";
    } else if (code === "no_route" || code === "unreachable") {
      headline = code === "unreachable" ? "These places are not connected" : "No route under these constraints";
      if (detail && !/[.!?]$/.test(detail)) detail += ".";
      if (p.constraints && p.constraints.length) detail += ` Try relaxing: ${p.constraints.map((c) => c.replace(/_/g, " ")).join(", ")}.`;
    } else if (code === "same_place") {
      headline = "Origin and destination are the same place";
    } else if (err.status === 0) {
      headline = p.title;
    }
    box.append(el("strong", { text: headline }));
    if (detail) box.append(el("p", { text: capitalise(detail) }));
    if (suggestions.length) {
      const target = $(FIELD_INPUTS[fields[0]] || "#destination");
      const row = el("div", { class: "suggest", role: "group", "aria-label": "Suggestions" });
      for (const name of suggestions) {
        row.append(el("button", {
          type: "button",
          text: name,
          onclick: () => { target.value = replaceVia(target, name); submit(); },
        }));
      }
      box.append(row);
    }
    for (const f of fields) {
      const input = FIELD_INPUTS[f] && $(FIELD_INPUTS[f]);
      if (input) input.setAttribute("aria-invalid", "true");
    }
    box.hidden = false;
  }
  function replaceVia(target, name) {
    if (target !== $("#via")) return name;
    // replace the first via place the server does not know; without that knowledge, the last one
    const parts = target.value.split(",").map((x) => x.trim()).filter(Boolean);
    if (parts.length) parts[parts.length - 1] = name; else parts.push(name);
    return parts.join(", ");
  }
  function capitalise(s) { return s ? s[0].toUpperCase() + s.slice(1) : s; }
  function setStatus(text) { $("#status").textContent = text || ""; }

  // ---------- names instead of ids ----------
  // The API's messages and the scenarios' descriptions may name links, places and countries by id ("planned
  // links not yet in operation (l084, l085)", "avoiding KZ"). The page shows names: a link becomes its ends
  // ("Kashgar – Makmal"), a place id its name, a country code its English name. Ids the message already
  // names ("Horgos (CN) (horgos_cn)", "Kashgar–Makmal (l084)") are dropped rather than named twice, and text
  // inside a place's own name ("Horgos (CN)") is left as it is.
  function linkName(link) {
    const end = (id) => (state.places.get(id) || { name: id }).name;
    return `${end(link.from)} – ${end(link.to)}`;
  }
  function humanise(text) {
    if (text == null || text === "") return text;
    text = String(text);
    const keep = []; // [start, end) spans of place names already in the text
    for (const place of state.places.values()) {
      if (place.name.length < 3) continue;
      for (let at = text.indexOf(place.name); at >= 0; at = text.indexOf(place.name, at + 1)) keep.push([at, at + place.name.length]);
    }
    const kept = (start, end) => keep.some(([a, b]) => start >= a && end <= b);
    const named = (before, names) => names.every((n) => before.includes(n) || before.includes(shortPlaceName(n)));
    const out = text.replace(/\b[A-Za-z][A-Za-z0-9_]*\b/g, (token, offset) => {
      if (kept(offset, offset + token.length)) return token;
      const before = text.slice(Math.max(0, offset - 80), offset);
      const link = state.links.get(token);
      if (link) {
        const ends = [link.from, link.to].map((id) => (state.places.get(id) || { name: id }).name);
        return named(before, ends) ? "\u0000" : linkName(link);
      }
      const place = /[a-z]/.test(token) && state.places.get(token);
      if (place) return before.endsWith(place.name + " (") ? "\u0000" : place.name;
      if (/^[A-Z]{2}$/.test(token) && state.countries && state.countries.has(token)) return countryName(token);
      return token;
    });
    // Drop the ids already named (marked \u0000): "Horgos (CN) (horgos_cn)", "Kashgar–Makmal l084, ...".
    return out.replace(/\s*\(\u0000(?:,\s*\u0000)*\)/g, "").replace(/\s+\u0000/g, "").replace(/\u0000\s*/g, "")
      .replace(/\(\s*,\s*/g, "(").replace(/,\s*\)/g, ")").replace(/,\s*,/g, ",").replace(/ {2,}/g, " ");
  }

  // ---------- the map ----------
  function initMap() {
    const map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, attributionControl: true, preferCanvas: false });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Country outlines: Natural Earth via world-atlas");
    map.createPane("countries").style.zIndex = 200;
    map.createPane("corridors").style.zIndex = 350;
    map.createPane("network").style.zIndex = 400;
    map.createPane("routes").style.zIndex = 450;
    map.createPane("places").style.zIndex = 500;
    map.createPane("labels").style.zIndex = 550;
    map.getPane("labels").style.pointerEvents = "none";
    map.fitBounds(OPENING_VIEW); // the map has no view yet, so this is immediate
    state.map = map;
    state.routeLayer = L.layerGroup([], { pane: "routes" }).addTo(map);
    // A fit stays in force (kept on resize, redone when the legend opens or closes) until the user moves the map.
    map.on("dragstart zoomstart", () => { if (!state.fitting) state.fit = null; });
    map.on("zoomend moveend", layoutLabels);
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => {
        map.invalidateSize({ pan: false });
        if (state.fit) fitView(state.fit.bounds, state.fit.options); else layoutLabels();
      }).observe(map.getContainer());
    }
    return map;
  }

  // Fit the map to bounds at once, clear of the legend and the zoom buttons (unless options.overControls, as
  // for the opening view, whose corners are empty steppe and sea). Leaflet ignores a view change
  // asked for while a zoom animation runs (a wheel turn, a double click), so a fit then waits for its end.
  function fitView(bounds, options) {
    const map = state.map;
    if (!bounds || !bounds.isValid()) return;
    state.fit = { bounds, options };
    if (map._animatingZoom) { map.once("zoomend", () => { if (state.fit && state.fit.bounds === bounds) fitView(bounds, options); }); return; }
    map.stop();
    map.invalidateSize({ pan: false });
    state.fitting = true;
    try {
      const padding = options && options.overControls ? { padding: [8, 8] } : clearOfControls(bounds, options);
      map.fitBounds(bounds, Object.assign({ animate: false }, options, padding));
    } finally {
      state.fitting = false;
    }
  }

  // Padding that keeps bounds clear of the map's corner controls. A control in a corner can be kept clear of by
  // its width on its side or by its height on its top or bottom; of these choices, take the one with the
  // highest zoom.
  function clearOfControls(bounds, options) {
    const map = state.map;
    const box = map.getContainer().getBoundingClientRect();
    const margin = 14;
    const controls = $$(".leaflet-control-zoom, .legend", map.getContainer()).map((n) => n.getBoundingClientRect())
      .filter((r) => r.width > 0 && r.height > 0)
      .map((r) => ({
        left: r.left - box.left < box.width / 2, top: r.top - box.top < box.height / 2,
        width: (r.left - box.left < box.width / 2 ? r.right - box.left : box.right - r.left) + margin,
        height: (r.top - box.top < box.height / 2 ? r.bottom - box.top : box.bottom - r.top) + margin,
      }));
    let best = null;
    for (let choice = 0; choice < 1 << controls.length; choice++) {
      const pad = { left: 24, top: 24, right: 24, bottom: 30 }; // bottom: the attribution line
      controls.forEach((c, i) => {
        if (choice & (1 << i)) { const side = c.left ? "left" : "right"; pad[side] = Math.max(pad[side], c.width); }
        else { const side = c.top ? "top" : "bottom"; pad[side] = Math.max(pad[side], c.height); }
      });
      if (pad.left + pad.right >= box.width - 40 || pad.top + pad.bottom >= box.height - 40) continue;
      const zoom = map.getBoundsZoom(bounds, false, L.point(pad.left + pad.right, pad.top + pad.bottom));
      const capped = Math.min(zoom, (options && options.maxZoom) || Infinity);
      if (!best || capped > best.zoom) best = { zoom: capped, pad };
    }
    const pad = best ? best.pad : { left: 24, top: 24, right: 24, bottom: 30 };
    return { paddingTopLeft: [pad.left, pad.top], paddingBottomRight: [pad.right, pad.bottom] };
  }

  async function loadCountries() {
    const response = await fetch("/static/vendor/world-atlas/countries-50m.json");
    if (!response.ok) throw new Error("country outlines failed to load (HTTP " + response.status + ")");
    const topology = await response.json();
    const countries = topojson.feature(topology, topology.objects.countries);
    // Antarctica is far off the corridors; rings that cross the antimeridian (Chukotka, Fiji) are moved
    // east of it so that Leaflet does not draw a band across the whole map.
    countries.features = countries.features.filter((f) => f.id !== "010");
    for (const f of countries.features) {
      const polygons = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const polygon of polygons) {
        for (const ring of polygon) {
          if (ring.some((c) => c[0] > 150) && ring.some((c) => c[0] < -150)) {
            for (const c of ring) if (c[0] < 0) c[0] += 360;
          }
        }
      }
    }
    L.geoJSON(countries, {
      pane: "countries",
      interactive: false,
      style: { color: "#b3ab9c", weight: 0.8, fillColor: "#f5f2ea", fillOpacity: 1 },
    }).addTo(state.map);
  }

  function kindOf(kinds) {
    for (const entry of KINDS) if ((kinds || []).includes(entry[0])) return entry;
    return KINDS[KINDS.length - 1];
  }

  async function loadNetwork() {
    const fc = await api("/v1/network");
    if (fc.properties && fc.properties.name) $("#network-name").textContent = fc.properties.name;
    const countries = new Set();
    for (const f of fc.features) {
      if (f.properties.feature === "place") {
        const [lon, lat] = f.geometry.coordinates;
        state.places.set(f.properties.id, Object.assign({}, f.properties, { lat, lon }));
        if (f.properties.country) countries.add(f.properties.country);
      } else if (f.properties.feature === "link") {
        state.links.set(f.properties.id, f.properties);
      }
    }
    state.countries = countries;
    buildLabels();
    const linkLayer = L.geoJSON(fc, {
      pane: "network",
      filter: (f) => f.properties.feature === "link",
      style: (f) => ({
        color: MODE_COLOURS[f.properties.mode] || "#777",
        weight: f.properties.mode === "sea" ? 1.6 : 2,
        opacity: f.properties.status === "planned" ? 0.75 : 0.55,
        dashArray: f.properties.status === "planned" ? "6 5" : f.properties.mode === "sea" ? "2 4" : null,
      }),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        const a = state.places.get(p.from), b = state.places.get(p.to);
        layer.bindTooltip(
          `<strong>${esc(a ? a.name : p.from)} – ${esc(b ? b.name : p.to)}</strong>` +
          `${esc(p.mode)}${p.status === "planned" ? " (planned)" : ""}, ${esc(km(p.distance_km))}` +
          (p.transit_hours != null ? `, ${esc(hrs(p.transit_hours))}` : "") +
          (p.gauge_mm ? `<br>gauge ${esc(p.gauge_mm)} mm` : ""),
          { sticky: true, className: "tip" });
        layer.on("mouseover", () => layer.setStyle({ weight: 4, opacity: 0.95 }));
        layer.on("mouseout", () => linkLayer.resetStyle(layer));
      },
    }).addTo(state.map);
    const placeLayer = L.geoJSON(fc, {
      pane: "places",
      filter: (f) => f.properties.feature === "place",
      pointToLayer: (f, latlng) => {
        const [, , colour] = kindOf(f.properties.kinds);
        const minor = f.properties.kinds.length === 1 && f.properties.kinds[0] === "city";
        return L.circleMarker(latlng, {
          pane: "places", radius: minor ? 3 : 4.5, color: "#ffffff", weight: 1.2, fillColor: colour, fillOpacity: 1,
        });
      },
      onEachFeature: (f, layer) => {
        const p = f.properties;
        const kinds = (p.kinds || []).map((k) => (KINDS.find((e) => e[0] === k) || [k, k])[1]).join(", ");
        let extra = "";
        if (p.border) extra += `<br>border: ${esc(hrs(p.border.dwell_hours))} typical, ${esc(usd(p.border.fee_usd_per_teu))}/TEU`;
        if (p.gauge_change) extra += `<br>gauge change: ${esc(hrs(p.gauge_change.hours))}, ${esc(usd(p.gauge_change.cost_usd_per_teu))}/TEU`;
        layer.bindTooltip(`<strong>${esc(p.name)}</strong>${esc(countryName(p.country))} · ${esc(kinds)}${extra}`, { className: "tip" });
      },
    }).addTo(state.map);
    const bounds = placeLayer.getBounds();
    const opening = L.latLngBounds(OPENING_VIEW);
    const inside = [...state.places.values()].filter((p) => opening.contains([p.lat, p.lon])).length;
    state.openingBounds = inside * 2 >= state.places.size ? opening : bounds;
    if (!state.fit && state.openingBounds.isValid()) fitView(state.openingBounds, { overControls: true });
    fillCountries([...countries].sort((a, b) => countryName(a).localeCompare(countryName(b))));
  }

  // ---------- place labels ----------
  // Every place has a score (links meeting there, a city or a hub; border posts last) and a zoom from which it
  // may be labelled: the main places from the opening view, the other cities, hubs and ports from zoom 4.5,
  // everything from 5.5. Labels are then placed best score first, right, left, above or below their dot, and
  // only where they overlap no label already placed and no map control; so the map never piles them up.
  const LABEL_FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif";
  const LABEL_H = 16, LABEL_GAP = 6;
  let measure = null;
  function textWidth(text, bold) {
    measure = measure || document.createElement("canvas").getContext("2d");
    measure.font = (bold ? "600 " : "") + LABEL_FONT;
    return Math.ceil(measure.measureText(text).width) + 4;
  }
  // "Wuqia / Ulugqat (CN customs for Irkeshtam)" -> "Wuqia"; "Horgos (CN)" -> "Horgos"
  function shortPlaceName(name) { return String(name).split(/ \/ | \(|, /)[0].trim() || name; }

  function buildLabels() {
    const degree = new Map();
    for (const link of state.links.values()) {
      for (const end of [link.from, link.to]) degree.set(end, (degree.get(end) || 0) + 1);
    }
    state.labels = [...state.places.values()].map((place) => {
      const kinds = place.kinds || [];
      const city = kinds.includes("city");
      const hub = kinds.some((k) => k === "logistics_hub" || k === "dry_port" || k === "seaport");
      const links = degree.get(place.id) || 0;
      const border = kinds.includes("border_crossing") && !city;
      const score = links + (city ? 2 : 0) + (hub ? 1 : 0) - (border ? 3 : 0);
      const major = (city && links >= 3) || (hub && !border && links >= 4);
      const minZoom = major ? 0 : (city || hub) && !border ? 4.5 : 5.5;
      const text = shortPlaceName(place.name);
      const bold = major;
      return { place, score, minZoom, text, bold, width: textWidth(text, bold), marker: null, side: null };
    }).sort((a, b) => b.score - a.score || a.text.localeCompare(b.text));
    state.labelLayer = L.layerGroup([], { pane: "labels" }).addTo(state.map);
    layoutLabels();
  }

  // Where a label goes around its dot, in order of preference: [dx, dy] of its box's top-left corner.
  const LABEL_SIDES = {
    right: (w) => [LABEL_GAP, -LABEL_H / 2],
    left: (w) => [-LABEL_GAP - w, -LABEL_H / 2],
    above: (w) => [-w / 2, -LABEL_H - 3],
    below: (w) => [-w / 2, 3],
  };
  function labelMarker(label, side) {
    const [dx, dy] = LABEL_SIDES[side](label.width);
    const icon = L.divIcon({
      className: "place-label" + (label.bold ? " major" : "") + (state.routeEnds.has(label.place.id) ? " route-end" : ""),
      html: esc(label.text),
      iconSize: [label.width, LABEL_H],
      iconAnchor: [-dx, -dy],
    });
    return L.marker([label.place.lat, label.place.lon], { icon, pane: "labels", interactive: false, keyboard: false });
  }

  function layoutLabels() {
    const map = state.map;
    if (!map || !state.labelLayer) return;
    const size = map.getSize();
    const box = map.getContainer().getBoundingClientRect();
    const taken = $$(".leaflet-control", map.getContainer()).map((n) => n.getBoundingClientRect())
      .filter((r) => r.width > 0).map((r) => ({ x0: r.left - box.left, y0: r.top - box.top, x1: r.right - box.left, y1: r.bottom - box.top }));
    const overlaps = (b) => taken.some((t) => b.x0 < t.x1 && b.x1 > t.x0 && b.y0 < t.y1 && b.y1 > t.y0);
    const zoom = map.getZoom();
    const ends = state.routeEnds;
    const order = [...state.labels].sort((a, b) => (ends.has(b.place.id) - ends.has(a.place.id)) || 0);
    for (const label of order) {
      let side = null;
      if (zoom >= label.minZoom || ends.has(label.place.id)) {
        const pt = map.latLngToContainerPoint([label.place.lat, label.place.lon]);
        if (pt.x >= 0 && pt.y >= 0 && pt.x <= size.x && pt.y <= size.y) {
          for (const [name, offset] of Object.entries(LABEL_SIDES)) {
            const [dx, dy] = offset(label.width);
            const b = { x0: pt.x + dx - 1, y0: pt.y + dy, x1: pt.x + dx + label.width + 1, y1: pt.y + dy + LABEL_H };
            if (b.x0 >= 0 && b.y0 >= 0 && b.x1 <= size.x && b.y1 <= size.y && !overlaps(b)) { side = name; taken.push(b); break; }
          }
        }
        // the dot itself stays readable: nothing is written over it
        if (side) taken.push({ x0: pt.x - 4, y0: pt.y - 4, x1: pt.x + 4, y1: pt.y + 4 });
      }
      const end = ends.has(label.place.id);
      if (side !== label.side || end !== label.end) {
        if (label.marker) state.labelLayer.removeLayer(label.marker);
        label.marker = side ? labelMarker(label, side) : null;
        if (label.marker) state.labelLayer.addLayer(label.marker);
        label.side = side;
        label.end = end;
      }
    }
  }

  function fillCountries(codes) {
    const box = $("#avoid");
    box.replaceChildren(...codes.map((code) =>
      el("label", {}, el("input", { type: "checkbox", name: "avoid_country", value: code }), ` ${countryName(code)} (${code})`)));
    box.addEventListener("change", updateAvoidCount);
  }
  function updateAvoidCount() {
    const n = $$("#avoid input:checked").length;
    $("#avoid-count").textContent = n ? `(${n})` : "";
    if (n) $("#avoid-box").open = true;
  }

  async function loadCorridors() {
    const list = await api("/v1/corridors");
    state.corridors = Array.isArray(list) ? list : list.corridors || [];
    const select = $("#corridor");
    const compareBox = $("#compare-corridors");
    state.corridors.forEach((c, i) => {
      c.colour = CORRIDOR_COLOURS[i % CORRIDOR_COLOURS.length];
      select.append(el("option", { value: c.id, text: c.name }));
      compareBox.append(el("label", {}, el("input", { type: "checkbox", name: "compare_corridor", value: c.id }), " " + c.name));
    });
    const geometries = await Promise.all(state.corridors.map((c) => api("/v1/corridors/" + encodeURIComponent(c.id))));
    geometries.forEach((feature, i) => {
      const c = state.corridors[i];
      const geometry = feature.geometry || (feature.type === "Feature" ? null : feature);
      if (!geometry) return;
      const layer = L.geoJSON(geometry, {
        pane: "corridors",
        style: { color: c.colour, weight: 9, opacity: 0.5, lineCap: "round", lineJoin: "round" },
      }).bindTooltip(`<strong>${esc(c.name)}</strong>corridor`, { sticky: true, className: "tip" });
      state.corridorLayers.set(c.id, layer);
    });
    addLegend();
    layoutLabels();
  }

  function addLegend() {
    const Legend = L.Control.extend({
      options: { position: "topright" },
      onAdd: () => {
        // Open by default only where the map is wide enough to keep it beside the routes.
        const box = el("details", { class: "legend", open: state.map.getSize().x >= LEGEND_OPEN_MIN_WIDTH });
        box.append(el("summary", { text: "Legend" }));
        box.addEventListener("toggle", () => {
          if (state.fit) fitView(state.fit.bounds, state.fit.options); else layoutLabels();
        });
        const body = el("div", { class: "legend-body" });
        body.append(el("h4", { text: "Links" }));
        for (const [mode, colour] of Object.entries(MODE_COLOURS)) {
          body.append(el("div", { class: "item" },
            el("span", { class: "line" + (mode === "sea" ? " dotted" : ""), style: `border-color:${colour}` }), mode[0].toUpperCase() + mode.slice(1)));
        }
        body.append(el("div", { class: "item" }, el("span", { class: "line dashed", style: "border-color:#777" }), "Planned"));
        body.append(el("h4", { text: "Places" }));
        const seen = new Set();
        for (const [, label, colour] of KINDS) {
          const name = colour === "#2e8b57" ? "Dry port, hub" : label;
          if (seen.has(name)) continue;
          seen.add(name);
          body.append(el("div", { class: "item" }, el("span", { class: "mark", style: `background:${colour}` }), name));
        }
        const corridors = el("fieldset", { class: "corridor-toggles" }, el("legend", { text: "Corridors" }));
        for (const c of state.corridors) {
          const input = el("input", { type: "checkbox", value: c.id, "data-corridor": c.id });
          input.addEventListener("change", () => toggleCorridor(c.id, input.checked));
          corridors.append(el("label", { title: c.name }, input,
            el("span", { class: "line", style: `border-color:${c.colour};border-top-width:5px;opacity:.75` }), el("span", { class: "name", text: shortName(c) })));
        }
        body.append(corridors);
        box.append(body);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });
    new Legend().addTo(state.map);
  }
  function shortName(c) {
    const alias = (c.aliases || []).filter((a) => a.length <= 22).sort((a, b) => a.length - b.length)[0];
    return c.name.length <= 30 ? c.name : alias || c.name;
  }
  function toggleCorridor(id, on) {
    const layer = state.corridorLayers.get(id);
    if (!layer) return;
    if (on) layer.addTo(state.map); else layer.remove();
  }

  async function loadScenarios() {
    const list = await api("/v1/scenarios");
    state.scenarios = Array.isArray(list) ? list : list.scenarios || [];
    const select = $("#scenario");
    // Uploaded scenarios are referred to by their id, bundled ones by name.
    for (const s of state.scenarios) select.append(el("option", { value: s.id || s.name, text: (s.title || s.name) + (s.uploaded ? " (uploaded)" : "") }));
    select.addEventListener("change", describeScenario);
  }
  // A 40 ft box counts 2 TEU: a shipment of 1 becomes one box; tonnes take no box.
  function watchShipment() {
    $("#container").addEventListener("change", () => {
      if ($("#container").value && $("#unit").value === "teu" && $("#amount").value === "1") $("#amount").value = "2";
    });
    $("#unit").addEventListener("change", () => { $("#container").disabled = $("#unit").value !== "teu"; });
  }
  function describeScenario() {
    const s = state.scenarios.find((x) => (x.id || x.name) === $("#scenario").value);
    $("#scenario-description").textContent = s ? humanise(s.description) || "" : "";
  }

  // ---------- autocomplete (ARIA 1.2 combobox with a listbox popup) ----------
  function combobox(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    let items = [], active = -1, timer = null, seq = 0;
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; };
    const choose = (i) => { if (items[i]) { input.value = items[i].name; input.removeAttribute("aria-invalid"); } close(); };
    const highlight = (i) => {
      active = i;
      $$("li", list).forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
      if (i >= 0) { input.setAttribute("aria-activedescendant", list.children[i].id); list.children[i].scrollIntoView({ block: "nearest" }); }
    };
    const render = () => {
      list.replaceChildren(...items.map((p, i) => {
        const li = el("li", { id: `${list.id}-${i}`, role: "option", "aria-selected": "false" },
          el("span", { text: p.name }), el("span", { class: "meta", text: [p.country, (p.kinds || []).filter((k) => k !== "city").join(", ").replace(/_/g, " ")].filter(Boolean).join(" · ") }));
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
        return li;
      }));
      const open = items.length > 0 && document.activeElement === input;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      input.removeAttribute("aria-invalid");
      if (!q) { items = []; render(); return; }
      timer = setTimeout(async () => {
        const mine = ++seq;
        try {
          const found = await api(`/v1/places?q=${encodeURIComponent(q)}&limit=8`);
          if (mine !== seq) return;
          const raw = Array.isArray(found) ? found : found.places || found.results || [];
          items = raw.map((x) => (x.place ? Object.assign({}, x.place, x) : x));
          render();
        } catch (e) { items = []; render(); }
      }, 120);
    });
    input.addEventListener("keydown", (e) => {
      if (list.hidden) { if (e.key === "ArrowDown" && items.length) { render(); list.hidden = false; input.setAttribute("aria-expanded", "true"); highlight(0); e.preventDefault(); } return; }
      if (e.key === "ArrowDown") { highlight(Math.min(items.length - 1, active + 1)); e.preventDefault(); }
      else if (e.key === "ArrowUp") { highlight(Math.max(0, active - 1)); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(active); e.preventDefault(); }
      else if (e.key === "Escape") { close(); e.preventDefault(); }
      else if (e.key === "Tab" && active >= 0) { choose(active); }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  // ---------- the query <-> the URL ----------
  function readForm() {
    const q = {
      view: state.view,
      from: $("#origin").value.trim(),
      to: $("#destination").value.trim(),
      scenario: $("#scenario").value,
      rank: $("#rank").value,
      [$("#unit").value]: $("#amount").value,
      service: $("#service").value,
      container: $("#unit").value === "teu" ? $("#container").value : "",
      departure_date: $("#departure-date").value,
    };
    if (state.view === "routes") {
      q.k = $("#k").value;
      q.max_stretch = $("#stretch").value;
      const modes = $$("input[name=mode]:checked").map((i) => i.value);
      if (modes.length !== 3) q.modes = modes.join(",");
      q.via = $("#via").value.split(",").map((s) => s.trim()).filter(Boolean);
      q.corridor = $("#corridor").value;
      q.avoid_country = $$("#avoid input:checked").map((i) => i.value);
    } else {
      q.corridor = $$("#compare-corridors input:checked").map((i) => i.value);
    }
    return q;
  }
  function toParams(q, { forApi }) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(q)) {
      if (forApi && key === "view") continue;
      if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
      else if (value !== "" && value != null) params.set(key, value);
    }
    if (!forApi) {
      // keep shared links short: drop the defaults
      if (params.get("rank") === "time") params.delete("rank");
      if (params.get("k") === "3") params.delete("k");
      if (params.get("max_stretch") === "1.5") params.delete("max_stretch");
      if (params.get("teu") === "1") params.delete("teu");
      if (params.get("service") === "scheduled") params.delete("service");
      if (params.get("view") === "routes") params.delete("view");
    }
    return params;
  }
  function applyParams(params) {
    setView(params.get("view") === "compare" ? "compare" : "routes", { quiet: true });
    $("#origin").value = params.get("from") || "";
    $("#destination").value = params.get("to") || "";
    $("#rank").value = params.get("rank") || "time";
    if (!$("#rank").value || $("#rank option:checked").disabled) $("#rank").value = "time";
    $("#k").value = params.get("k") || "3";
    $("#stretch").value = params.get("max_stretch") || "1.5";
    if (params.has("tonnes")) { $("#unit").value = "tonnes"; $("#amount").value = params.get("tonnes"); }
    else { $("#unit").value = "teu"; $("#amount").value = params.get("teu") || (params.get("container") ? "2" : "1"); }
    $("#service").value = params.get("service") || "scheduled";
    if (!$("#service").value) $("#service").value = "scheduled";
    $("#container").value = params.get("container") || "";
    if ($("#container").value !== (params.get("container") || "")) $("#container").value = "";
    $("#departure-date").value = params.get("departure_date") || "";
    const modes = params.has("modes") ? params.get("modes").split(",") : ["rail", "road", "sea"];
    $$("input[name=mode]").forEach((i) => { i.checked = modes.includes(i.value); });
    $("#via").value = params.getAll("via").join(", ");
    const corridors = params.getAll("corridor");
    $("#corridor").value = state.view === "routes" ? corridors[0] || "" : "";
    $$("#compare-corridors input").forEach((i) => { i.checked = state.view === "compare" && corridors.includes(i.value); });
    const avoid = params.getAll("avoid_country");
    $$("#avoid input").forEach((i) => { i.checked = avoid.includes(i.value); });
    updateAvoidCount();
    $("#scenario").value = params.get("scenario") || "";
    if ($("#scenario").value !== (params.get("scenario") || "")) $("#scenario").value = "";
    describeScenario();
  }

  // The JSON body of POST /v1/routes (used with a scenario, which the query-string form does not take).
  function routeBody(q) {
    const body = { origin: q.from, destination: q.to, rank: q.rank, k: Number(q.k), scenario: q.scenario };
    if (q.max_stretch) body.max_stretch = Number(q.max_stretch);
    if (q.teu) body.teu = Number(q.teu);
    if (q.tonnes) body.tonnes = Number(q.tonnes);
    if (q.service) body.service = q.service;
    if (q.container) body.container = q.container;
    if (q.departure_date) body.departure_date = q.departure_date;
    if (q.modes) body.modes = q.modes.split(",").filter(Boolean);
    if (q.via && q.via.length) body.via = q.via;
    if (q.corridor) body.corridor = q.corridor;
    if (q.avoid_country && q.avoid_country.length) body.avoid_countries = q.avoid_country;
    return body;
  }

  // ---------- views ----------
  function setView(view, opts) {
    state.view = view;
    document.body.classList.toggle("view-routes", view === "routes");
    document.body.classList.toggle("view-compare", view === "compare");
    for (const [tab, panel, name] of [["#tab-routes", "#panel-routes", "routes"], ["#tab-compare", "#panel-compare", "compare"]]) {
      const on = name === view;
      $(tab).setAttribute("aria-selected", on ? "true" : "false");
      $(tab).tabIndex = on ? 0 : -1;
      $(panel).hidden = !on;
    }
    $("#submit").textContent = view === "routes" ? "Find routes" : "Compare";
    // A comparison is one best route per corridor: a Pareto set is not a ranking it can use.
    const pareto = $("#rank option[value=pareto]");
    pareto.disabled = view === "compare";
    if (pareto.disabled && $("#rank").value === "pareto") $("#rank").value = "time";
    if (!(opts && opts.quiet)) { clearRoutesOnMap(); showError(null); }
  }

  async function submit(opts) {
    const q = readForm();
    const missing = [!q.from && "origin", !q.to && "destination"].filter(Boolean);
    if (missing.length) {
      showError({ problem: {
        title: `Please give ${missing.length === 2 ? "an origin and a destination" : "a" + (missing[0] === "origin" ? "n origin" : " destination")}`,
        detail: "Type a place name; suggestions appear as you type.",
        errors: missing.map((field) => ({ field })),
      } });
      $("#" + missing[0]).focus();
      return;
    }
    const urlParams = toParams(q, { forApi: false });
    const url = location.pathname + (urlParams.toString() ? "?" + urlParams : "");
    if (!(opts && opts.fromUrl) && url !== location.pathname + location.search) history.pushState(null, "", url);
    const apiParams = toParams(q, { forApi: true });
    const button = $("#submit");
    button.disabled = true;
    document.body.setAttribute("aria-busy", "true");
    setStatus(state.view === "routes" ? "Finding routes…" : "Comparing corridors…");
    showError(null);
    delete document.body.dataset.result;
    try {
      if (state.view === "routes") {
        const body = q.scenario ? await api("/v1/routes", { method: "POST", body: routeBody(q) }) : await api("/v1/routes?" + apiParams);
        renderRoutes(body);
      } else {
        const body = await api("/v1/compare?" + apiParams);
        renderCompare(body);
      }
      document.body.dataset.result = state.view;
    } catch (err) {
      document.body.dataset.result = "error";
      clearRoutesOnMap();
      (state.view === "routes" ? $("#routes-out") : $("#compare-out")).hidden = true;
      (state.view === "routes" ? $("#routes-empty") : $("#compare-empty")).hidden = false;
      showError(err);
      setStatus("See the message in the results panel.");
      if (!(opts && opts.fromUrl)) $("#results").focus();
    } finally {
      button.disabled = false;
      document.body.removeAttribute("aria-busy");
    }
  }

  // ---------- routes ----------
  function clearRoutesOnMap() {
    state.routeLayer.clearLayers();
    state.routeLines = [];
    state.routeEnds = new Set();
    state.fit = null;
    layoutLabels();
  }

  function routeLatLngs(route) {
    // Legs carry their link's drawn geometry (sea lanes follow their waypoints); fall back to the places.
    const legs = route.legs || [];
    if (legs.length && legs.every((leg) => Array.isArray(leg.geometry))) {
      const out = [];
      for (const leg of legs) {
        const pts = leg.geometry.map(([lon, lat]) => [lat, lon]);
        out.push(...(out.length ? pts.slice(1) : pts));
      }
      return out;
    }
    const ids = route.places || [];
    return ids.map((id) => state.places.get(id)).filter(Boolean).map((p) => [p.lat, p.lon]);
  }
  function routeLabel(route, i) {
    const names = route.place_names || (route.places || []).map((id) => (state.places.get(id) || { name: id }).name);
    const middle = names.slice(1, -1);
    // a few stops that tell routes apart: the border crossings and ports in the middle
    const notable = (route.places || []).slice(1, -1).map((id, j) => [state.places.get(id), middle[j]])
      .filter(([p]) => p && (p.kinds || []).some((k) => k === "border_crossing" || k === "seaport" || k === "gauge_change"))
      .map(([, n]) => n);
    const pick = (notable.length ? notable : middle).slice(0, 2);
    return { title: `Route ${i + 1}`, via: pick.length ? "via " + pick.join(", ") : "direct" };
  }
  function routeTooltip(route, i) {
    const label = routeLabel(route, i);
    return `<strong>${esc(label.title)} ${esc(label.via)}</strong>` +
      `${esc(days(route.transit_hours))} days typical, P50 ${esc(days(route.transit_hours_p50))}, P90 ${esc(days(route.transit_hours_p90))} days<br>` +
      `${esc(usd(route.cost_usd))} · ${esc(tonnes(route.co2e_kg))} t CO₂e · ${esc(km(route.distance_km))}<br>` +
      `${esc(route.border_crossings)} border crossing(s), ${esc(route.transshipments)} transshipment(s)`;
  }

  function drawRoutes(routes, colourOf, onPick) {
    clearRoutesOnMap();
    const bounds = L.latLngBounds([]);
    for (const route of routes) {
      const ids = route.places || [];
      if (ids.length) { state.routeEnds.add(ids[0]); state.routeEnds.add(ids[ids.length - 1]); }
    }
    routes.forEach((route, i) => {
      const latlngs = routeLatLngs(route);
      if (latlngs.length < 2) return;
      const casing = L.polyline(latlngs, { pane: "routes", color: "#ffffff", weight: 9, opacity: 0.9, interactive: false });
      const line = L.polyline(latlngs, { pane: "routes", color: colourOf(i), weight: 5, opacity: 0.95, lineJoin: "round" });
      line.bindTooltip(routeTooltip(route, i), { sticky: true, className: "tip" });
      line.on("click", () => onPick(i));
      line.on("mouseover", () => line.setStyle({ weight: 7 }));
      line.on("mouseout", () => line.setStyle({ weight: i === state.selected ? 6 : 4 }));
      state.routeLayer.addLayer(casing);
      state.routeLayer.addLayer(line);
      state.routeLines[i] = { line, casing };
      bounds.extend(line.getBounds());
    });
    if (bounds.isValid()) fitView(bounds, { maxZoom: 8 });
    layoutLabels();
  }

  function renderRoutes(body) {
    const routes = (body && body.routes) || [];
    state.routes = routes;
    state.selected = 0;
    $("#routes-empty").hidden = true;
    $("#routes-out").hidden = false;
    const req = body.request || {};
    const origin = nameOf(req.origin) || $("#origin").value;
    const destination = nameOf(req.destination) || $("#destination").value;
    const shipment = shipmentText(req);
    $("#routes-heading").textContent = (`${routes.length} ${RANK_LABELS[req.rank] || ""} route${routes.length === 1 ? "" : "s"}: ` +
      `${origin} → ${destination}${shipment ? ", " + shipment : ""}`).replace(/\s+/g, " ");
    renderScenarioNote(body);
    // Fewer routes than asked for: the API says why (every other one is too far from the best or too alike).
    const notes = body.notes || [];
    $("#routes-note").textContent = notes.map(humanise).join(" ");
    $("#routes-note").hidden = !notes.length;
    const tbody = $("#routes-table tbody");
    tbody.replaceChildren(...routes.map((r, i) => routeRow(r, i)));
    drawRoutes(routes, routeColour, selectRoute);
    renderChart(routes);
    if (routes.length) selectRoute(0, { quiet: true });
    else $("#legs-list").replaceChildren();
    setStatus(routes.length ? `Found ${routes.length} route${routes.length === 1 ? "" : "s"}.` : "No routes found.");
  }
  // The shipment as the request gave it: "1 TEU", "25 t".
  function shipmentText(req) {
    let text = "";
    if (req.shipment === "tonnes" && req.tonnes != null) text = `${nf2.format(req.tonnes)} t`;
    else if (req.teu != null) text = `${nf2.format(req.teu)} TEU` + (req.container && req.container !== "20ft" ? ` in ${req.container} boxes` : "");
    if (req.service && req.service !== "scheduled") text += `${text ? ", " : ""}${SERVICE_LABELS[req.service] || req.service} service`;
    if (req.departure_date) text += `, ready ${req.departure_date}`;
    return text;
  }
  // "arrives 20 Mar (P50), 21 Mar (P90)" for a route with arrival dates.
  function arrivalText(route) {
    const a = route.arrival_date;
    if (!a) return "";
    return `arrives ${a.p50} (P50), ${a.p90} (P90)`;
  }
  function nameOf(id) { const p = id && state.places.get(id); return p ? p.name : id; }

  function renderScenarioNote(body) {
    const note = $("#scenario-note");
    const scenario = body.scenario;
    if (!scenario) { note.hidden = true; return; }
    const title = typeof scenario === "string" ? scenario : scenario.title || scenario.name;
    const base = body.baseline && body.baseline.routes && body.baseline.routes[0];
    const best = body.routes && body.routes[0];
    note.replaceChildren(el("strong", { text: `Scenario: ${title}. ` }));
    if (best && base) {
      const d = body.delta;
      const change = d && (Math.abs(d.transit_hours) > 0.05 || Math.abs(d.cost_usd) > 0.5)
        ? ` (${signed(d.transit_hours / 24, nf1)} days, ${signed(d.cost_usd, nf0, "$")})` : " (no change)";
      note.append(`Best route ${days(best.transit_hours)} days typical, ${usd(best.cost_usd)} against ${days(base.transit_hours)} days, ${usd(base.cost_usd)} on today's network${change}.`);
    } else if (best && !base) {
      note.append(`Today's network has no route for this query${body.baseline && body.baseline.error ? ": " + humanise(body.baseline.error) : ""}; the scenario opens one.`);
    } else if (!best) {
      note.append(`No route under the scenario${body.error ? ": " + humanise(body.error) : ""}.`);
      if (base) note.append(` Today's network: ${days(base.transit_hours)} days typical, ${usd(base.cost_usd)}.`);
    }
    note.hidden = false;
  }
  function signed(v, fmt, prefix) {
    const sign = v > 0 ? "+" : v < 0 ? "−" : "±";
    return sign + (prefix || "") + fmt.format(Math.abs(v));
  }

  function routeRow(route, i) {
    const label = routeLabel(route, i);
    const pick = el("button", { type: "button", class: "pick", "aria-label": `Show legs of ${label.title}` },
      el("span", { class: "dot", style: `background:${routeColour(i)}` }), label.title);
    pick.addEventListener("click", (e) => { e.stopPropagation(); selectRoute(i); });
    const best = (route.best_on || []).map((b) => el("span", { class: "tag best", text: "best " + (b === "co2e" ? "CO₂e" : b) }));
    if (route.change === "appears") best.push(el("span", { class: "tag new", text: "new in scenario" }));
    const corridors = (route.corridors || []).map((c) => el("span", { class: "tag", title: `${c.name || c.id}: ${Math.round((c.share || 0) * 100)}% of the distance`, text: shortCorridor(c) }));
    const lo = route.transit_hours_min, hi = route.transit_hours_max;
    const tr = el("tr", { class: "selectable", "aria-selected": "false" },
      el("th", { scope: "row" }, pick, el("span", { class: "sub-line", text: label.via }),
        route.arrival_date ? el("span", { class: "sub-line arrival", text: arrivalText(route) }) : null,
        el("div", { class: "tags", "aria-label": "Corridors" }, corridors.length ? corridors : el("span", { class: "tag", text: "no named corridor" }), best)),
      el("td", { class: "num", text: days(route.transit_hours) }),
      el("td", { class: "num", text: days(route.transit_hours_p50) }),
      el("td", { class: "num", text: days(route.transit_hours_p90) }),
      el("td", { class: "num", text: lo != null && hi != null ? `${days(lo)}–${days(hi)}` : "–" }),
      el("td", { class: "num", text: usd(route.cost_usd) }),
      el("td", { class: "num", text: tonnes(route.co2e_kg) }),
      el("td", { class: "num", text: route.border_crossings }),
      el("td", { class: "num", text: route.transshipments }));
    tr.addEventListener("click", () => selectRoute(i));
    return tr;
  }
  function shortCorridor(c) {
    const found = state.corridors.find((x) => x.id === c.id);
    const alias = found && (found.aliases || []).filter((a) => a.length <= 18).sort((a, b) => a.length - b.length)[0];
    const name = alias || c.name || c.id;
    return `${name} ${Math.round((c.share || 0) * 100)}%`;
  }

  function selectRoute(i, opts) {
    state.selected = i;
    $$("#routes-table tbody tr").forEach((tr, j) => tr.setAttribute("aria-selected", j === i ? "true" : "false"));
    state.routeLines.forEach((pair, j) => {
      if (!pair) return;
      pair.line.setStyle({ weight: j === i ? 6 : 4, opacity: j === i ? 1 : 0.55 });
      if (j === i) { pair.casing.bringToFront(); pair.line.bringToFront(); }
    });
    renderLegs(state.routes[i], i);
    if (!(opts && opts.quiet)) setStatus(`Showing the legs of route ${i + 1}.`);
  }

  function renderLegs(route, i) {
    $("#legs-heading").textContent = `Legs of route ${i + 1}`;
    const list = $("#legs-list");
    if (!route) { list.replaceChildren(); return; }
    list.replaceChildren(...(route.legs || []).map((leg) => {
      const events = (leg.events || []).map((ev) => el("li", {},
        el("span", { class: `ev ev-${ev.type}`, text: EVENT_LABELS[ev.type] || ev.type }),
        describeEvent(ev)));
      return el("li", { class: `mode-${leg.mode}` },
        el("div", { class: "leg-head", text: `${leg.from.name} → ${leg.to.name}` }),
        el("div", { class: "leg-figs", text: [
          leg.mode + (leg.gauge_mm ? ` (${leg.gauge_mm} mm)` : ""), km(leg.distance_km), hrs(leg.hours), usd(leg.cost_usd), `${tonnes(leg.co2e_kg)} t CO₂e`,
        ].join(" · ") }),
        events.length ? el("ul", { class: "events", "aria-label": "Stops and events" }, events) : null);
    }));
  }
  function describeEvent(ev) {
    const where = ev.place_name ? ` at ${ev.place_name}` : "";
    const text = ev.description ? humanise(ev.description) : `${EVENT_LABELS[ev.type] || ev.type}${where}`;
    return `${text} — ${hrs(ev.hours)}${ev.cost_usd ? ", " + usd(ev.cost_usd) : ""}`;
  }

  // ---------- the chart: one small bar group per measure, hand-drawn SVG ----------
  function renderChart(routes, opts) {
    const holder = $("#chart");
    holder.replaceChildren();
    if (!routes.length) return;
    const colourOf = (opts && opts.colourOf) || routeColour;
    const labelOf = (opts && opts.labelOf) || ((r, i) => `Route ${i + 1}`);
    const measures = [
      ["Typical transit (days)", (r) => (r.transit_hours) / 24, (v) => nf1.format(v)],
      ["Cost (USD)", (r) => r.cost_usd, (v) => "$" + nf0.format(v)],
      ["CO₂e (t)", (r) => r.co2e_kg / 1000, (v) => nf1.format(v)],
    ];
    const barH = 12, gap = 3, groupGap = 14, labelW = 92, width = 520, valueW = 62;
    const groupH = routes.length * (barH + gap) + 18;
    const height = measures.length * (groupH + groupGap);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("role", "img");
    const summary = routes.map((r, i) => `${labelOf(r, i)}: ${days(r.transit_hours)} days typical, ${usd(r.cost_usd)}, ${tonnes(r.co2e_kg)} t CO₂e`).join("; ");
    svg.setAttribute("aria-label", "Bar chart of transit time, cost and CO₂e per route. " + summary);
    const add = (tag, attrs, text) => {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      if (text != null) n.textContent = text;
      svg.append(n);
      return n;
    };
    measures.forEach(([title, value, fmt], g) => {
      const y0 = g * (groupH + groupGap);
      add("text", { x: 0, y: y0 + 11, class: "axis-label" }, title);
      const values = routes.map(value);
      const max = Math.max(...values.filter((v) => Number.isFinite(v)), 1e-9);
      routes.forEach((r, i) => {
        const y = y0 + 18 + i * (barH + gap);
        const v = values[i];
        const w = Number.isFinite(v) ? Math.max(1, ((width - labelW - valueW) * v) / max) : 0;
        add("text", { x: 0, y: y + barH - 2 }, labelOf(r, i));
        const rect = add("rect", { x: labelW, y, width: w, height: barH, rx: 2, fill: colourOf(i) });
        const t = document.createElementNS(ns, "title");
        t.textContent = `${labelOf(r, i)}: ${Number.isFinite(v) ? fmt(v) : "n/a"}`;
        rect.append(t);
        add("text", { x: labelW + w + 4, y: y + barH - 2 }, Number.isFinite(v) ? fmt(v) : "n/a");
      });
    });
    holder.append(svg);
  }

  // ---------- compare ----------
  // Rows come from planner.compare.Comparison.to_dict: the unconstrained best first (corridor null), then one
  // per corridor, each with status/reason/route on today's network and, with a scenario, scenario_status,
  // scenario_reason, scenario_route, delta and change.
  function rowName(row) {
    if (row.corridor) return row.corridor.name || row.corridor.id;
    return "Best overall (any corridor)";
  }

  function renderCompare(body) {
    $("#compare-empty").hidden = true;
    $("#compare-out").hidden = false;
    const rows = body.rows || [];
    const scenario = body.scenario;
    const req = body.request || {};
    const best = { time: "Fastest", cost: "Cheapest", co2e: "Lowest-CO₂e", generalized: "Lowest generalized cost", reliable: "Most reliable" }[req.rank] || "Best";
    $("#compare-heading").textContent = `${best} route per corridor: ${nameOf(req.origin) || $("#origin").value} → ` +
      `${nameOf(req.destination) || $("#destination").value}${shipmentText(req) ? ", " + shipmentText(req) : ""}`;
    const note = $("#compare-note");
    if (scenario) {
      note.replaceChildren(el("strong", { text: `Scenario: ${scenario.title || scenario.name}. ` }),
        humanise(scenario.description) || "", " Figures are under the scenario, with today's value and the change below each.");
      note.hidden = false;
    } else note.hidden = true;

    const cols = [["Corridor"], ["Typical d", "Typical transit time in days: the sum of each part's most likely time (transit_hours)"],
      ["P50 d", "Median transit time in days (transit_hours_p50)"], ["P90 d", "90th percentile transit time in days (transit_hours_p90)"],
      ["USD"], ["kg CO₂e", "Kilograms of CO₂ equivalent"], ["Bord.", "Border crossings"]];
    $("#compare-table thead").replaceChildren(el("tr", {}, cols.map(([c, title], i) =>
      el("th", { scope: "col", class: i >= 1 ? "num" : null }, title ? el("abbr", { title, text: c }) : c))));
    const drawn = [];
    $("#compare-table tbody").replaceChildren(...rows.map((row, i) => {
      // A corridor's route keeps one colour whichever corridors are compared: route colour n + 1 for corridor
      // n, which the palettes keep far from corridor n's own colour.
      const at = row.corridor ? state.corridors.findIndex((c) => c.id === row.corridor.id) : -1;
      const colour = routeColour(row.corridor ? (at >= 0 ? at + 1 : i) : 0);
      const base = row.route;
      const scen = scenario ? row.scenario_route : null;
      const status = scenario ? row.scenario_status || (scen ? "ok" : "no_route") : row.status || (base ? "ok" : "no_route");
      const reason = scenario ? row.scenario_reason || row.reason : row.reason;
      const shown = scenario ? scen : base;
      if (shown && status === "ok") drawn.push({ route: shown, colour, name: rowName(row) });
      const cell = (get, fmt, lowerIsBetter) => {
        if (!scenario) return el("td", { class: "num", text: base ? fmt(get(base)) : "–" });
        const a = base ? get(base) : null, b = scen ? get(scen) : null;
        const td = el("td", { class: "num" }, el("span", { class: "scen-value", text: b != null ? fmt(b) : "–" }));
        if (a == null && b == null) return td;
        if (a != null && b != null && fmt(a) === fmt(b)) return td.append(el("span", { class: "sub-line", text: "unchanged" })), td;
        const sub = el("span", { class: "sub-line", text: `today ${a != null ? fmt(a) : "none"}` });
        if (a != null && b != null && Math.abs(b - a) > 1e-6 && fmt(Math.abs(b - a)) !== fmt(0)) {
          const worse = lowerIsBetter ? b > a : b < a;
          sub.append(" ", el("span", { class: worse ? "delta-worse" : "delta-better", text: (b > a ? "+" : "−") + fmt(Math.abs(b - a)) }));
        }
        td.append(sub);
        return td;
      };
      let result = status === "ok" ? "route found" : "no route";
      if (scenario && row.change) result = row.change.replace(/[-_]/g, " ");
      return el("tr", { class: `status-row-${status}` },
        el("th", { scope: "row" }, el("span", { class: "pick" },
          shown && status === "ok" ? el("span", { class: "dot", style: `background:${colour}` }) : el("span", { class: "dot", style: "background:transparent;border-color:transparent" }),
          rowName(row)),
          el("span", { class: `sub-line status-${status}` }, capitalise(result),
            reason && status !== "ok" ? ": " + shortReason(reason, row).replace(/^./, (c) => c.toLowerCase()) : "")),
        cell((r) => r.transit_hours, days, true),
        cell((r) => r.transit_hours_p50, days, true),
        cell((r) => r.transit_hours_p90, days, true),
        cell((r) => r.cost_usd, usd, true),
        cell((r) => r.co2e_kg, (v) => nf0.format(v), true),
        cell((r) => r.border_crossings, (v) => String(v), true));
    }));
    drawRoutes(drawn.map((d) => d.route), (i) => drawn[i].colour, () => {});
    drawn.forEach((d, i) => {
      const pair = state.routeLines[i];
      if (pair) pair.line.setTooltipContent(`<strong>${esc(d.name)}</strong>` + routeTooltip(d.route, i).replace(/^<strong>.*?<\/strong>/, ""));
    });
    const ok = rows.filter((r) => (scenario ? r.scenario_status : r.status) === "ok").length;
    setStatus(`Compared ${rows.length - 1} corridors and the best overall; ${ok} with a route.`);
  }
  // "no route from A to B on the <corridor name>: the corridor cannot connect them" -> the part after the name
  function shortReason(reason, row) {
    reason = humanise(reason);
    const name = row.corridor && row.corridor.name;
    const at = name ? reason.indexOf(name + ":") : -1;
    return capitalise(at >= 0 ? reason.slice(at + name.length + 1).trim() : reason);
  }

  // ---------- start ----------
  function wire() {
    combobox($("#origin"));
    combobox($("#destination"));
    $("#route-form").addEventListener("submit", (e) => { e.preventDefault(); submit(); });
    $("#swap").addEventListener("click", () => {
      const a = $("#origin").value;
      $("#origin").value = $("#destination").value;
      $("#destination").value = a;
    });
    $("#copy-link").addEventListener("click", async () => {
      const params = toParams(readForm(), { forApi: false });
      const link = location.origin + location.pathname + (params.toString() ? "?" + params : "");
      try { await navigator.clipboard.writeText(link); setStatus("Link copied."); } catch (e) { setStatus("Link: " + link); }
    });
    const tabs = [$("#tab-routes"), $("#tab-compare")];
    tabs.forEach((tab, i) => {
      tab.addEventListener("click", () => { if (state.view !== (i ? "compare" : "routes")) { setView(i ? "compare" : "routes"); syncUrlView(); } });
      tab.addEventListener("keydown", (e) => {
        if (e.key === "ArrowRight" || e.key === "ArrowLeft") { const other = tabs[1 - i]; other.focus(); other.click(); e.preventDefault(); }
      });
    });
    window.addEventListener("popstate", () => fromUrl());
  }
  function syncUrlView() {
    const params = new URLSearchParams(location.search);
    if (state.view === "compare") params.set("view", "compare"); else params.delete("view");
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
    if (params.get("from") && params.get("to")) submit({ fromUrl: true });
  }
  function fromUrl() {
    const params = new URLSearchParams(location.search);
    applyParams(params);
    setView(state.view, { quiet: true });
    if (params.get("from") && params.get("to")) return submit({ fromUrl: true });
    return Promise.resolve();
  }

  async function start() {
    ROUTE_COLOURS = palette("--route-colours");
    CORRIDOR_COLOURS = palette("--corridor-colours");
    document.body.classList.add("view-routes");
    wire();
    watchShipment();
    initMap();
    document.body.setAttribute("aria-busy", "true");
    setStatus("Loading the network…");
    try {
      await Promise.all([loadCountries(), loadNetwork(), loadCorridors(), loadScenarios()]);
      setStatus("");
    } catch (err) {
      showError(err instanceof ApiError ? err : { problem: { title: "The map could not be loaded", detail: String(err.message || err) } });
      setStatus("");
    } finally {
      document.body.removeAttribute("aria-busy");
    }
    document.body.dataset.ready = "true";
    await fromUrl();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
