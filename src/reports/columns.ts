import type { GroupBy, Report, ReportRow } from './query.js';

/** One column of a report table: its Chinese header, English key and value (numbers rounded for reading). */
export interface Column {
  key: string;
  zh: string;
  value(r: ReportRow): string | number | null;
}

const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);

export const groupNames: Record<GroupBy, string> = { service: '业务', window: '窗口', staff: '工作人员', hour: '时段', day: '日期' };

/** The columns of every report table, CSV, XLSX sheet and `hallq report` (minutes to 0.1, rates in %). */
export const columns: readonly Column[] = [
  { key: 'issued', zh: '取号', value: (r) => r.issued },
  { key: 'served', zh: '办结', value: (r) => r.served },
  { key: 'noShow', zh: '过号', value: (r) => r.noShow },
  { key: 'cancelled', zh: '取消', value: (r) => r.cancelled },
  { key: 'voided', zh: '作废', value: (r) => r.voided },
  { key: 'expired', zh: '未办', value: (r) => r.expired },
  { key: 'refused', zh: '拒绝取号', value: (r) => r.refused },
  { key: 'waitMeanMin', zh: '平均等候(分)', value: (r) => r1(r.waitMeanMin) },
  { key: 'waitP50Min', zh: '等候中位数(分)', value: (r) => r1(r.waitP50Min) },
  { key: 'waitP90Min', zh: '等候P90(分)', value: (r) => r1(r.waitP90Min) },
  { key: 'waitMaxMin', zh: '最长等候(分)', value: (r) => r1(r.waitMaxMin) },
  { key: 'serviceMeanMin', zh: '平均办理(分)', value: (r) => r1(r.serviceMeanMin) },
  { key: 'serviceP90Min', zh: '办理P90(分)', value: (r) => r1(r.serviceP90Min) },
  { key: 'openMin', zh: '开窗(分)', value: (r) => r1(r.openMin) },
  { key: 'pausedMin', zh: '暂停(分)', value: (r) => r1(r.pausedMin) },
  { key: 'busyMin', zh: '忙碌(分)', value: (r) => r1(r.busyMin) },
  { key: 'utilisation', zh: '利用率%', value: (r) => pct(r.utilisation) },
  { key: 'rated', zh: '评价数', value: (r) => r.rated },
  { key: 'g1', zh: '非常满意', value: (r) => r.grades[0] },
  { key: 'g2', zh: '满意', value: (r) => r.grades[1] },
  { key: 'g3', zh: '基本满意', value: (r) => r.grades[2] },
  { key: 'g4', zh: '不满意', value: (r) => r.grades[3] },
  { key: 'g5', zh: '非常不满意', value: (r) => r.grades[4] },
  { key: 'satisfaction', zh: '满意率%', value: (r) => pct(r.satisfaction) },
  { key: 'bad', zh: '差评', value: (r) => r.bad },
  { key: 'followUpRate', zh: '差评整改回访率%', value: (r) => pct(r.followUpRate) },
  { key: 'replyRate', zh: '回复率%', value: (r) => pct(r.replyRate) },
  { key: 'rectificationRate', zh: '整改率%', value: (r) => pct(r.rectificationRate) },
  { key: 'untrueRate', zh: '不属实率%', value: (r) => pct(r.untrueRate) },
  { key: 'followUpMeanHours', zh: '平均回访用时(时)', value: (r) => r1(r.followUpMeanHours) },
  { key: 'signedInMin', zh: '签到时长(分)', value: (r) => r1(r.signedInMin) },
  { key: 'takeovers', zh: 'AB岗接替', value: (r) => r.takeovers },
];

/** The rows of one table: the chosen grouping, then the hall total. */
export function tableRows(report: Report, by: GroupBy): { head: string[]; rows: (string | number | null)[][] } {
  const head = [groupNames[by], ...columns.map((c) => c.zh)];
  const rows = [...report.groups[by], report.total].map((r) => [r.label, ...columns.map((c) => c.value(r))]);
  return { head, rows };
}

const csvCell = (v: string | number | null): string => {
  if (v === null) return '';
  const s = String(v);
  // Quote what CSV needs quoted; a leading = + - @ is prefixed so a spreadsheet does not run it as a formula.
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** CSV (RFC 4180, CRLF, UTF-8 with a BOM so Excel reads the Chinese headers) of one grouping plus the total. */
export function toCsv(report: Report, by: GroupBy): string {
  const { head, rows } = tableRows(report, by);
  return `\uFEFF${[head, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
