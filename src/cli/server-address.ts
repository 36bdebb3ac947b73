import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import type { HallqConfig } from '../config/schema.js';

/**
 * Where the technician commands find the hall server: the address, and the config's own certificate
 * (server.http.tls.certFile) when the CLI runs on the server box with --config. That certificate is
 * trusted for this connection only, whatever name it carries (a self-signed one, or one made for the
 * hall's DNS name while the CLI dials 127.0.0.1): it is the very file the server serves, read from disk.
 */
export interface HallServer {
  url: string;
  pinned?: { pem: string; fingerprint256: string; file: string } | undefined;
}

/** A listener's bind address as a URL's host, dialled from the same box: 0.0.0.0 and :: are every address, so loopback; an IPv6 literal in brackets. */
export function sameBoxHost(host: string): string {
  const any = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
  return any ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The address a server with this config listens on, as seen from the same box (sameBoxHost). */
export function configServerUrl(config: HallqConfig): string {
  const { host, port, tls: hasTls } = config.server.http;
  return `${hasTls ? 'https' : 'http'}://${sameBoxHost(host)}:${port}`;
}

/** The config's certificate to trust, when it has TLS and the file can be read (unreadable: the usual trust, and its words if refused). */
export function pinnedCert(config: HallqConfig | undefined): HallServer['pinned'] {
  const file = config?.server.http.tls?.certFile;
  if (file === undefined) return undefined;
  try {
    const pem = readFileSync(file, 'utf8');
    return { pem, fingerprint256: new X509Certificate(pem).fingerprint256, file };
  } catch {
    return undefined;
  }
}

/** fetch, or over https with the pinned certificate trusted beside the system's CAs; failures shaped as fetch's (a TypeError with the cause). */
export function send(server: HallServer, path: string, init: RequestInit = {}): Promise<Response> {
  const url = `${server.url}${path}`;
  const pin = server.pinned;
  if (pin === undefined || !url.startsWith('https:')) return fetch(url, init);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(url),
      {
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string> | undefined,
        ca: [...tls.rootCertificates, pin.pem],
        // The config's own certificate is accepted under any name; any other is checked as usual.
        checkServerIdentity: (host, cert) => (cert.fingerprint256 === pin.fingerprint256 ? undefined : tls.checkServerIdentity(host, cert)),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
        res.on('end', () => {
          const status = res.statusCode ?? 500;
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve(new Response([204, 205, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers }));
        });
      },
    );
    req.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
}

/** A refused certificate in words, with how to trust it; undefined for any other failure. */
export function certificateWords(code: string | undefined, server: HallServer): { en: string; zh: string } | undefined {
  const host = new URL(server.url).hostname;
  const why = certificateWhy(code, host);
  if (why === undefined) return undefined;
  const dated = code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID';
  const trust = dated
    ? { en: `the server needs a current certificate (its server.http.tls.certFile${server.pinned ? `, ${server.pinned.file}` : ''})`, zh: `服务器需要有效期内的证书（其 server.http.tls.certFile${server.pinned ? `，${server.pinned.file}` : ''}）` }
    : server.pinned
      ? { en: `nor is it the config's server.http.tls.certFile (${server.pinned.file}): is --server this hall's server?`, zh: `它也不是配置中 server.http.tls.certFile（${server.pinned.file}）的证书：--server 是本大厅的服务器吗？` }
      : {
          en: 'on the server box, give --config FILE (the CLI then trusts its server.http.tls.certFile for this connection); elsewhere, start it with NODE_EXTRA_CA_CERTS=FILE naming the certificate or its CA, and an address the certificate names',
          zh: '在服务器上请加 --config 配置文件（命令行即信任其中 server.http.tls.certFile 的证书，仅用于本次连接）；在其他电脑上请设置 NODE_EXTRA_CA_CERTS=证书或其 CA 的文件，并使用证书上的名字作地址',
        };
  return { en: `its TLS certificate is not trusted: ${why.en}; ${trust.en}`, zh: `其 TLS 证书不受信任：${why.zh}；${trust.zh}` };
}

function certificateWhy(code: string | undefined, host: string): { en: string; zh: string } | undefined {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return { en: 'it is self-signed', zh: '它是自签名证书' };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return { en: 'it is signed by a CA this computer does not know', zh: '签发它的 CA 本机不认识' };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { en: `it does not name ${host} (the name in the address)`, zh: `证书上的名字不是地址中的 ${host}` };
    case 'CERT_HAS_EXPIRED':
      return { en: 'it has expired', zh: '证书已过期' };
    case 'CERT_NOT_YET_VALID':
      return { en: 'it is not valid yet (or this clock is wrong)', zh: '证书尚未生效（或本机时钟不对）' };
    case undefined:
      return undefined;
    default:
      return /^(CERT_|ERR_TLS_CERT)/.test(code) ? { en: `it is refused (${code})`, zh: `证书被拒绝（${code}）` } : undefined;
  }
}
