import type { HallqConfig } from './schema.js';
import { docField } from './doc-field.js';

/**
 * The kiosk's status-page base URL when `agents[N].kiosk.statusBaseUrl` is not set: this box's own server
 * on the port the config gives it (`server.http.port`, 8080 by default). Right for the one-box demo only
 * (a phone cannot reach 127.0.0.1), so config check, the agent and the server warn (kiosk-warnings.ts).
 * Apart from the schema, so the server's modules need not import it.
 */
export function defaultStatusBaseUrl(serverPort = 8080): string {
  return `http://127.0.0.1:${serverPort}`;
}

/** The default with the server on its default port: the schema's own default for the key. */
export const DEFAULT_STATUS_BASE_URL = defaultStatusBaseUrl();

const get = docField;

/** `server.http.port` of a document as written, or its default (8080) when it is not a port. */
export function serverPortOf(doc: unknown): number {
  const port = get(get(get(doc, 'server'), 'http'), 'port');
  return typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 8080;
}

/**
 * Every kiosk whose `statusBaseUrl` the file (`doc`, as written) leaves out gets this box's server on the
 * config's `server.http.port` (the schema alone can only say 8080: a key's default cannot read another's),
 * in `config` (the parsed `doc`), in place. A key that is written stays as written.
 */
export function fillStatusBaseUrls(doc: unknown, config: HallqConfig): void {
  const written = get(doc, 'agents');
  const url = defaultStatusBaseUrl(config.server.http.port);
  config.agents.forEach((a, i) => {
    if (a.kiosk && get(get(Array.isArray(written) ? written[i] : undefined, 'kiosk'), 'statusBaseUrl') === undefined) a.kiosk.statusBaseUrl = url;
  });
}
