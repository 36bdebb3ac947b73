import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRig, type HttpRig } from './rig.js';

/**
 * Paths that climb out of the pages' folder (the security tryout: refused 403, but with the code
 * `bad-request`): the status and the code agree, and nothing of the server's files is read.
 */
describe('static paths out of /web', () => {
  let rig: HttpRig;
  beforeAll(async () => {
    rig = await httpRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  it('are 403 forbidden (encoded slashes or backslashes) or 404 not-found, never a file of the server', async () => {
    for (const url of ['/web/..%2f..%2fpackage.json', '/web/..%5c..%5cpackage.json', '/web/%2e%2e%2f%2e%2e%2fpackage.json']) {
      const r = await rig.app.inject({ url });
      expect([url, r.statusCode, r.json<{ error: { code: string } }>().error.code]).toEqual([url, 403, 'forbidden']);
      expect(r.body).not.toContain('"dependencies"');
    }
    for (const url of ['/web/../package.json', '/web/%2e%2e/%2e%2e/package.json']) {
      const r = await rig.app.inject({ url });
      expect([url, r.statusCode, r.json<{ error: { code: string } }>().error.code]).toEqual([url, 404, 'not-found']);
    }
  });
});
