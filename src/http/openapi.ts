import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from './errors.js';

const success = z.unknown().describe('Success');

const common = 'Every error is `{ "error": { "code", "message", "messageZh" } }` (codes in lower-case kebab; `message` English, `messageZh` Chinese, both always present; invalid input is worded `path: found X, expected Y`); request bodies are JSON only (`content-type: application/json`, else 415), at most the body limit (else 413); state-changing requests from another origin are refused (403 cross-site).';
const serverApi = {
  title: 'hallq hall server HTTP API',
  description: 'Public: the hall display, the ticket status page (by the token in its QR), /livez and /readyz. Staff: everything else, behind a session cookie (POST /api/auth/sign-in) or the CLI bearer token.',
};
export const kioskApi = { title: 'hallq kiosk HTTP API (on each agent with a kiosk)', description: 'The touch screen beside the kiosk: service menu, card on the reader (masked), taking a number.' };

/**
 * The OpenAPI description, generated from the zod schemas that validate the routes
 * (`npm run openapi` writes docs/openapi.json). Register before the routes.
 */
export async function registerOpenApi(app: FastifyInstance, about: { title: string; description: string } = serverApi): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: about.title, version: '1', description: `${about.description} ${common}` },
      tags: [
        { name: 'public', description: 'No session; no personal data' },
        { name: 'auth', description: 'Staff sign-in and sign-out (attendance events)' },
        { name: 'staff', description: 'A session with a role, or the CLI token' },
      ],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'hallq_session' },
          cliToken: { type: 'http', scheme: 'bearer', description: 'the file <database>.cli-token on the server box' },
        },
      },
    },
    // Every route documents the one error shape for 4xx and 5xx (the Error component), besides its own answers.
    // (A route without its own answer schema keeps a plain 200, as before.)
    transform: (doc) => jsonSchemaTransform({ ...doc, schema: { ...doc.schema, response: { ...((doc.schema.response as Record<string, unknown> | undefined) ?? { 200: success }), '4XX': errorBodySchema, '5XX': errorBodySchema } } }),
    transformObject: jsonSchemaTransformObject,
  });
}
