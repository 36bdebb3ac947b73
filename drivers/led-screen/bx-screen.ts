/** WindowScreen for Onbon BX-5 / BX-6 controllers: one dynamic text area, written with A3 06. */
import { HallqError, type ErrorCode } from '../common/error.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { BusPort, ReplyFramer } from '../rs485/bus-port.js';
import { BX_EFFECT, BX_PING, BX_RESPONSE_NONE, BX_RESPONSE_WANTED, DEFAULT_BX_REPLY, decodeBxReplyData, encodeBxDynamicText, type BxArea, type BxReplyFormat } from './bx-commands.js';
import { BX_DEVICE_GENERIC, BX_HOST_ADDRESS, bxBodyOf, bxPacket, decodeBxFrames, encodeBxFrame, findBxSpans } from './bx-codec.js';
import { encodeGb2312 } from './gb2312.js';
import { BusScreen, type ReplyRule, type UpkeepOptions } from './bus-screen.js';
import { bxMarkup, type ScreenLayout } from './layout.js';

export type BxAreaGeometry = Pick<BxArea, 'x' | 'y' | 'width' | 'height' | 'areaId'>;

export interface BxScreenConfig {
  /** Screen address (PHY1 destination, 0..0xFFFE). */
  address: number;
  /** Default: the whole of a 128×16 screen (x 0, y 0, width 16 bytes = 128 px, height 16 px), area id 0. */
  area?: Partial<BxAreaGeometry>;
  /** PHY1 device type byte; FE = any controller. */
  deviceType?: number;
  /** Ask for a reply (A3 06 response flag 01). false sends 02 and does not wait (⚠ for controllers that never answer). */
  expectReply?: boolean;
  /** ⚠ Reply layout; see README. */
  replyFormat?: BxReplyFormat;
  timeoutMs?: number;
  /** Resends after a timeout, a corrupt reply or a NAK (line noise, usually), before giving up. */
  retries?: number;
  /** Scroll speed (0 fastest) and hold time of the area. */
  speed?: number;
  hold?: number;
  maxLineChars?: number;
  /** Writes again after a failure, offline threshold, idle status poll (bus-screen.ts). */
  upkeep?: UpkeepOptions;
}

export class BxScreen extends BusScreen {
  constructor(
    bus: BusPort,
    private readonly config: BxScreenConfig,
    logger: Logger = silentLogger,
  ) {
    super(bus, logger.child({ screen: 'bx', busAddress: config.address }), {
      key: `led-bx@${config.address}`,
      id: config.address,
      label: 'bx',
      ...(config.maxLineChars === undefined ? {} : { maxLineChars: config.maxLineChars }),
      ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
      ...(config.retries === undefined ? {} : { retries: config.retries }),
      ...(config.upkeep === undefined ? {} : { upkeep: config.upkeep }),
    });
  }

  frameFor(layout: ScreenLayout): Buffer {
    const c = this.config;
    const area: BxArea = {
      x: c.area?.x ?? 0,
      y: c.area?.y ?? 0,
      width: c.area?.width ?? 16,
      height: c.area?.height ?? 16,
      areaId: c.area?.areaId ?? 0,
      lineSpacing: 0,
      runMode: 1, // keep the last page shown: a window screen holds its text until told otherwise
      timeout: 0,
      voice: 0,
      alignment: layout.scroll ? 0x00 : 0x02, // centred unless scrolling
      lines: 0x01,
      wrap: 0x01,
      effect: layout.scroll ? BX_EFFECT.scrollLeft : BX_EFFECT.static,
      exitEffect: 0,
      speed: c.speed ?? 1,
      hold: c.hold ?? 0,
      text: encodeGb2312(bxMarkup(layout)),
    };
    const data = encodeBxDynamicText({ responseFlag: this.expectsReply ? BX_RESPONSE_WANTED : BX_RESPONSE_NONE, clear: 1, areas: [area] });
    return encodeBxFrame(bxPacket(c.address, data, { deviceType: c.deviceType ?? BX_DEVICE_GENERIC }));
  }

  /** The public client's ping (A2 00 01 00 00): answered like a write, shows nothing. None for a controller set not to answer. */
  protected probeFrame(): Buffer | undefined {
    const c = this.config;
    return this.expectsReply ? encodeBxFrame(bxPacket(c.address, Buffer.from(BX_PING), { deviceType: c.deviceType ?? BX_DEVICE_GENERIC })) : undefined;
  }

  private get expectsReply(): boolean {
    return this.config.expectReply ?? true;
  }

  protected replyRule(frame: Buffer): ReplyRule | undefined {
    const format = this.config.replyFormat ?? DEFAULT_BX_REPLY;
    return this.expectsReply ? { reply: bxReplyFramer(frame, this.config.address), judge: (reply) => judgeBxReply(reply, format) } : undefined;
  }

  protected failure(err: HallqError, _rule: ReplyRule | undefined): Error {
    const address = this.config.address;
    return new HallqError(err.code, `BX screen ${address}: ${err.message}`, { ...err.details, busAddress: address }, { cause: err });
  }
}

/**
 * The bus's judgement of a framed reply: DEVICE_CHECKSUM for a corrupt frame, DEVICE_NAK for a refusal
 * (any non-zero controller error) or a reply we do not understand. Never throws.
 */
export function judgeBxReply(reply: Buffer, format: BxReplyFormat = DEFAULT_BX_REPLY): ErrorCode | undefined {
  const ev = decodeBxFrames(reply)[0];
  if (!ev || ev.type === 'error') return 'DEVICE_CHECKSUM';
  return decodeBxReplyData(ev.packet.data, format).type === 'ack' ? undefined : 'DEVICE_NAK';
}

/**
 * Recognises the screen's reply in the receive buffer: the first complete frame that is neither our own
 * echo nor a valid frame from someone else (a late reply of another screen). Corrupt frames are returned,
 * so that the driver reports DEVICE_CHECKSUM rather than a timeout.
 */
export function bxReplyFramer(sent: Buffer, address: number): ReplyFramer {
  const sentBody = bxBodyOf(sent);
  return (received) => {
    for (const s of findBxSpans(received)) {
      const raw = received.subarray(s.start, s.end);
      if (bxBodyOf(raw).equals(sentBody)) continue;
      const ev = decodeBxFrames(raw)[0];
      if (ev?.type === 'packet' && (ev.packet.src !== address || ev.packet.dst !== BX_HOST_ADDRESS)) continue;
      return { frame: Buffer.from(raw), consumed: s.end };
    }
    return undefined;
  };
}
