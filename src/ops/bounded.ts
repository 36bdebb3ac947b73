/**
 * Bounded waits for shutdown and other steps that depend on a peer (a broker's acknowledgement, a
 * page's stream): a stop must finish whatever the network does (issue 10: every network wait bounded).
 */

/** Resolves with true when `p` settled within `ms`, false when the bound came first (p is left to itself). */
export function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  return Promise.race([p.then(
    () => true,
    () => true,
  ), bound]).finally(() => clearTimeout(timer));
}
