import { readFileSync } from 'node:fs';
import { yamlExpected } from '../config/yaml-words.js';
import { issueWords } from '../config/load.js';
import { parseDocument } from 'yaml';
import { yamlData } from '../config/yaml-data.js';
import { z } from 'zod';
import { HallqError } from '../../drivers/common/error.js';
import { invalidText, zhText } from '../../drivers/common/invalid-text.js';
import { fileProblem } from '../../drivers/common/system-words.js';

/**
 * The city tier's config (city.yaml, docs/city.md): the cluster's MQTT addresses, PostgreSQL, the
 * HTTP listener and every hall with its place. Secrets live in files (mode 0600), never here.
 */

/** A hall id as it appears in topics and broker user names: no MQTT or NATS special characters. */
export const hallIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, zhText('letters, digits, "-" or "_" (1–64): it becomes an MQTT topic level and a NATS subject token', '字母、数字、"-" 或 "_"（1–64 个）：它会成为 MQTT 主题的一级和 NATS 主题的一段'));

const lang = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });

export const cityHallSchema = z.strictObject({
  id: hallIdSchema,
  name: lang,
  /** WGS-84 degrees: the "shortest wait near me" page sorts by distance from the citizen. */
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  /** Shown to citizens, e.g. the street address. */
  address: z.string().max(200).optional(),
});

export const cityConfigSchema = z.strictObject({
  city: z.strictObject({ id: hallIdSchema, name: lang }),
  broker: z.strictObject({
    /** Every node's MQTT listener: the service fails over to the next when one is down. */
    urls: z.array(z.string().regex(/^mqtts?:\/\/[^\s]+$/, zhText('an mqtt:// or mqtts:// URL', 'mqtt:// 或 mqtts:// 地址'))).min(1),
    username: z.string().min(1).default('city'),
    /** A file holding the password (mode 0600). */
    passwordFile: z.string().min(1).optional(),
    /**
     * The MQTT client id of the service's durable session. Absent (the default): derived from the
     * broker password, `hallq-city-<24 hex>` (src/city/client-id.ts), so no hall can guess it and
     * take the session over. Set it only to keep an older deployment's session.
     */
    clientId: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, zhText('letters, digits, "-" or "_" (8–128): keep it secret, a login that knows it can take the session over', '字母、数字、"-" 或 "_"（8–128 个）：请保密，知道它的登录可以接管会话')).optional(),
  }),
  postgres: z.strictObject({
    /** libpq connection string; put the password in ~/.pgpass or PGPASSWORD, not here. */
    url: z.string().min(1),
  }),
  http: z.strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8090) }).default({ host: '127.0.0.1', port: 8090 }),
  catchUp: z
    .strictObject({
      /** How long to wait for a hall's answer to a catch-up request before asking again. */
      timeoutMs: z.number().int().min(100).max(120_000).default(5000),
      /** How long a hall may be ahead of the city (its status or views say so) before it is asked. */
      graceMs: z.number().int().min(0).max(60_000).default(500),
    })
    .default({ timeoutMs: 5000, graceMs: 500 }),
  halls: z.array(cityHallSchema).min(1),
  /** The broker cluster's nodes, for `hallq city nats-config` (absent: the cluster is configured by hand). */
  cluster: z
    .strictObject({
      nodes: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
            host: z.string().min(1),
            clientPort: z.number().int().min(1).max(65535).default(4222),
            clusterPort: z.number().int().min(1).max(65535).default(6222),
            mqttPort: z.number().int().min(1).max(65535).default(1883),
            storeDir: z.string().min(1).default('/var/lib/nats/jetstream'),
          }),
        )
        .min(1),
    })
    .optional(),
})
  // nats-server refuses a config with two users of one name, and two nodes cannot share an address.
  .superRefine((c, ctx) => {
    c.halls.forEach((h, i) => {
      if (h.id === c.broker.username) ctx.addIssue({ code: 'custom', path: ['halls', i, 'id'], message: `the city service's broker user is also "${h.id}": a hall id must differ from broker.username`, params: { zh: `市级服务的消息代理用户也叫 "${h.id}"：大厅编号须与 broker.username 不同` } });
    });
    const seen = new Set<string>();
    c.cluster?.nodes.forEach((n, i) => {
      for (const [key, port] of [['clientPort', n.clientPort], ['clusterPort', n.clusterPort], ['mqttPort', n.mqttPort]] as const) {
        const at = `${n.host}:${port}`;
        if (seen.has(at)) ctx.addIssue({ code: 'custom', path: ['cluster', 'nodes', i, key], message: `${at} is already a listener of another node (or of this one)`, params: { zh: `${at} 已是另一个节点（或本节点）的监听地址` } });
        seen.add(at);
      }
    });
  });

export type CityConfig = z.infer<typeof cityConfigSchema>;
export type CityHall = z.infer<typeof cityHallSchema>;

/**
 * Every problem of a parsed city config with its key path; an unknown key is named at its own path
 * (`broker.usernme`, not `broker`), one problem per key.
 */
export function cityConfigProblems(doc: unknown): { path: string; message: string; messageZh: string }[] {
  const r = cityConfigSchema.safeParse(doc);
  if (r.success) return [];
  // The shared wording (drivers/common/invalid-text.ts): path, what was found, what was expected; an unknown key at its own path.
  // Worded as the hall's config check words them (issueWords): `found an unknown key, expected no such key (did you mean …)`.
  return invalidText(r.error.issues, { input: doc, values: 'shown', schema: cityConfigSchema }).lines.map((l) => {
    const i = { found: l.found.en, expected: l.expected.en, foundZh: l.found.zh, expectedZh: l.expected.zh };
    return { path: l.path, message: issueWords(i), messageZh: issueWords(i, true) };
  });
}

/** Validates a parsed city config; CONFIG_INVALID names every key path at fault. */
export function parseCityConfig(doc: unknown, file = 'city.yaml'): CityConfig {
  const r = cityConfigSchema.safeParse(doc);
  if (!r.success) {
    const problems = cityConfigProblems(doc);
    const lines = problems.map((i) => `${file}: ${i.path || '(top)'}: ${i.message}`);
    throw new HallqError('CONFIG_INVALID', lines.join('\n'), { issues: problems.map((i) => i.path), messageZh: problems.map((i) => `${file}：${i.path || '（顶层）'}：${i.messageZh}`).join('；') });
  }
  const seen = new Set<string>();
  for (const [i, h] of r.data.halls.entries()) {
    if (seen.has(h.id)) throw new HallqError('CONFIG_INVALID', `${file}: halls.${i}.id: hall ${h.id} is listed twice`, { messageZh: `${file}：halls.${i}.id：大厅 ${h.id} 出现了两次` });
    seen.add(h.id);
  }
  return r.data;
}

export function loadCityConfig(path: string): CityConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const p = fileProblem('read', path, e);
    throw new HallqError('CONFIG_NOT_FOUND', `city config: ${p.en}`, { path, messageZh: `市级配置文件 ${p.zh}` }, { cause: e });
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new HallqError('CONFIG_INVALID', `${path}: invalid YAML: expected ${e ? yamlExpected(e).en : 'valid YAML'}`, { messageZh: `${path}：不合 YAML 语法，应为${e ? yamlExpected(e).zh : '合乎 YAML 语法的写法'}` });
  }
  const data = yamlData(doc, text);
  if (!data.ok) {
    const at = data.line === undefined ? '' : ` line ${String(data.line)}:`;
    const atZh = data.line === undefined ? '' : `第 ${String(data.line)} 行：`;
    throw new HallqError('CONFIG_INVALID', `${path}:${at} found ${data.found}, expected ${data.expected}`, { messageZh: `${path}：${atZh}收到${data.foundZh}，应为${data.expectedZh}` });
  }
  return parseCityConfig(data.value, path);
}
