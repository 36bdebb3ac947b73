import type { FastifyReply, FastifyRequest } from 'fastify';

/** Who a refused page names: a session's staff member (id, name, role, window), or the CLI token. */
export type SignedIn = { kind: 'cli' } | { kind: 'session'; staffId: string; name: string; role: string; window?: number };

/** A role in words; `who` is the role as the subject of a sentence ("only a manager may …"). */
const roleWords: Record<string, { zh: string; en: string; who: string }> = {
  staff: { zh: '窗口工作人员', en: 'window staff', who: 'window staff' },
  manager: { zh: '管理员', en: 'manager', who: 'a manager' },
  technician: { zh: '技术人员', en: 'technician', who: 'a technician' },
};
const words = (role: string) => roleWords[role] ?? { zh: role, en: role, who: role };

/** The roles that may, in words: "a manager or a technician" / "管理员或技术人员" (the refused page and the API's 403 alike). */
export function whoMay(roles: readonly string[]): { zh: string; en: string } {
  return { zh: roles.map((r) => words(r).zh).join('或'), en: roles.map((r) => words(r).who).join(' or ') };
}

/** Where the caller page link goes: the window the staff member is at (or holds), else the hall's windows to choose from. */
export interface CallerWay {
  /** Their window (the session's, or the one the hall says they hold); absent: not known. */
  window?: number;
  /** The hall's windows, listed when their window is not known. */
  windows: readonly number[];
}

/** The ways on from a refused page: the caller page (window staff), and what a technician may open. */
export interface WayOn extends CallerWay {
  /**
   * The paths a technician may open, as the server registered them (src/server/route-access.ts collects
   * them from the routes' guards): the page lists what is served, never a list of its own.
   */
  technicianRoutes?: readonly string[];
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page request (a browser asking for HTML), not an API call: a refusal gets a readable page, an API call the JSON error. */
export function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && /\btext\/html\b/i.test(accept);
}

/**
 * The small page a signed-in person sees when their role may not open a staff page (issue 13: a raw
 * JSON 403 before): who is signed in, which roles the page is for, and the way on (sign in as someone
 * else, the caller page of their window for window staff). Chinese first, English under it; no script.
 */
export function refusedPageHtml(who: SignedIn, needed: readonly string[], path: string, way: WayOn = { windows: [] }): string {
  // "仅管理员可打开此页" / "Only a manager may open this page".
  const need = whoMay(needed);
  const me =
    who.kind === 'cli'
      ? { zh: '技术人员命令行令牌', en: 'the technician CLI token' }
      : {
          zh: `${escape(who.name || who.staffId)}（工号 ${escape(who.staffId)}，${words(who.role).zh}${who.window === undefined ? '' : `，${who.window} 号窗口`}）`,
          en: `${escape(who.name || who.staffId)} (staff id ${escape(who.staffId)}, ${words(who.role).en}${who.window === undefined ? '' : `, window ${who.window}`})`,
        };
  const next = encodeURIComponent(path.slice(0, 200));
  const caller = who.kind === 'session' && who.role === 'staff' && !path.startsWith('/caller') ? callerLink(way) : '';
  const tech = who.kind === 'session' && who.role === 'technician' ? technicianLinks(way.technicianRoutes ?? []) : '';
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
  <p id="needed">仅${need.zh}可打开此页。<br><span class="muted">Only ${need.en} may open this page.</span></p>
  <ul>
    <li><a id="sign-in-other" href="/sign-in?next=${next}">以其他身份登录 · Sign in as someone else</a></li>
    ${caller}${tech}
  </ul>
</main>
</body>
</html>
`;
}

/** The caller page of their window; not known, the hall's windows to choose from (never a window picked for them). */
function callerLink(way: CallerWay): string {
  if (way.window !== undefined) return `<li><a id="to-caller" href="/caller?window=${way.window}">打开 ${way.window} 号窗口的叫号页面 · Open the caller page of window ${way.window}</a></li>`;
  const links = way.windows.map((w) => `<a class="to-window" href="/caller?window=${w}">${w} 号窗口 · window ${w}</a>`).join(' ');
  return `<li id="to-caller">选择窗口打开叫号页面 · Choose a window for the caller page: ${links}</li>`;
}

/** What a technician may open (README, Roles): the routes the server registered for the role; none known, no line. */
function technicianLinks(routes: readonly string[]): string {
  if (routes.length === 0) return '';
  const links = routes.map((r) => `<a class="to-tech" href="${escape(r)}">${escape(r)}</a>`).join(' ');
  return `<li id="to-tech">技术人员可打开 · A technician may open: ${links}</li>`;
}

/** 403 with the page above, never cached. */
export function sendRefusedPage(reply: FastifyReply, who: SignedIn, needed: readonly string[], path: string, way?: WayOn): FastifyReply {
  return reply.code(403).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(refusedPageHtml(who, needed, path, way));
}
