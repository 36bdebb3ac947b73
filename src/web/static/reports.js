// The reports page (/reports, managers): figures for a day, week, month or any range, charts (chart.js)
// and tables, CSV and XLSX downloads. Preact + htm, all served by the hall server (no CDN).
import { h, render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { signOut } from '/web/live.js';
import { hallDay, hallIsoDate } from '/web/hall-time.js';

const html = htm.bind(h);
const Chart = globalThis.Chart;
// Chart text and grid lines in the page's colours: chart.js's default grey (#666) reads 2:1 on the dark
// panel. Only the scales' grid, not Chart.defaults.borderColor, which would turn off the default dataset colours.
if (Chart) {
  Chart.defaults.color = '#c9d6ea';
  Chart.defaults.scale.grid.color = '#2a4a78';
}

const groupNames = { service: '业务', window: '窗口', staff: '工作人员', hour: '时段', day: '日期' };
const gradeNames = ['非常满意', '满意', '基本满意', '不满意', '非常不满意'];
const r1 = (x) => (x === null || x === undefined ? '—' : (Math.round(x * 10) / 10).toFixed(1));
const pct = (x) => (x === null || x === undefined ? '—' : `${(Math.round(x * 1000) / 10).toFixed(1)}%`);
const columns = [
  ['取号', (r) => r.issued], ['办结', (r) => r.served], ['过号', (r) => r.noShow], ['取消', (r) => r.cancelled], ['作废', (r) => r.voided], ['拒绝取号', (r) => r.refused ?? '—'],
  ['平均等候(分)', (r) => r1(r.waitMeanMin)], ['等候中位数', (r) => r1(r.waitP50Min)], ['等候P90', (r) => r1(r.waitP90Min)], ['最长等候', (r) => r1(r.waitMaxMin)],
  ['平均办理(分)', (r) => r1(r.serviceMeanMin)], ['办理P90', (r) => r1(r.serviceP90Min)],
  ['开窗(分)', (r) => r1(r.openMin)], ['暂停(分)', (r) => r1(r.pausedMin)], ['忙碌(分)', (r) => r1(r.busyMin)], ['利用率', (r) => pct(r.utilisation)],
  ['评价数', (r) => r.rated], ['满意率', (r) => pct(r.satisfaction)], ['差评', (r) => r.bad], ['回访率', (r) => pct(r.followUpRate)],
  ['回复率', (r) => pct(r.replyRate)], ['整改率', (r) => pct(r.rectificationRate)], ['不属实率', (r) => pct(r.untrueRate)], ['平均回访用时(时)', (r) => r1(r.followUpMeanHours)],
  ['签到时长(分)', (r) => r1(r.signedInMin)], ['AB岗接替', (r) => r.takeovers],
];

/**
 * The preset ranges in the hall's days (utcOffsetMinutes from /api/hall), not the browser's: a manager's
 * laptop on UTC at 00:30 hall time would otherwise ask for yesterday, or last month on the 1st.
 */
function preset(kind, offsetMinutes, ms = Date.now()) {
  const today = hallIsoDate(offsetMinutes, ms);
  const { year, month, day, weekday } = hallDay(offsetMinutes, ms);
  if (kind === 'day') return [today, today];
  if (kind === 'week') {
    // Monday of the hall's week: whole days back from the hall's today (a calendar walk, no zone involved).
    const monday = new Date(Date.UTC(year, month - 1, day - ((weekday + 6) % 7)));
    return [monday.toISOString().slice(0, 10), today];
  }
  return [`${today.slice(0, 8)}01`, today];
}

/** The hall's offset from UTC (the public snapshot carries it); the schema's default when it cannot be read. */
async function hallOffset() {
  try {
    const res = await fetch('/api/hall', { credentials: 'same-origin' });
    const body = res.ok ? await res.json() : undefined;
    return { offset: typeof body?.utcOffsetMinutes === 'number' ? body.utcOffsetMinutes : 480, name: typeof body?.hall?.zh === 'string' ? body.hall.zh : '' };
  } catch {
    return { offset: 480, name: '' };
  }
}

function ChartBox({ id, config }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!Chart || !ref.current) return undefined;
    const chart = new Chart(ref.current, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
    return () => chart.destroy();
  }, [JSON.stringify(config)]);
  return html`<div><canvas id=${id} ref=${ref} role="img" aria-label=${config.title}></canvas></div>`;
}

function Table({ rows, total, by }) {
  return html`<div class="scroll"><table id=${`table-${by}`}>
    <thead><tr><th>${groupNames[by]}</th>${columns.map(([name]) => html`<th>${name}</th>`)}</tr></thead>
    <tbody>${[...rows, total].map((r) => html`<tr><td>${r.label}</td>${columns.map(([, f]) => html`<td>${f(r)}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}

function App() {
  // ?from=…&to=… (a link to a given period) or this month of the hall, once its offset is known.
  const params = new URLSearchParams(location.search);
  const [offset, setOffset] = useState(null);
  // The hall's name in the header, from the hall (not from a report: a refused period has none).
  const [hallName, setHallName] = useState('');
  // A link naming a period is taken as written, even half or wrong: the API's refusal says what is wrong with it,
  // where falling back to this month would show figures the link did not ask for.
  const [range, setRange] = useState(params.has('from') || params.has('to') ? [params.get('from') ?? '', params.get('to') ?? ''] : null);
  const [by, setBy] = useState('service');
  const [report, setReport] = useState(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    void hallOffset().then((h) => {
      setOffset(h.offset);
      setHallName(h.name);
      setRange((r) => r ?? preset('month', h.offset));
    });
  }, []);
  const query = range ? `from=${range[0]}&to=${range[1]}` : '';
  useEffect(() => {
    if (!range) return;
    setError('');
    setLoading(true);
    fetch(`/api/reports?${query}`, { credentials: 'same-origin' })
      .then(async (res) => {
        const body = await res.json();
        // The API's words as they come (reversed days too: it names both), Chinese, then English.
        if (!res.ok) throw new Error([body.error?.messageZh, body.error?.message].filter(Boolean).join(' · ') || res.statusText);
        setReport(body);
      })
      .catch((e) => {
        // No figures of another period under the refused one's dates.
        setReport(null);
        setError(String(e.message ?? e));
      })
      .finally(() => setLoading(false));
  }, [query]);
  const t = report?.total;
  const byHour = report?.groups.hour ?? [];
  const byDay = report?.groups.day ?? [];
  const rows = report?.groups[by] ?? [];
  return html`<div class="reports">
    <header><h1>统计报表 · Reports ${report?.hall || hallName ? html`<span class="muted" id="hall-name">${report?.hall || hallName}</span>` : null}</h1> <a href="/admin">返回大厅管理</a> <button id="logout" onClick=${() => signOut()}>退出登录 Sign out</button></header>
    <main>
      <section class="panel"><form onSubmit=${(e) => e.preventDefault()}>
        <button type="button" id="preset-day" disabled=${offset === null} onClick=${() => setRange(preset('day', offset))}>今日</button>
        <button type="button" id="preset-week" disabled=${offset === null} onClick=${() => setRange(preset('week', offset))}>本周</button>
        <button type="button" id="preset-month" disabled=${offset === null} onClick=${() => setRange(preset('month', offset))}>本月</button>
        <label>起始日期<input type="date" id="from" value=${range?.[0] ?? ''} onChange=${(e) => setRange([e.currentTarget.value, range?.[1] ?? e.currentTarget.value])} /></label>
        <label>截止日期<input type="date" id="to" value=${range?.[1] ?? ''} onChange=${(e) => setRange([range?.[0] ?? e.currentTarget.value, e.currentTarget.value])} /></label>
        <label>分组<select id="by" value=${by} onChange=${(e) => setBy(e.currentTarget.value)}>${Object.entries(groupNames).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select></label>
        ${report && !error
          ? html`<a id="csv" href=${`/api/reports.csv?${query}&by=${by}`} download>下载 CSV</a> <a id="xlsx" href=${`/api/reports.xlsx?${query}`} download>下载 Excel</a>`
          : html`<span id="csv" class="muted" aria-disabled="true">下载 CSV</span> <span id="xlsx" class="muted" aria-disabled="true">下载 Excel</span>`}
      </form>${error ? html`<p class="banner bad" role="alert" id="error">${error}</p>` : loading ? html`<p class="muted" id="loading">正在加载报表… · Loading the report…</p>` : null}</section>
      ${t ? html`
      <section class="panel"><h2>汇总 · ${report.from} 至 ${report.to}</h2><div class="figs" id="figs">
        <div><b id="fig-issued">${t.issued}</b>取号</div><div><b id="fig-served">${t.served}</b>办结</div>
        <div><b id="fig-wait">${r1(t.waitMeanMin)}</b>平均等候(分)</div><div><b id="fig-p90">${r1(t.waitP90Min)}</b>等候P90(分)</div>
        <div><b id="fig-satisfaction">${pct(t.satisfaction)}</b>满意率</div><div><b id="fig-bad">${t.bad}</b>差评</div>
        <div><b id="fig-followup">${pct(t.followUpRate)}</b>差评回访率</div><div><b id="fig-util">${pct(t.utilisation)}</b>窗口利用率</div>
      </div></section>
      <section class="panel charts">
        <${ChartBox} id="chart-hour" config=${{ type: 'bar', title: '各时段取号与办结', data: { labels: byHour.map((r) => r.label), datasets: [{ label: '取号', data: byHour.map((r) => r.issued) }, { label: '办结', data: byHour.map((r) => r.served) }] }, options: { plugins: { title: { display: true, text: '各时段取号与办结' } } } }} />
        <${ChartBox} id="chart-day" config=${{ type: 'line', title: '每日平均等候与P90（分钟）', data: { labels: byDay.map((r) => r.label), datasets: [{ label: '平均等候', data: byDay.map((r) => r.waitMeanMin) }, { label: '等候P90', data: byDay.map((r) => r.waitP90Min) }] }, options: { plugins: { title: { display: true, text: '每日平均等候与P90（分钟）' } } } }} />
        <${ChartBox} id="chart-grades" config=${{ type: 'doughnut', title: '好差评', data: { labels: gradeNames, datasets: [{ label: '评价', data: t.grades }] }, options: { plugins: { title: { display: true, text: '好差评' } } } }} />
        <${ChartBox} id="chart-window" config=${{ type: 'bar', title: '窗口利用率', data: { labels: report.groups.window.map((r) => r.label), datasets: [{ label: '利用率 %', data: report.groups.window.map((r) => (r.utilisation === null ? 0 : Math.round(r.utilisation * 1000) / 10)) }] }, options: { plugins: { title: { display: true, text: '窗口利用率' } } } }} />
      </section>
      <section class="panel"><h2>按${groupNames[by]}统计</h2><${Table} rows=${rows} total=${t} by=${by} /></section>
      ${Object.keys(report.refusedByReason).length ? html`<section class="panel"><h2>拒绝取号原因</h2><table id="refusals">${Object.entries(report.refusedByReason).map(([k, n]) => html`<tr><td>${report.refusedReasonNames?.[k] ?? k}</td><td>${n}</td></tr>`)}</table></section>` : null}
      ` : null}
    </main>
  </div>`;
}

// The page's static "loading" line is not Preact's: Preact keeps a parent's foreign children, so it
// stayed under the figures (issue 13). The app shows its own loading line until the data or an error.
const app = document.getElementById('app');
app.replaceChildren();
render(html`<${App} />`, app);
