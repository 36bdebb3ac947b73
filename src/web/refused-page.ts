import type { FastifyReply, FastifyRequest } from 'fastify';

/** Who a refused page names: a session's staff member (id, name, role, window), or the CLI token. */
export type SignedIn = { kind: 'cli' } | { kind: 'session'; staffId: string; name: string; role: string; window?: number };

const roleWords: Record<string, { zh: string; en: string }> = {
  staff: { zh: '窗口工作人员', en: 'window staff' },
  manager: { zh: '管理员', en: 'manager' },
  technician: { zh: '技术人员', en: 'technician' },
};
const words = (role: string) => roleWords[role] ?? { zh: role, en: role };

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page request (a browser asking for HTML), not an API call: a refusal gets a readable page, an API call the JSON error. */
export function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && /\btext\/html\b/i.test(accept);
}

/**
 * The small page a signed-in person sees when their role may not open a staff page (issue 13: a raw
 * JSON 403 before): who is signed in, which roles the page is for, and the way on (sign in as someone
 * else, the caller page for window staff). Chinese first, English under it; no script.
 */
export function refusedPageHtml(who: SignedIn, needed: readonly string[], path: string): string {
  const need = { zh: needed.map((r) => words(r).zh).join('、'), en: needed.map((r) => words(r).en).join(' or ') };
  const me =
    who.kind === 'cli'
      ? { zh: '技术人员命令行令牌', en: 'the technician CLI token' }
      : {
          zh: `${escape(who.name || who.staffId)}（工号 ${escape(who.staffId)}，${words(who.role).zh}${who.window === undefined ? '' : `，${who.window} 号窗口`}）`,
          en: `${escape(who.name || who.staffId)} (staff id ${escape(who.staffId)}, ${words(who.role).en}${who.window === undefined ? '' : `, window ${who.window}`})`,
        };
  const next = encodeURIComponent(path.slice(0, 200));
  const caller = who.kind === 'session' && who.role === 'staff' && !path.startsWith('/caller') ? `<li><a id="to-caller" href="/caller">打开叫号页面 · Open the caller page</a></li>` : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>无权访问 · Not for your role</title>
<link rel="icon" href="/web/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/web/hallq.css">
</head>
<body>
<header><h1>无权访问此页面 · This page is not for your role</h1></header>
<main class="panel" style="max-width: 560px; margin: 40px auto; padding: 20px;">
  <p id="who">当前登录：${me.zh}<br><span class="muted">Signed in: ${me.en}</span></p>
  <p id="needed">此页面仅供${need.zh}使用。<br><span class="muted">This page is for ${need.en} only.</span></p>
  <ul>
    <li><a id="sign-in-other" href="/sign-in?next=${next}">以其他身份登录 · Sign in as someone else</a></li>
    ${caller}
  </ul>
</main>
</body>
</html>
`;
}

/** 403 with the page above, never cached. */
export function sendRefusedPage(reply: FastifyReply, who: SignedIn, needed: readonly string[], path: string): FastifyReply {
  return reply.code(403).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(refusedPageHtml(who, needed, path));
}
