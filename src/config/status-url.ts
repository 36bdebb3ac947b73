/**
 * The kiosk's status-page base URL when `agents[N].kiosk.statusBaseUrl` is not set: right for the
 * one-box demo only (a phone cannot reach 127.0.0.1), so config check, the agent and the server warn
 * (kiosk-warnings.ts). A constant apart from the schema, so the server's modules need not import it.
 */
export const DEFAULT_STATUS_BASE_URL = 'http://127.0.0.1:8080';
