// The Criticality view: rank the network's assets (POST /v1/criticality), colour them on the map by rank, list
// them, and on a click show where the asset's flow goes (the links its diverted flow takes) and where it went.
(() => {
  "use strict";
  const $ = (s) => document.querySelector(s);
  const { fmt } = window.JobMap;
  const state = { map: null, assets: null, picked: null, links: new Map(), places: new Map(), result: null, byId: new Map(), markers: new Map() };

  function signed(n, digits = 1) {
    if (n === null || n === undefined) return "–";
    return (n > 0 ? "+" : "") + fmt(n, digits);
  }

  function colour(a) {
    if (a.lost_teu > 0.5) return "#7b1113";
    if (!a.pairs) return "#adb5bd";
    if (a.rank <= 10) return "#c92a2a";
    if (a.rank <= 30) return "#e8590c";
    return "#e8a317";
  }

  function placeName(id) {
    return state.places.get(id) || id;
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  async function setupMap() {
    const { map, network } = await window.JobMap.baseMap();
    map.createPane("flow").style.zIndex = 450;
    state.map = map;
    for (const f of network.features) {
      if (f.geometry.type === "Point") state.places.set(f.properties.id, f.properties.name);
      else state.links.set(f.properties.id, f.geometry.coordinates.map(([lon, lat]) => [lat, lon]));
    }
  }

  async function loadChoices() {
    await window.JobMap.demandChoices($("#demand"), $("#demand-description"), "Without demand, volumes count OD pairs and capacity is not checked.");
    $("#closure").addEventListener("change", () => {
      const partial = $("#closure").value === "partial";
      $("#fraction").disabled = !partial;
      if (partial && Number($("#days").value) === 365) $("#days").value = 7;
    });
  }

  function tooltip(a) {
    const lines = [`#${a.rank} ${a.name} (${a.facility})`];
    if (!a.pairs) lines.push(a.note || "no flow uses it");
    else {
      lines.push(`${fmt(a.teu_per_year)} TEU-eq a year moved; +${fmt(a.extra_days, 1)} days each`);
      if (a.lost_teu > 0.5) lines.push(`${fmt(a.lost_teu)} TEU-eq stranded`);
    }
    return lines.map((t) => t.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c])).join("<br>");
  }

  function drawAssets(geojson) {
    if (state.assets) state.assets.remove();
    state.markers.clear();
    const group = L.layerGroup().addTo(state.map);
    // Least critical first, so the most critical are drawn on top.
    const features = geojson.features.slice().sort((x, y) => y.properties.rank - x.properties.rank);
    for (const f of features) {
      const a = f.properties;
      let layer;
      if (f.geometry.type === "LineString") {
        const latlngs = f.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
        layer = L.polyline(latlngs, { color: colour(a), weight: a.pairs ? (a.rank <= 30 ? 5 : 3) : 1.5, opacity: a.pairs ? 0.95 : 0.5, className: "asset asset-link" });
      } else {
        const [lon, lat] = f.geometry.coordinates;
        layer = L.circleMarker([lat, lon], { radius: a.pairs ? (a.rank <= 30 ? 8 : 6) : 4, color: "#fff", weight: 1.5, fillColor: colour(a), fillOpacity: 1, className: "asset asset-place" });
      }
      layer.bindTooltip(tooltip(a));
      layer.on("click", () => pick(a.asset, { fit: false }));
      layer.addTo(group);
      state.markers.set(a.asset, layer);
    }
    state.assets = group;
  }

  function renderRanking(result) {
    const tbody = $("#ranking tbody");
    tbody.replaceChildren();
    for (const a of result.assets.filter((x) => x.assessed).slice(0, 60)) {
      const tr = document.createElement("tr");
      tr.dataset.asset = a.asset;
      tr.tabIndex = 0;
      tr.setAttribute("aria-selected", "false");
      const moves = a.corridors.slice(0, 2).map((c) => (c.id || "off corridors") + " " + fmt((100 * c.teu) / Math.max(a.diverted_teu, 1e-9)) + " %").join(", ");
      const cells = [
        [String(a.rank), "num"],
        [a.name, ""],
        [fmt(a.teu_per_year), "num"],
        [a.lost_teu > 0.5 ? fmt(a.lost_teu) : "0", a.lost_teu > 0.5 ? "num lost" : "num"],
        [signed(a.extra_days), "num"],
        [signed(a.extra_days_p90), "num"],
        [a.diverted_teu > 0 ? signed(a.extra_usd / 1e6, 2) : "–", "num"],
        [moves || a.note || "–", ""],
      ];
      for (const [text, cls] of cells) tr.append(el("td", text, cls));
      tr.addEventListener("click", () => pick(a.asset, { fit: true }));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(a.asset, { fit: true }); } });
      tbody.append(tr);
    }
    const notes = $("#crit-notes");
    notes.replaceChildren(...result.notes.map((n) => el("li", n)));
  }

  function routeText(route) {
    const names = route.places.map(placeName);
    const via = names.length > 4 ? [names[0], "…", ...names.slice(-3)] : names;
    return `${via.join(" › ")} (${fmt(route.hours / 24, 1)} d${route.corridor ? ", " + route.corridor : ""})`;
  }

  function pick(assetId, { fit }) {
    const a = state.byId.get(assetId);
    if (!a) return;
    for (const tr of document.querySelectorAll("#ranking tbody tr")) tr.setAttribute("aria-selected", String(tr.dataset.asset === assetId));
    if (state.picked) state.picked.remove();
    const group = L.layerGroup().addTo(state.map);
    const bounds = L.latLngBounds([]);
    const widest = Math.max(1e-9, ...a.diverted_links.map((d) => d.teu), ...a.vacated_links.map((d) => d.teu));
    for (const d of a.vacated_links) {
      const latlngs = state.links.get(d.link);
      if (!latlngs) continue;
      L.polyline(latlngs, { pane: "flow", color: "#7a4b3a", weight: 2 + 6 * Math.sqrt(d.teu / widest), opacity: 0.8, dashArray: "6 6", className: "vacated", interactive: false }).addTo(group);
      bounds.extend(latlngs);
    }
    for (const d of a.diverted_links) {
      const latlngs = state.links.get(d.link);
      if (!latlngs) continue;
      L.polyline(latlngs, { pane: "flow", color: "#1d5f8a", weight: 2 + 8 * Math.sqrt(d.teu / widest), opacity: 0.9, className: "diverted", interactive: false })
        .addTo(group);
      bounds.extend(latlngs);
    }
    state.picked = group;
    const marker = state.markers.get(assetId);
    if (marker && marker.bringToFront) marker.bringToFront();
    if (fit && bounds.isValid()) state.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 7 });
    $("#detail-heading").textContent = `#${a.rank} ${a.name} (${a.facility})`;
    const parts = [];
    if (!a.pairs) parts.push(a.note || "No flow uses it.");
    else {
      parts.push(`${fmt(a.teu_per_year)} TEU-eq a year must move (${fmt(a.teu)} during the closure): ${fmt(a.diverted_teu)} diverted, ${fmt(a.isolated_teu)} with no other route, ${fmt(a.unserved_teu)} finding every other route full.`);
      if (a.diverted_teu > 0) parts.push(`Each diverted TEU-eq: ${signed(a.extra_days)} days (P90 ${signed(a.extra_days_p90)}), ${signed(a.extra_usd_per_teu, 0)} USD; in all ${signed(a.extra_usd / 1e6, 2)} M USD and ${signed(a.extra_co2e_t, 0)} t CO₂e.`);
      const moves = a.corridors.map((c) => `${c.name} ${fmt(c.teu)} TEU-eq`).join("; ");
      if (moves) parts.push(`Moves to: ${moves}.`);
      const busiest = a.queues.filter((q) => q.took_flow && q.asset !== a.asset).sort((x, y) => y.vc_after - x.vc_after)[0];
      if (busiest) parts.push(`Busiest fallback: ${busiest.name} (${busiest.direction}), V/C ${fmt(busiest.vc_before, 2)} → ${fmt(busiest.vc_after, 2)}${busiest.full ? ", full" : ""}.`);
    }
    $("#detail-summary").textContent = parts.join(" ");
    const tbody = $("#detail-flows tbody");
    tbody.replaceChildren();
    for (const f of a.flows.slice(0, 8)) {
      const tr = document.createElement("tr");
      tr.append(el("td", `${placeName(f.origin)} → ${placeName(f.destination)} (${f.status})`));
      tr.append(el("td", fmt(f.moved_teu_per_year), "num"));
      tr.append(el("td", routeText(f.before), "places"));
      tr.append(el("td", f.after.length ? f.after.map((d) => routeText(d.route)).join("; ") : "no route", "places"));
      tbody.append(tr);
    }
    $("#detail-flows").hidden = a.flows.length === 0;
    $("#crit-detail").hidden = false;
    $("#crit-detail").scrollIntoView({ block: "start" });
    document.body.dataset.picked = assetId;
  }

  function describe(result) {
    const what = result.closure === "full" ? "closed" : `capacity cut by ${fmt(100 * result.fraction)} %`;
    const demand = result.weighting === "demand" ? `demand ${result.demand}, ${fmt(result.teu_per_year)} TEU-eq a year` : "every OD pair weighted equally";
    return `${result.assets_total} assets, each ${what} for ${fmt(result.days)} day(s); ${demand}; ${result.pairs} OD pairs; ` +
      `ranked by ${result.metric}, stranded volume first; ${fmt(result.seconds, 1)} s. Pick an asset to see where its flow goes.`;
  }

  async function submit() {
    $("#crit-error").hidden = true;
    $("#rank").disabled = true;
    $("#crit-status").textContent = "Submitting…";
    try {
      const body = { closure: $("#closure").value, days: Number($("#days").value), criterion: $("#criterion").value, max_flows: 20 };
      if ($("#demand").value) body.demand = $("#demand").value;
      if ($("#kinds").value) body.kinds = $("#kinds").value.split(",");
      if (body.closure === "partial") body.fraction = Number($("#fraction").value);
      const { result, geojson } = await window.JobMap.runJob("/v1/criticality", body, "criticality run", (status) => {
        $("#crit-status").textContent = "Closing each asset in turn… (" + status + ")";
      });
      state.result = result;
      state.byId = new Map(result.assets.map((a) => [a.asset, a]));
      drawAssets(geojson);
      renderRanking(result);
      $("#crit-summary").textContent = describe(result);
      $("#crit-detail").hidden = true;
      if (state.picked) state.picked.remove();
      $("#crit-empty").hidden = true;
      $("#crit-out").hidden = false;
      $("#crit-status").textContent = "Done.";
      document.body.dataset.ranked = "true";
    } catch (err) {
      $("#crit-error").textContent = err.message;
      $("#crit-error").hidden = false;
      $("#crit-status").textContent = "";
    } finally {
      $("#rank").disabled = false;
    }
  }

  async function start() {
    try {
      await setupMap();
      await loadChoices();
    } catch (err) {
      $("#crit-error").textContent = "The map could not load: " + err.message;
      $("#crit-error").hidden = false;
    }
    $("#crit-form").addEventListener("submit", (e) => { e.preventDefault(); submit(); });
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
