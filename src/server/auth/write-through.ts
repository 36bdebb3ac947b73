import type { Logger } from '../../../drivers/common/logger.js';

/**
 * A write-through to the hall database that never fails its caller: a write the database refuses (disk
 * full, locked past the busy wait) is logged once, with `warning`, until one succeeds again, and the
 * caller goes on from memory (a sign-in never fails because its row or count could not be written).
 */
export function writeThrough(logger: Logger, warning: string): (what: () => void) => void {
  let warned = false;
  return (what) => {
    try {
      what();
      warned = false;
    } catch (e) {
      if (!warned) logger.warn({ err: String(e) }, warning);
      warned = true;
    }
  };
}
