import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocuments, openApiText } from '../../src/server/openapi-doc.js';

describe('OpenAPI', () => {
  it('docs/openapi.json and docs/openapi-kiosk.json are what the routes generate (run `npm run openapi` after changing a route)', async () => {
    const docs = await openApiDocuments();
    expect(readFileSync('docs/openapi.json', 'utf8')).toBe(openApiText(docs.server));
    expect(readFileSync('docs/openapi-kiosk.json', 'utf8')).toBe(openApiText(docs.kiosk));
    // The description comes from the validating schemas: the command union and the sign-in body are in it.
    const server = docs.server as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(Object.keys(server.paths)).toEqual(expect.arrayContaining(['/api/commands', '/api/auth/sign-in', '/api/status/{token}', '/api/hall']));
    expect(JSON.stringify(server.paths['/api/commands']?.['post']?.requestBody)).toContain('#/components/schemas/CommandInput');
    const schemas = (docs.server as { components: { schemas: Record<string, unknown> } }).components.schemas;
    expect(JSON.stringify(schemas['CommandInput'])).toContain('"CallNext"');
    expect(JSON.stringify(schemas['SignInInput'])).toContain('"secret"');
  });
});
