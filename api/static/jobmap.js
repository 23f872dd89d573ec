// What the Flows and Criticality views share: calling the API, the base map (outlines and the network),
// running a durable job (submit, poll, fetch its results and GeoJSON) and the demand-set choice.
window.JobMap = (() => {
  "use strict";

  async function api(path, init) {
    const response = await fetch(path, init);
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
    if (!response.ok) {
      const detail = body && (body.detail || body.title);
      throw new Error(detail || "HTTP " + response.status);
    }
    return { body, response };
  }

  function fmt(n, digits = 0) {
    return n === null || n === undefined ? "–" : Number(n).toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }

  // The map with country outlines and the network's links in grey; resolves to { map, network }.
  async function baseMap() {
    const map = L.map("map", { zoomSnap: 0.25 });
    map.createPane("countries").style.zIndex = 200;
    map.setView([44, 62], 4);
    const topo = await (await fetch("/static/vendor/world-atlas/countries-50m.json")).json();
    const countries = topojson.feature(topo, topo.objects.countries);
    countries.features = countries.features.filter((f) => f.id !== "010");
    L.geoJSON(countries, { pane: "countries", interactive: false, style: { color: "#b3ab9c", weight: 0.8, fillColor: "#f5f2ea", fillOpacity: 1 } }).addTo(map);
    const network = (await api("/v1/network")).body;
    L.geoJSON(network, { filter: (f) => f.geometry.type !== "Point", style: { color: "#c8c2b6", weight: 1, opacity: 0.8 }, interactive: false }).addTo(map);
    return { map, network };
  }

  // POST the body to a job endpoint, wait for the job (onStatus(status) while it runs), then fetch both results.
  async function runJob(path, body, noun, onStatus) {
    const { response } = await api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const location = response.headers.get("location");
    for (;;) {
      const job = (await api(location)).body;
      if (job.status === "done") break;
      if (job.status === "failed" || job.status === "cancelled") throw new Error(`the ${noun} ` + job.status + (job.error ? ": " + job.error : ""));
      onStatus(job.status);
      await new Promise((r) => setTimeout(r, 300));
    }
    const [result, geojson] = await Promise.all([api(location + "/results"), api(location + "/geojson")]);
    return { result: result.body, geojson: geojson.body };
  }

  // Fill a select with the bundled demand sets (uz_kz_2030 chosen) and keep a description beside it.
  async function demandChoices(select, description, noneText) {
    const sets = (await api("/v1/demand")).body.demand_sets;
    for (const s of sets) select.append(new Option(s.title, s.name, s.name === "uz_kz_2030", s.name === "uz_kz_2030"));
    const describe = () => {
      const s = sets.find((x) => x.name === select.value);
      description.textContent = s ? s.description : noneText || "";
    };
    select.addEventListener("change", describe);
    describe();
  }

  return { api, fmt, baseMap, runJob, demandChoices };
})();
