/** An "external call" card on the line: reassembles 0x85 text packets in order, shows them, answers per its faults. */
import { silentLogger, type Logger } from '../common/logger.js';
import type { DelayedReply, EmulatedBusDevice } from '../rs485/bus-device.js';
import { DEFAULT_EXT_COLOURS, DEFAULT_EXT_EFFECTS, EXT_RC, decodeExtCommand, encodeExtReplyPayload } from './external-commands.js';
import { EXT_DEVICE_TYPE, EXT_GROUP_CARD, EXT_PROTOCOL, EXT_REPLY, EXT_REQUEST, ExtFramer, encodeExtFrame, type ExtFrame } from './external-codec.js';
import { decodeGb2312 } from './gb2312.js';
import type { ScreenColour, ShownColour } from './layout.js';
import { ScreenEmulatorBase, type ShownEffect } from './screen-emulator.js';

export interface ExternalCallScreenEmulatorOptions {
  cardId: number;
  /** ⚠ Reply frame type: E8 (default) or 68. */
  replyType?: number;
  colours?: Record<ScreenColour, number>;
  effects?: { static: number; scrollLeft: number };
  logger?: Logger;
}

export class ExternalCallScreenEmulator extends ScreenEmulatorBase implements EmulatedBusDevice {
  readonly name: string;
  readonly cardId: number;
  private readonly framer = new ExtFramer();
  private readonly replyType: number;
  private readonly colours: Record<ScreenColour, number>;
  private readonly effects: { static: number; scrollLeft: number };
  /** Packets of a multi-packet command received so far, in order. */
  private parts: Buffer[] = [];

  constructor(opts: ExternalCallScreenEmulatorOptions) {
    super(opts.logger ?? silentLogger);
    this.cardId = opts.cardId;
    this.name = `screen-ext@${opts.cardId}`;
    this.replyType = opts.replyType ?? EXT_REPLY;
    this.colours = opts.colours ?? DEFAULT_EXT_COLOURS;
    this.effects = opts.effects ?? DEFAULT_EXT_EFFECTS;
  }

  hear(chunk: Buffer): Array<Buffer | DelayedReply> {
    if (!this.powered) return [];
    const replies: Buffer[] = [];
    for (const ev of this.framer.push(chunk)) {
      if (ev.type === 'error') continue; // a real card cannot tell whose a corrupt frame was: silence
      const f = ev.frame;
      if (f.frameType !== EXT_REQUEST || f.deviceType !== EXT_DEVICE_TYPE || f.protocol !== EXT_PROTOCOL) continue;
      if (f.cardId !== this.cardId && f.cardId !== EXT_GROUP_CARD) continue;
      if (f.ackFlag === 0 && f.cardId === this.cardId && this.replyType === EXT_REQUEST) continue; // a 68-type reply, echoed
      this.received++;
      const rc = this.handle(f);
      if (rc === undefined || f.ackFlag === 0 || f.cardId === EXT_GROUP_CARD) continue;
      const reply: ExtFrame = {
        frameType: this.replyType,
        deviceType: EXT_DEVICE_TYPE,
        cardId: this.cardId,
        protocol: EXT_PROTOCOL,
        ackFlag: 0,
        packetNo: f.packetNo,
        lastPacket: f.lastPacket,
        payload: encodeExtReplyPayload(f.payload[0] ?? 0, rc),
      };
      replies.push(encodeExtFrame(reply, this.fault.type === 'bad-reply-checksum' ? 0x5555 : 0));
    }
    return this.answer(replies);
  }

  protected powerUp(): void {
    this.framer.reset();
    this.parts = [];
  }

  /** The return code to answer, or undefined for silence. */
  private handle(f: ExtFrame): number | undefined {
    switch (this.fault.type) {
      case 'no-reply':
      case 'power-off':
        return undefined;
      case 'nak-checksum':
        return EXT_RC.checksum;
      case 'nak-sequence':
        return EXT_RC.sequence;
      case 'none':
      case 'bad-reply-checksum':
      case 'slow-reply':
        break;
    }
    // Packets must come 0, 1, … lastPacket; anything else is a sequence error and starts over.
    if (f.packetNo === 0) this.parts = [];
    if (f.packetNo !== this.parts.length || f.packetNo > f.lastPacket) {
      this.parts = [];
      return EXT_RC.sequence;
    }
    this.parts.push(f.payload);
    if (f.packetNo < f.lastPacket) return EXT_RC.ok;
    const payload = Buffer.concat(this.parts);
    this.parts = [];
    const cmd = decodeExtCommand(payload);
    if (cmd?.type === 'text') {
      const colour = this.colourName(cmd.format?.colour);
      const code = cmd.format?.effect;
      const effect: ShownEffect = code === undefined || code === this.effects.static ? 'static' : code === this.effects.scrollLeft ? 'scroll-left' : 'other';
      const text = decodeGb2312(cmd.text);
      this.display({ text, runs: text === '' ? [] : [{ colour, text }], effect });
    }
    return EXT_RC.ok;
  }

  private colourName(code: number | undefined): ShownColour {
    for (const [name, c] of Object.entries(this.colours)) if (c === code) return name as ScreenColour;
    return 'default';
  }
}
