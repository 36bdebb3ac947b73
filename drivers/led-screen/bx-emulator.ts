/** An Onbon BX-5/6 controller on the line: decodes A3 06 dynamic text into what it shows, answers per its faults. */
import { silentLogger, type Logger } from '../common/logger.js';
import type { DelayedReply, EmulatedBusDevice } from '../rs485/bus-device.js';
import { BX_EFFECT, BX_ERR, BX_RESPONSE_WANTED, DEFAULT_BX_REPLY, decodeBxCommand, encodeBxReplyData, type BxReplyFormat } from './bx-commands.js';
import { BX_BROADCAST, BX_DEVICE_GENERIC, BxFramer, bxPacket, encodeBxFrame } from './bx-codec.js';
import { decodeGb2312 } from './gb2312.js';
import { parseBxMarkup } from './layout.js';
import { ScreenEmulatorBase, type ShownEffect } from './screen-emulator.js';

/** Between two areas of one frame in the emulator's text (the areas are side by side or stacked on the panel). */
export const AREA_SEPARATOR = ' ‖ ';

export interface BxScreenEmulatorOptions {
  address: number;
  /** Device type byte put in replies (FE generic). */
  deviceType?: number;
  /** ⚠ Reply layout; must match the driver's. */
  replyFormat?: BxReplyFormat;
  logger?: Logger;
}

type Answer = { type: 'ack' } | { type: 'nak'; error: number };

export class BxScreenEmulator extends ScreenEmulatorBase implements EmulatedBusDevice {
  readonly name: string;
  readonly address: number;
  private readonly framer = new BxFramer();
  private readonly replyFormat: BxReplyFormat;
  private readonly deviceType: number;

  constructor(opts: BxScreenEmulatorOptions) {
    super(opts.logger ?? silentLogger);
    this.address = opts.address;
    this.name = `screen-bx@${opts.address}`;
    this.replyFormat = opts.replyFormat ?? DEFAULT_BX_REPLY;
    this.deviceType = opts.deviceType ?? BX_DEVICE_GENERIC;
  }

  hear(chunk: Buffer): Array<Buffer | DelayedReply> {
    if (!this.powered) return [];
    const replies: Buffer[] = [];
    for (const ev of this.framer.push(chunk)) {
      // A corrupt frame cannot be trusted to be ours: a real controller stays silent (the host times out).
      if (ev.type === 'error') continue;
      const p = ev.packet;
      const broadcast = p.dst === BX_BROADCAST;
      if ((p.dst !== this.address && !broadcast) || p.src === this.address) continue;
      this.received++;
      const answer = this.handle(p.data);
      const cmd = decodeBxCommand(p.data);
      const wantsReply = !broadcast && (cmd?.type !== 'dynamic-text' || cmd.responseFlag === BX_RESPONSE_WANTED);
      if (!answer || !wantsReply) continue;
      const data = encodeBxReplyData(answer, this.replyFormat);
      const crcXor = this.fault.type === 'bad-reply-checksum' ? 0x5555 : 0;
      replies.push(encodeBxFrame(bxPacket(p.src, data, { src: this.address, deviceType: this.deviceType }), crcXor));
    }
    return this.answer(replies);
  }

  protected powerUp(): void {
    this.framer.reset();
  }

  /** What to answer, or undefined for silence. Shows the text when accepted. */
  private handle(data: Buffer): Answer | undefined {
    switch (this.fault.type) {
      case 'no-reply':
      case 'power-off':
        return undefined;
      case 'nak-checksum':
        return { type: 'nak', error: BX_ERR.checksum };
      case 'nak-sequence':
        return { type: 'nak', error: BX_ERR.fileBlockNumber };
      case 'none':
      case 'bad-reply-checksum':
      case 'slow-reply':
        break;
    }
    const cmd = decodeBxCommand(data);
    if (!cmd) return { type: 'nak', error: 2 }; // ERR_NOCMD: malformed command data
    if (cmd.type === 'other') return { type: 'ack' };
    // Every area the frame carries, in its order (a number and a scrolling notice: `A012 ‖ 请…`); the effect is the first area's.
    const shown = cmd.areas.map((area) => parseBxMarkup(decodeGb2312(area.text)));
    const first = cmd.areas[0];
    if (first) {
      const effect: ShownEffect = first.effect === BX_EFFECT.static ? 'static' : first.effect === BX_EFFECT.scrollLeft ? 'scroll-left' : 'other';
      const runs = shown.flatMap((r, i) => (i === 0 ? r : [{ colour: 'default' as const, text: AREA_SEPARATOR }, ...r]));
      this.display({ text: shown.map((r) => r.map((x) => x.text).join('')).join(AREA_SEPARATOR), runs, effect });
    }
    return { type: 'ack' };
  }
}
