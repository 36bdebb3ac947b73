/** WindowScreen for "external call" cards (type 0x32 / protocol 0x7B): one 0x85 text per update. */
import { HallqError, type ErrorCode } from '../common/error.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { BusPort, ReplyFramer } from '../rs485/bus-port.js';
import { DEFAULT_EXT_COLOURS, DEFAULT_EXT_EFFECTS, EXT_RC, encodeExtText, decodeExtReplyPayload, type ExtTextFormat } from './external-commands.js';
import { EXT_GROUP_CARD, EXT_REQUEST, decodeExtFrames, encodeExtFrame, extRequest, findExtSpans } from './external-codec.js';
import { encodeGb2312 } from './gb2312.js';
import { BusScreen, type ReplyRule, type UpkeepOptions } from './bus-screen.js';
import { plainText, type ScreenColour, type ScreenLayout } from './layout.js';


export interface ExternalCallScreenConfig {
  /** Card id 01..FE; FF addresses the group (sent without asking for a reply). */
  cardId: number;
  /** Program (1..100) and window (1..10) of the card's template that holds the text. */
  program?: number;
  window?: number;
  userCode?: number;
  /** Font size code (bits 0..3) and type (bits 4..6); 2 = 16 px in the vendor's table. */
  font?: number;
  speed?: number;
  hold?: number;
  colours?: Record<ScreenColour, number>;
  effects?: { static: number; scrollLeft: number };
  timeoutMs?: number;
  /** Resends after a timeout, a corrupt reply or a NAK, before giving up. */
  retries?: number;
  maxLineChars?: number;
  /** Writes again after a failure, offline threshold (bus-screen.ts); no status poll: the card has no query. */
  upkeep?: UpkeepOptions;
}

/** The external-call reply rule also remembers the card's return code, to name a refusal. */
type ExtRule = ReplyRule & { returnCode?: number };

export class ExternalCallScreen extends BusScreen<ExtRule> {
  constructor(
    bus: BusPort,
    private readonly config: ExternalCallScreenConfig,
    logger: Logger = silentLogger,
  ) {
    super(bus, logger.child({ screen: 'external-call', cardId: config.cardId }), {
      key: `led-ext@${config.cardId}`,
      id: config.cardId,
      label: 'external-call',
      ...(config.maxLineChars === undefined ? {} : { maxLineChars: config.maxLineChars }),
      ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
      ...(config.retries === undefined ? {} : { retries: config.retries }),
      ...(config.upkeep === undefined ? {} : { upkeep: config.upkeep }),
    });
  }

  frameFor(layout: ScreenLayout): Buffer {
    const c = this.config;
    const effects = c.effects ?? DEFAULT_EXT_EFFECTS;
    const format: ExtTextFormat = {
      hold: c.hold ?? (layout.scroll ? 0 : 3),
      speed: c.speed ?? 1,
      font: c.font ?? 0x02,
      colour: (c.colours ?? DEFAULT_EXT_COLOURS)[layout.colour],
      effect: layout.scroll ? effects.scrollLeft : effects.static,
      align: layout.scroll ? 0x00 : 0x01 | 0x04, // centred both ways unless scrolling
    };
    const payload = encodeExtText({
      userCode: c.userCode ?? 1,
      program: c.program ?? 1,
      window: c.window ?? 1,
      playNow: true,
      format,
      text: encodeGb2312(plainText(layout)),
    });
    return encodeExtFrame(extRequest(c.cardId, payload));
  }

  /** The documents give the card no status query: it is checked by its writes alone. */
  protected probeFrame(): Buffer | undefined {
    return undefined;
  }

  protected replyRule(frame: Buffer): ExtRule | undefined {
    // The group address (FF) is sent without asking for a reply.
    if (this.config.cardId === EXT_GROUP_CARD) return undefined;
    const rule: ExtRule = {
      reply: extReplyFramer(frame, this.config.cardId),
      judge: (reply) => {
        const j = judgeExtReply(reply);
        rule.returnCode = j.returnCode;
        return j.code;
      },
    };
    return rule;
  }

  protected failure(err: HallqError, rule: ExtRule | undefined): Error {
    const { cardId } = this.config;
    const returnCode = rule?.returnCode;
    const reason = err.code !== 'DEVICE_NAK' ? undefined : returnCode === EXT_RC.checksum ? 'checksum error' : returnCode === EXT_RC.sequence ? 'sequence error' : 'refused';
    return new HallqError(err.code, `external-call card ${cardId}: ${reason ?? err.message}`, { ...err.details, cardId, ...(reason ? { returnCode, reason } : {}) }, { cause: err });
  }
}

/** The bus's judgement of a framed reply (never throws); returnCode is the card's, when it gave one. */
export function judgeExtReply(reply: Buffer): { code: ErrorCode | undefined; returnCode?: number } {
  const ev = decodeExtFrames(reply)[0];
  if (!ev || ev.type === 'error') return { code: 'DEVICE_CHECKSUM' };
  const r = decodeExtReplyPayload(ev.frame.payload);
  switch (r.type) {
    case 'ok':
      return { code: undefined, returnCode: EXT_RC.ok };
    case 'error':
      return { code: 'DEVICE_NAK', returnCode: r.returnCode };
    case 'unexpected':
      return { code: 'DEVICE_NAK' };
  }
}

/** First complete frame that is not our echo, not another card's frame and not a request; corrupt frames are returned. */
export function extReplyFramer(sent: Buffer, cardId: number): ReplyFramer {
  return (received) => {
    for (const s of findExtSpans(received)) {
      const raw = received.subarray(s.start, s.end);
      if (raw.equals(sent)) continue;
      const ev = decodeExtFrames(raw)[0];
      if (ev?.type === 'frame' && (ev.frame.cardId !== cardId || (ev.frame.frameType === EXT_REQUEST && ev.frame.ackFlag !== 0))) continue;
      return { frame: Buffer.from(raw), consumed: s.end };
    }
    return undefined;
  };
}
