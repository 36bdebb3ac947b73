import type { Logger } from '../../drivers/common/logger.js';
import { own, printConfirmTimeoutMs } from '../core/index.js';
import type { HallEngine } from './engine.js';

/**
 * Logs each kiosk ticket the print-confirm timeout voids (core/print-timeout.ts, decided on the
 * server's tick) and each one a late cut revives: which number, how long it waited. Ticket ids and
 * numbers only, no personal data. Returns the unsubscribe.
 */
export function logPrintTimeouts(engine: HallEngine, logger: Logger): () => void {
  return engine.onAppended((events) => {
    for (const e of events) {
      if (e.type === 'TicketVoided' && e.timedOut) {
        const t = own(engine.state.tickets, e.ticketId);
        const config = engine.state.config;
        logger.warn(
          { ticketId: e.ticketId, number: t?.number, reason: e.reason, issuedAt: t?.issuedAt, timeoutS: config ? (printConfirmTimeoutMs(config) ?? 0) / 1000 : undefined },
          'kiosk ticket voided: its print was neither confirmed nor failed in time (the agent died or lost its link); a later cut revives it',
        );
      } else if (e.type === 'TicketPrinted' && e.revived) {
        logger.info({ ticketId: e.ticketId, number: own(engine.state.tickets, e.ticketId)?.number }, 'kiosk ticket revived: its cut came after the print-confirm timeout; it waits at its first place');
      }
    }
  });
}
