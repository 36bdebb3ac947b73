import { randomUUID } from 'node:crypto';
import type { QueueView, WindowView } from '../core/index.js';
import { exitCodes } from './exit-codes.js';
import { table } from './table.js';

/** Technician commands that talk to a running server's HTTP API. */

async function get<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export async function statusCommand(base: string, json: boolean): Promise<number> {
  const health = await fetch(`${base}/healthz`).then(async (r) => ({ code: r.status, body: (await r.json()) as { ok: boolean; seq: number; broker: string } }));
  const windows = await get<WindowView[]>(base, '/api/windows');
  if (json) process.stdout.write(`${JSON.stringify({ health: health.body, windows })}\n`);
  else {
    process.stdout.write(`server ${base}: ${health.body.ok ? 'healthy' : 'UNHEALTHY'} · broker ${health.body.broker} · seq ${health.body.seq}\n\n`);
    process.stdout.write(
      `${table(
        ['window', 'status', 'staff', 'current', 'waiting'],
        windows.map((w) => [w.window, w.status + (w.pauseReason ? ` (${w.pauseReason})` : ''), w.staffId ?? '-', w.current?.number ?? '-', w.waiting]),
      )}\n`,
    );
  }
  return health.body.ok ? exitCodes.ok : exitCodes.failure;
}

export async function queueCommand(base: string, json: boolean): Promise<number> {
  const q = await get<QueueView>(base, '/api/queue');
  if (json) process.stdout.write(`${JSON.stringify(q)}\n`);
  else process.stdout.write(`${table(['service', 'waiting', 'issued', 'served'], Object.entries(q.services).map(([id, s]) => [id, s.waiting, s.issued, s.served]))}\n`);
  return exitCodes.ok;
}

export async function commandCommand(base: string, command: Record<string, unknown>, json: boolean): Promise<number> {
  const res = await fetch(`${base}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: randomUUID(), source: 'admin', ...command }) });
  const body = (await res.json()) as { outcome?: { ok: boolean; ticketId?: string; code?: string; message?: { zh: string; en: string } }; error?: { code: string; message: string } };
  if (json) process.stdout.write(`${JSON.stringify(body)}\n`);
  else if (body.outcome?.ok) process.stdout.write(`ok${body.outcome.ticketId ? ` ${body.outcome.ticketId}` : ''}\n`);
  else if (body.outcome) process.stderr.write(`refused: ${body.outcome.code ?? ''} ${body.outcome.message?.zh ?? ''} / ${body.outcome.message?.en ?? ''}\n`);
  else process.stderr.write(`error: ${body.error?.code ?? res.status} ${body.error?.message ?? ''}\n`);
  return body.outcome?.ok ? exitCodes.ok : exitCodes.failure;
}
