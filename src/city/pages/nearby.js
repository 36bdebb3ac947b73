// "Which hall near me has the shortest wait for service X": the citizen picks a service and gives a
// place (the browser's location when allowed, or typed coordinates); GET /api/public/nearby answers
// with counts and estimates only. preact + htm, served from node_modules.
import { h, render } from '/vendor/preact.mjs';
import htm from '/vendor/htm.mjs';

const html = htm.bind(h);
const app = document.getElementById('app');
const params = new URLSearchParams(location.search);
let halls = [];
// What the form holds: kept across draws (preact would reset the inputs to their first value).
const form = { service: params.get('service') ?? '', lat: params.get('lat') ?? '', lon: params.get('lon') ?? '' };

async function services() {
  const body = await (await fetch('/api/city/halls')).json();
  const all = new Map();
  for (const hall of body.halls) for (const s of hall.services) all.set(s.serviceId, s.name);
  return [...all];
}

function Results({ list }) {
  if (list === undefined) return null;
  if (list.length === 0) return html`<p id="none">附近没有办理该业务的大厅 · No hall nearby offers this service</p>`;
  return html`<table id="results">
    <thead><tr><th>大厅 Hall</th><th>距离 Distance</th><th>等候 Waiting</th><th>开放窗口 Open windows</th><th>预计等候 Estimated wait</th></tr></thead>
    <tbody>${list.map(
      (x, i) => html`<tr class=${i === 0 ? 'best' : ''} data-hall=${x.hallId}><td>${x.name.zh} ${x.name.en}</td><td>${x.distanceKm} km</td><td>${x.waiting}</td><td>${x.openWindows}</td><td class="estimate">${x.estimatedWaitMinutes === null ? '暂无窗口 no window open' : `${x.estimatedWaitMinutes} 分钟 min`}</td></tr>`,
    )}</tbody>
  </table>`;
}

function draw(list, error) {
  render(
    html`<h1>附近等候最短的大厅 · Shortest wait near me</h1>
      <form id="ask" onSubmit=${(e) => { e.preventDefault(); void ask(); }}>
        <label>业务 Service <select name="service">${halls.map(([id, n]) => html`<option value=${id} selected=${form.service === id}>${n.zh} ${n.en}</option>`)}</select></label>
        <label>纬度 Lat <input name="lat" value=${form.lat} onInput=${(e) => (form.lat = e.target.value)} size="9" /></label>
        <label>经度 Lon <input name="lon" value=${form.lon} onInput=${(e) => (form.lon = e.target.value)} size="9" /></label>
        <button type="submit">查询 Search</button>
      </form>
      ${error ? html`<div id="error" class="offline" role="alert"><p lang="zh-CN">${error.zh}</p><p lang="en">${error.en}</p></div>` : ''}
      <${Results} list=${list} />
      <p><a href="/">全市概况 · City dashboard</a></p>`,
    app,
  );
}

async function ask() {
  const f = new FormData(document.getElementById('ask'));
  form.service = String(f.get('service') ?? '');
  form.lat = String(f.get('lat') ?? '').trim();
  form.lon = String(f.get('lon') ?? '').trim();
  const q = new URLSearchParams({ service: form.service, lat: form.lat, lon: form.lon });
  let res;
  let body;
  try {
    res = await fetch(`/api/public/nearby?${q}`);
    body = await res.json();
  } catch {
    return draw(undefined, { zh: '网络不通，请稍后再试', en: 'The network is down; please try again later' });
  }
  // The API's error names each field in Chinese and English (src/city/http.ts): shown as it is.
  if (!res.ok) return draw(undefined, { zh: body.error?.messageZh ?? '查询失败，请稍后再试', en: body.error?.message ?? 'The search failed; please try again later' });
  draw(body.halls);
  document.body.dataset.loaded = 'true';
}

halls = await services();
draw(undefined);
document.body.dataset.ready = 'true';
// A link with its query (/nearby?service=A&lat=…&lon=…) searches at once.
if (form.service && form.lat && form.lon) await ask();
