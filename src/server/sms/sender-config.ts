/**
 * The SmsSender the config asks for: a GSM/4G modem on a serial port, or a cloud gateway whose
 * secret is read from a file (the config file itself holds no secrets).
 */
import { HallqError } from '../../../drivers/common/error.js';
import type { Logger } from '../../../drivers/common/logger.js';
import { SerialTransport } from '../../../drivers/common/serial-transport.js';
import { AliyunSms } from '../../../drivers/sms/aliyun-sms.js';
import { AtModem } from '../../../drivers/sms/at-modem.js';
import type { SmsSender } from '../../../drivers/sms/sender.js';
import { TencentSms } from '../../../drivers/sms/tencent-sms.js';
import { readReferencedFile } from '../../config/referenced-files.js';
import type { SmsConfig } from '../../config/schema.js';

export interface SenderHandle {
  sender: SmsSender;
  /** Before each send: (re)opens a modem that is not ready. */
  prepare?: () => Promise<void>;
  /** A modem's port, and whether it is initialised in PDU mode with its link open (AtModem.health().ready). Absent for a gateway. */
  modem?: { port: string; ready: () => boolean };
  close(): Promise<void>;
}

/** undefined for provider 'none'. */
export function createSmsSender(config: SmsConfig, logger: Logger): SenderHandle | undefined {
  switch (config.provider) {
    case 'none':
      return undefined;
    case 'modem': {
      const c = need(config.modem, 'modem');
      const modem = new AtModem(new SerialTransport({ path: c.path, baudRate: c.baudRate }), { logger });
      return {
        sender: modem,
        prepare: async () => {
          if (!modem.health().ready) await modem.start();
        },
        modem: { port: c.path, ready: () => modem.health().ready },
        close: () => modem.close(),
      };
    }
    case 'aliyun': {
      const c = need(config.aliyun, 'aliyun');
      const sender = new AliyunSms({
        accessKeyId: c.accessKeyId,
        accessKeySecret: secret('server.sms.aliyun.accessKeySecretFile', c.accessKeySecretFile),
        signName: c.signName,
        templates: c.templates,
        logger,
        ...(c.endpoint ? { endpoint: c.endpoint } : {}),
        ...(c.regionId ? { regionId: c.regionId } : {}),
      });
      return { sender, close: () => Promise.resolve() };
    }
    case 'tencent': {
      const c = need(config.tencent, 'tencent');
      const sender = new TencentSms({
        secretId: c.secretId,
        secretKey: secret('server.sms.tencent.secretKeyFile', c.secretKeyFile),
        sdkAppId: c.sdkAppId,
        signName: c.signName,
        templates: c.templates,
        logger,
        ...(c.endpoint ? { endpoint: c.endpoint } : {}),
        ...(c.region ? { region: c.region } : {}),
      });
      return { sender, close: () => Promise.resolve() };
    }
  }
}

function need<T>(section: T | undefined, name: string): T {
  if (section === undefined) throw new HallqError('CONFIG_INVALID', `server.sms.${name} is required when provider is ${name}`, { messageZh: `provider 是 ${name} 时必须设置 server.sms.${name}` });
  return section;
}

function secret(key: string, path: string): string {
  return readReferencedFile(key, path).trim();
}
