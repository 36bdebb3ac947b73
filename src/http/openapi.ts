import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * The OpenAPI description, generated from the zod schemas that validate the routes
 * (`npm run openapi` writes docs/openapi.json). Register before the routes.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hallq hall server HTTP API',
        version: '1',
        description:
          'Public: the hall display, the ticket status page (by the token in its QR), /healthz. Staff: everything else, behind a session cookie (POST /api/auth/sign-in) or the CLI bearer token. ' +
          'Every error is `{ "error": { "code", "message", "messageZh"? } }`; request bodies are JSON only (`content-type: application/json`, else 415).',
      },
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
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
}
