// The city dashboard: every hall's open windows, waiting per service, mean wait now and today, and
// today's satisfaction, from GET /api/city/halls every 5 s. preact + htm, served from node_modules.
import { h, render } from '/vendor/preact.mjs';
import htm from '/vendor/htm.mjs';

const html = htm.bind(h);
const min = (x) => (x === null ? '—' : `${x.toFixed(1)} 分钟 min`);
const pct = (x) => (x === null ? '—' : `${Math.round(x * 100)}%`);

function Hall({ hall }) {
  return html`<section class="hall" data-hall=${hall.hallId}>
    <h2>${hall.name.zh} · ${hall.name.en} ${hall.online === true ? '' : hall.online === null ? html`<span class="offline unknown">状态未知 unknown</span>` : html`<span class="offline">离线 offline</span>`}</h2>
    ${hall.day === null && hall.lastSeq === 0 && hall.services.length === 0 ? html`<p class="never">尚未连接 never connected</p>` : ''}
    <p>开放窗口 Open windows: <b class="open-windows">${hall.openWindows}</b> · 满意度 Satisfaction: <b class="satisfaction">${pct(hall.satisfaction)}</b> (${hall.ratings} 评价 ratings)</p>
    <table>
      <thead><tr><th>业务 Service</th><th>等候 Waiting</th><th>当前平均等候 Mean wait now</th><th>今日平均等候 Mean wait today</th></tr></thead>
      <tbody>${hall.services.map(
        (s) => html`<tr data-service=${s.serviceId}><td>${s.name.zh} ${s.name.en}</td><td class="waiting">${s.waiting}</td><td>${min(s.meanWaitNowMinutes)}</td><td>${min(s.meanWaitTodayMinutes)}</td></tr>`,
      )}</tbody>
    </table>
  </section>`;
}

async function refresh() {
  const res = await fetch('/api/city/halls');
  const body = await res.json();
  const app = document.getElementById('app');
  // The static "Loading…" is not preact's: render would keep it under the last hall.
  if (app.dataset.rendered !== 'true') (app.textContent = ''), (app.dataset.rendered = 'true');
  render(
    html`<h1>${body.city.name.zh} 政务大厅实时排队 · ${body.city.name.en} halls now</h1>
      ${body.cityConnected === false ? html`<p id="not-live" class="offline" role="alert">市级服务未连接消息集群，数据并非实时 · The city service is not connected to the cluster: figures are not live</p>` : ''}
      <p><a href="/nearby">附近哪个大厅等候最短 · Shortest wait near me</a></p>
      ${body.halls.map((hall) => html`<${Hall} hall=${hall} />`)}`,
    app,
  );
  document.body.dataset.loaded = 'true';
}

await refresh();
setInterval(() => void refresh().catch(() => undefined), 5000);
