import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Role } from './auth/sessions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers server-sent events: no link to it on a page (a tab opened on it never finishes loading). */
    eventStream?: boolean;
  }
}

/** The roles each guard admits, set where the guard is made (http.ts `need`, `page`) and read as routes register. */
const admitted = new WeakMap<object, readonly Role[]>();

/** Marks `guard` as admitting `roles` (and only them): a route guarded by it counts as open to those roles. */
export function guardOf<G extends object>(roles: readonly Role[], guard: G): G {
  admitted.set(guard, roles);
  return guard;
}

/** The roles a route admits: those every marked guard of its onRequest admits; undefined when none is marked (public). */
export function rolesOf(route: Pick<RouteOptions, 'onRequest'>): readonly Role[] | undefined {
  const hooks = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
  let roles: readonly Role[] | undefined;
  for (const h of hooks) {
    const r = admitted.get(h as object);
    if (r) roles = roles === undefined ? r : roles.filter((x) => r.includes(x));
  }
  return roles;
}

/** A route a signed-in `role` may open from a link: GET, a guard that admits the role, no parameter in its path, not a stream. */
export function opensFor(route: Pick<RouteOptions, 'method' | 'url' | 'onRequest' | 'config'>, role: Role): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (!methods.includes('GET') || /[:*]/.test(route.url)) return false;
  if ((route.config as { eventStream?: boolean } | undefined)?.eventStream) return false;
  return rolesOf(route)?.includes(role) ?? false;
}

/**
 * The paths `role` may open, collected as routes register on `app` (and its plugins): the array fills
 * while the routes are added, so read it once the app is ready. Add this before the first route.
 * The refused page lists them for a technician (src/web/refused-page.ts): what the server serves, never a copy.
 */
export function collectRoutesFor(app: FastifyInstance, role: Role): readonly string[] {
  const paths: string[] = [];
  app.addHook('onRoute', (route) => {
    if (opensFor(route, role) && !paths.includes(route.url)) paths.push(route.url);
  });
  return paths;
}
