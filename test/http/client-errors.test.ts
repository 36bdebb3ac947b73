/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a body longer than its content-length,
 * a body shorter than it on an open connection, headers that are not HTTP), over a raw socket: answered
 * in hallq's error shape with Chinese, never Node's `{"error":"Bad Request","message":"Client Error"}`,
 * and a request that never finishes arriving gets 408 instead of holding the connection.
 */
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { createHttpApp } from '../../src/http/app.js';
import { clientErrorWords, REQUEST_TIMEOUT_MS } from '../../src/http/request-errors.js';
import type { FastifyInstance } from 'fastify';

const han = /[\u4e00-\u9fff]/;

/** Writes `raw` on a new connection and reads until the server closes it. */
function rawExchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port }, () => s.write(raw));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The last HTTP answer in what came back: its status and JSON body. */
function lastAnswer(text: string): { status: number; body: { error?: Record<string, unknown> } } {
  const at = text.lastIndexOf('HTTP/1.1 ');
  const answer = text.slice(at);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  return { status, body: JSON.parse(body) as { error?: Record<string, unknown> } };
}

function expectHallqShape(body: { error?: Record<string, unknown> }, code: string): void {
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error ?? {}).sort()).toEqual(['code', 'message', 'messageZh']);
  expect(body.error?.['code']).toBe(code);
  expect(body.error?.['messageZh']).toMatch(han);
  expect(JSON.stringify(body)).not.toContain('Client Error');
}

describe('errors of the HTTP parser, on a raw socket', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    // A short request timeout so the test needs not wait 15 s; the answer, not the time, is asserted.
    app = createHttpApp({ logger: silentLogger, requestTimeoutMs: 300 });
    app.post('/echo', (req, reply) => reply.send({ got: req.body }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
  });

  it('a body longer than its content-length: the rest is no HTTP request, answered 400 in the error shape', async () => {
    const text = await rawExchange(port, 'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}, "more": "than declared"}');
    const last = lastAnswer(text);
    expect(last.status).toBe(400);
    expectHallqShape(last.body, 'bad-request');
    expect(String(last.body.error?.['message'])).toContain('content-length');
  });

  it('a body shorter than its content-length on an open connection: 408 in the error shape, the connection closed', async () => {
    const text = await rawExchange(port, 'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"id": "c1"}');
    const last = lastAnswer(text);
    expect(last.status).toBe(408);
    expectHallqShape(last.body, 'request-timeout');
  });

  it('headers that never end: 408 too', async () => {
    const text = await rawExchange(port, 'GET /echo HTTP/1.1\r\nHost: a\r\nX-Slow: ');
    expect(lastAnswer(text).status).toBe(408);
  });

  it('bytes that are not HTTP: 400 in the error shape', async () => {
    const text = await rawExchange(port, 'HELLO THERE\r\n\r\n');
    const last = lastAnswer(text);
    expect(last.status).toBe(400);
    expectHallqShape(last.body, 'bad-request');
  });

  it('an invalid content-length header: 400 payload-invalid', async () => {
    const text = await rawExchange(port, 'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: nope\r\n\r\n{}');
    const last = lastAnswer(text);
    expect(last.status).toBe(400);
    expectHallqShape(last.body, 'payload-invalid');
  });

  it('a well-formed request on the same app is answered as before', async () => {
    const text = await rawExchange(port, 'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{"a": 1}');
    expect(lastAnswer(text)).toEqual({ status: 200, body: { got: { a: 1 } } });
  });
});

describe('the request timeout bounds receiving a request, not an answer', () => {
  it('an SSE stream opened before a slow request timed out still carries events after it', async () => {
    const app = createHttpApp({ logger: silentLogger, requestTimeoutMs: 300 });
    let stream: ServerResponse | undefined;
    let opened: () => void = () => {};
    const open = new Promise<void>((r) => (opened = r));
    app.get('/stream', (_req, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write('data: first\n\n');
      stream = reply.raw;
      opened();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    try {
      const received: string[] = [];
      let gotSecond: () => void = () => {};
      const second = new Promise<void>((r) => (gotSecond = r));
      const sse = connect({ host: '127.0.0.1', port }, () => sse.write('GET /stream HTTP/1.1\r\nHost: a\r\n\r\n'));
      sse.on('data', (d: Buffer) => {
        received.push(d.toString('utf8'));
        if (received.join('').includes('data: second')) gotSecond();
      });
      await open;
      // A request started after the stream, and timed out: the stream is older than the timeout by then.
      const slow = await rawExchange(port, 'POST /stream HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n\r\n{');
      expect(lastAnswer(slow).status).toBe(408);
      stream?.write('data: second\n\n');
      await second;
      expect(received.join('')).toMatch(/^HTTP\/1\.1 200[\s\S]*data: first[\s\S]*data: second/);
      expect(sse.destroyed).toBe(false);
      sse.destroy();
    } finally {
      stream?.end();
      await app.close();
    }
  });
});

describe('clientErrorWords', () => {
  it('says the default timeout in seconds, and nothing for a client that went away', () => {
    expect(clientErrorWords('ERR_HTTP_REQUEST_TIMEOUT')?.message).toContain(`${REQUEST_TIMEOUT_MS / 1000} s`);
    expect(clientErrorWords('ECONNRESET')).toBeUndefined();
  });
});
