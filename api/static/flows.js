// The Flows view: assign a bundled demand set (POST /v1/assignments), then draw the links by TEU a year
// (line width) and V/C (colour), and list the bottlenecks and corridor shares.
(() => {
  "use strict";
  const $ = (s) => document.querySelector(s);
  const state = { map: null, layer: null };

  async function api(path, init) {
    const response = await fetch(path, init);
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
    if (!response.ok) {
      const detail = body && (body.detail || body.title);
      throw new Error(detail || "HTTP " + response.status);
    }
    return { body, response };
  }

  function colour(vc) {
    if (vc === null || vc === undefined) return "#5c7cfa";
    if (vc > 1) return "#c92a2a";
    if (vc > 0.9) return "#e8590c";
    if (vc > 0.7) return "#e8a317";
    return "#2b8a3e";
  }

  function fmt(n, digits = 0) {
    return n === null || n === undefined ? "–" : Number(n).toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }

  async function setupMap() {
    const map = L.map("map", { zoomSnap: 0.25 });
    map.createPane("countries").style.zIndex = 200;
    map.setView([44, 62], 4);
    state.map = map;
    const topo = await (await fetch("/static/vendor/world-atlas/countries-50m.json")).json();
    const countries = topojson.feature(topo, topo.objects.countries);
    countries.features = countries.features.filter((f) => f.id !== "010");
    L.geoJSON(countries, { pane: "countries", interactive: false, style: { color: "#b3ab9c", weight: 0.8, fillColor: "#f5f2ea", fillOpacity: 1 } }).addTo(map);
    const net = (await api("/v1/network")).body;
    L.geoJSON(net, {
      filter: (f) => f.geometry.type !== "Point",
      style: { color: "#c8c2b6", weight: 1, opacity: 0.8 },
      interactive: false,
    }).addTo(map);
  }

  async function loadChoices() {
    const sets = (await api("/v1/demand")).body.demand_sets;
    const select = $("#demand");
    for (const s of sets) select.append(new Option(s.title, s.name, s.name === "uz_kz_2030", s.name === "uz_kz_2030"));
    const describe = () => {
      const s = sets.find((x) => x.name === select.value);
      $("#demand-description").textContent = s ? s.description : "";
    };
    select.addEventListener("change", describe);
    describe();
    const scenarios = (await api("/v1/scenarios")).body;
    for (const s of scenarios.scenarios || []) $("#flows-scenario").append(new Option(s.title || s.name, s.id || s.name));
  }

  async function poll(location) {
    for (;;) {
      const job = (await api(location)).body;
      if (job.status === "done") return job;
      if (job.status === "failed" || job.status === "cancelled") throw new Error("the assignment " + job.status + (job.error ? ": " + job.error : ""));
      $("#flows-status").textContent = "Assigning… (" + job.status + ")";
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  function draw(geojson, result) {
    if (state.layer) state.layer.remove();
    const lines = geojson.features.filter((f) => f.properties.kind === "link" && f.properties.teu_per_year > 0);
    const max = Math.max(1, ...lines.map((f) => f.properties.teu_per_year));
    state.layer = L.geoJSON({ type: "FeatureCollection", features: lines }, {
      style: (f) => ({
        color: colour(f.properties.vc),
        weight: 1.5 + 12 * Math.sqrt(f.properties.teu_per_year / max),
        opacity: 0.9,
        lineCap: "round",
      }),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        layer.bindTooltip(
          `${p.name}<br>${fmt(p.forward_teu_per_year)} / ${fmt(p.reverse_teu_per_year)} TEU-eq a year each way` +
            (p.vc !== null ? `<br>V/C ${fmt(p.vc, 2)}, queue ${fmt(p.queue_days, 1)} days` : ""),
        );
      },
    }).addTo(state.map);
    // Borders, yards and ports with capacity: a dot coloured by their worst V/C.
    const places = geojson.features.filter((f) => f.properties.kind === "place");
    L.geoJSON({ type: "FeatureCollection", features: places }, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1.5, fillColor: colour(f.properties.vc), fillOpacity: 1 }),
      onEachFeature: (f, layer) => {
        const lines = f.properties.assets.map((a) => `${a.name} (${a.direction}): V/C ${fmt(a.vc, 2)}, queue ${fmt(a.queue_days, 1)} d`);
        layer.bindTooltip(lines.join("<br>"));
      },
    }).addTo(state.layer);
    if (lines.length) state.map.fitBounds(L.geoJSON({ type: "FeatureCollection", features: lines }).getBounds(), { padding: [20, 20] });
    const tbody = $("#bottlenecks tbody");
    tbody.replaceChildren();
    for (const a of result.bottlenecks.slice(0, 12)) {
      const tr = document.createElement("tr");
      const teu = a.capacity_teu_per_year !== null;
      const cells = [a.name, a.direction, fmt(teu ? a.teu_per_year : a.tonnes_per_year) + (teu ? " TEU-eq" : " t"),
        fmt(teu ? a.capacity_teu_per_year : a.capacity_tonnes_per_year) + (teu ? " TEU-eq" : " t"), fmt(a.vc, 2), fmt(a.queue_days, 1)];
      cells.forEach((text, i) => {
        const td = document.createElement("td");
        td.textContent = text;
        if (i >= 2) td.className = "num";
        if (i === 4 && a.vc > 0.9) td.classList.add("vc-high");
        tr.append(td);
      });
      tbody.append(tr);
    }
    const shares = $("#corridor-shares tbody");
    shares.replaceChildren();
    for (const c of result.corridors) {
      const tr = document.createElement("tr");
      for (const [i, text] of [c.name, fmt(c.teu_per_year), fmt(100 * c.share, 1) + " %"].entries()) {
        const td = document.createElement("td");
        td.textContent = text;
        if (i) td.className = "num";
        tr.append(td);
      }
      shares.append(tr);
    }
    const t = result.totals;
    $("#flows-summary").textContent =
      `${fmt(t.teu_per_year)} TEU-eq (${fmt(t.tonnes_per_year / 1e6, 2)} Mt) a year; unserved ${fmt(t.unserved_teu_per_year)} TEU-eq; ` +
      `${result.method}, relative gap ${Number(result.gap).toExponential(1)} after ${result.iterations} iteration(s)` +
      (result.converged ? "" : " (not converged)") + (result.scenario ? `; scenario ${result.scenario}` : "");
    $("#flows-heading").textContent = "Flows: " + $("#demand").selectedOptions[0].textContent;
    $("#flows-empty").hidden = true;
    $("#flows-out").hidden = false;
  }

  async function submit() {
    $("#flows-error").hidden = true;
    $("#assign").disabled = true;
    $("#flows-status").textContent = "Submitting…";
    try {
      const body = { demand: $("#demand").value, method: $("#method").value, capacity_mode: $("#capacity-mode").value };
      if ($("#flows-scenario").value) body.scenario = $("#flows-scenario").value;
      const { response } = await api("/v1/assignments", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const location = response.headers.get("location");
      await poll(location);
      const [result, geojson] = await Promise.all([api(location + "/results"), api(location + "/geojson")]);
      draw(geojson.body, result.body);
      $("#flows-status").textContent = "Done.";
    } catch (err) {
      $("#flows-error").textContent = err.message;
      $("#flows-error").hidden = false;
      $("#flows-status").textContent = "";
    } finally {
      $("#assign").disabled = false;
    }
  }

  async function start() {
    try {
      await setupMap();
      await loadChoices();
    } catch (err) {
      $("#flows-error").textContent = "The map could not load: " + err.message;
      $("#flows-error").hidden = false;
    }
    $("#flows-form").addEventListener("submit", (e) => { e.preventDefault(); submit(); });
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
