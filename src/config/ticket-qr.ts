// The ticket's QR code and the longest statusBaseUrl it holds: read by the ticket document (src/agent) and by
// the config's warnings, which the server loads too, so it lives on the config's side and loads no printer code.

/** The ticket's QR code: module size 6 (0.75 mm a module at 203 dpi: a phone reads it at arm's length), level M. */
export const TICKET_QR = { moduleSize: 6, errorLevel: 'M' } as const;

/**
 * The longest `statusBaseUrl` (bytes, without a trailing /) whose status links (`/s/` and a 43-character token
 * follow it) still fit the ticket's QR code on 80 mm paper (576 dots): a 624-byte link, QR version 19, 558 dots.
 * A longer one makes every printed ticket's QR wider than the paper, which the printer's encoder refuses.
 * A figure, not the encoder's computation, so that the server's start loads no printer code;
 * test/agent/ticket-qr-width.test.ts holds it to the encoder (578 prints, 579 is refused).
 */
export const MAX_STATUS_BASE_URL_BYTES = 578;
