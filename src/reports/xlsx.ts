import { groupNames, tableRows } from './columns.js';
import { groupings, type Report } from './query.js';

/**
 * The report as an XLSX workbook (exceljs): a 汇总 sheet (period, hall total, refusals by reason), then one
 * sheet per grouping (业务, 窗口, 工作人员, 时段, 日期), each with the hall total as its last row.
 */
export async function toXlsx(report: Report): Promise<Buffer> {
  // Loaded on the first export, not at start: exceljs is ~500 modules, a second of every server start (issue 10).
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'hallq';
  wb.created = new Date(report.generatedAt);
  const summary = wb.addWorksheet('汇总');
  summary.addRow(['大厅', report.hall]);
  summary.addRow(['起始日期', report.from]);
  summary.addRow(['截止日期', report.to]);
  summary.addRow(['事件序号', report.seq]);
  summary.addRow([]);
  const { head, rows } = tableRows(report, 'day');
  summary.addRow(head.slice(1));
  summary.addRow((rows.at(-1) ?? []).slice(1));
  summary.addRow([]);
  summary.addRow(['拒绝取号原因', '次数']);
  for (const [code, n] of Object.entries(report.refusedByReason)) summary.addRow([report.refusedReasonNames[code] ?? code, n]);
  for (const by of groupings) {
    const sheet = wb.addWorksheet(groupNames[by]);
    const t = tableRows(report, by);
    sheet.addRow(t.head).font = { bold: true };
    for (const row of t.rows) sheet.addRow(row);
    sheet.views = [{ state: 'frozen', xSplit: 1, ySplit: 1 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
