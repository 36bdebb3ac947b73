import { zhText } from '../../drivers/common/invalid-text.js';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Logger } from '../../drivers/common/logger.js';
import { sendError } from '../http/errors.js';
import { toCsv } from '../reports/columns.js';
import { ReportProjection } from '../reports/projection.js';
import { MAX_REPORT_DAYS, buildReport, daysBetween, groupings, isDay, type Report } from '../reports/query.js';
import { toXlsx } from '../reports/xlsx.js';
import { sendPage } from '../web/routes.js';
import type { HallEngine } from './engine.js';

type Guard = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Events folded per turn of the event loop while the projection catches up after a start. */
const FOLD_STEP = 500;

// One wording for a day missing, of the wrong kind or not a day: a day, YYYY-MM-DD (never "expected text").
const DAY = zhText('a day YYYY-MM-DD, like 2026-11-23', '日期（年-月-日），如 2026-11-23');
const day = z.string(DAY).refine(isDay, DAY);
export const reportQuery = z
  .strictObject({
    from: day.describe('first local day, YYYY-MM-DD'),
    to: day.describe('last local day (inclusive), YYYY-MM-DD'),
    by: z.enum(groupings).default('service').describe('the grouping of a CSV download (JSON and XLSX carry every grouping)'),
  })
  // Only once both are days: a bad day is reported as that, not as a range. Reversed days are not
  // the schema's (a key path and an expectation): daysInOrder below refuses them in plain words.
  .refine((q) => !isDay(q.from) || !isDay(q.to) || daysBetween(q.from, q.to) < MAX_REPORT_DAYS, { message: zhText(`a day less than ${MAX_REPORT_DAYS} days after from (a report covers at most ${MAX_REPORT_DAYS} days)`, `from 之后不到 ${MAX_REPORT_DAYS} 天的日期（一份报表最多 ${MAX_REPORT_DAYS} 天）`), path: ['to'] });

/** Reversed days in plain words, naming both: the API's refusal, which the reports page shows as it comes. */
export function daysReversedWords(from: string, to: string): { en: string; zh: string } {
  return { en: `The first day ${from} is after the last day ${to}`, zh: `开始日期 ${from} 晚于结束日期 ${to}` };
}

/** After the schema (both are days): a period whose first day comes after its last is refused, 400 days-reversed. */
async function daysInOrder(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { from, to } = req.query as { from: string; to: string };
  if (from <= to) return;
  const w = daysReversedWords(from, to);
  return void sendError(reply, 400, 'days-reversed', w.en, w.zh);
}

/**
 * The browser modules the reports page imports, served from node_modules (never a CDN) under
 * /reports/vendor/: package and file inside it (the packages' `exports` do not list these files).
 */
const vendor: Record<string, [string, string]> = {
  'preact.mjs': ['preact', 'dist/preact.mjs'],
  'hooks.mjs': ['preact', 'hooks/dist/hooks.mjs'],
  'htm.mjs': ['htm', 'dist/htm.mjs'],
  'chart.umd.min.js': ['chart.js', 'dist/chart.umd.min.js'],
};

/** The directory of an installed package, from where its main entry resolves. */
function packageDir(name: string): string {
  const main = fileURLToPath(import.meta.resolve(name));
  const marker = `/node_modules/${name}/`;
  const at = main.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot find the package directory of ${name} (${main})`);
  return main.slice(0, at + marker.length);
}

/**
 * Reports (issue 11) on the hall server: the projection in the hall database kept current on every append,
 * the manager-only API (JSON, CSV, XLSX) and the reports page. Returns the projection (closed with the app).
 * A hall database the projection cannot open (an in-memory one) leaves the routes answering 503.
 */
export async function registerReports(app: FastifyInstance, engine: HallEngine, opts: { manager: Guard; managerPage: Guard; clock: () => number }, logger: Logger): Promise<ReportProjection | undefined> {
  let reports: ReportProjection | undefined;
  try {
    reports = ReportProjection.open(engine.log.path, { logger });
  } catch (err) {
    logger.error({ err: String(err) }, 'reports unavailable: cannot open the projection');
    reports = undefined;
  }
  const proj = reports;
  if (proj) {
    // The backlog (the events appended since the last fold: days of them after an upgrade that rebuilds the
    // tables) is folded after the server listens, FOLD_STEP events per turn of the event loop, so it delays
    // neither READY nor a command (issue 12); a report asked meanwhile folds the rest first (make() below).
    // A short backlog (a restart's few events, a new hall) is folded at once.
    let stepping = engine.state.seq - proj.lastSeq() > FOLD_STEP;
    if (!stepping) {
      try {
        proj.catchUp();
      } catch (err) {
        logger.error({ err: String(err) }, 'report projection behind the log');
      }
    }
    let closed = false;
    const step = (): void => {
      if (closed) return;
      try {
        if (proj.foldSome(FOLD_STEP) === FOLD_STEP) {
          setImmediate(step);
          return;
        }
      } catch (err) {
        logger.error({ err: String(err) }, 'report projection behind the log');
      }
      stepping = false;
    };
    if (stepping) app.addHook('onListen', () => void setImmediate(step));
    const off = engine.onAppended(() => {
      if (stepping) return;
      try {
        proj.catchUp();
      } catch (err) {
        // The log is durable; the next append or a restart folds what this one missed.
        logger.error({ err: String(err) }, 'report projection behind the log');
      }
    });
    app.addHook('onClose', () => {
      closed = true;
      off();
      proj.close();
    });
  }

  for (const [name, [pkg, rel]] of Object.entries(vendor)) {
    const file = packageDir(pkg) + rel;
    const dir = file.slice(0, file.lastIndexOf('/') + 1);
    const base = file.slice(dir.length);
    app.get(`/reports/vendor/${name}`, { schema: { hide: true } }, (_req, reply) => reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').sendFile(base, dir));
  }

  const r = app.withTypeProvider<ZodTypeProvider>();
  const make = (q: z.infer<typeof reportQuery>): Report | undefined => {
    if (!proj) return undefined;
    proj.catchUp();
    return buildReport(proj.db, proj.labels, proj.lastSeq(), q.from, q.to, opts.clock());
  };
  const unavailable = (reply: FastifyReply) => sendError(reply, 503, 'reports-unavailable', 'reports are not available on this database', '报表不可用');
  r.get('/reports', { schema: { hide: true }, onRequest: opts.managerPage }, (_req, reply) => sendPage(reply, 'reports.html'));
  r.get(
    '/api/reports',
    { schema: { tags: ['reports'], summary: 'Report for local days from..to (managers): the hall total and rows per service, window, staff, hour and day', querystring: reportQuery }, onRequest: opts.manager, preHandler: daysInOrder },
    (req, reply) => {
      const rep = make(req.query);
      return rep ? reply.header('cache-control', 'no-store').send(rep) : unavailable(reply);
    },
  );
  r.get('/api/reports.csv', { schema: { tags: ['reports'], summary: 'The report as CSV (UTF-8 with BOM), one grouping (`by`) plus the hall total', querystring: reportQuery }, onRequest: opts.manager, preHandler: daysInOrder }, (req, reply) => {
    const rep = make(req.query);
    if (!rep) return unavailable(reply);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="hallq-report-${rep.from}-${rep.to}-${req.query.by}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(toCsv(rep, req.query.by));
  });
  r.get('/api/reports.xlsx', { schema: { tags: ['reports'], summary: 'The report as an XLSX workbook: a summary sheet and one sheet per grouping', querystring: reportQuery }, onRequest: opts.manager, preHandler: daysInOrder }, async (req, reply) => {
    const rep = make(req.query);
    if (!rep) return unavailable(reply);
    const body = await toXlsx(rep);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="hallq-report-${rep.from}-${rep.to}.xlsx"`)
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(body);
  });
  return proj;
}
