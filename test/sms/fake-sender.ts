import type { SmsMessage, SmsReceipt, SmsSender } from '../../drivers/sms/sender.js';

type Step = { ok: string } | { error: Error } | { hold: true };

/** An SmsSender that answers from a script (then with successes), records every call with its time. */
export class FakeSender implements SmsSender {
  readonly calls: { msg: SmsMessage; at: number }[] = [];
  private readonly held: { resolve: (r: SmsReceipt) => void; reject: (e: Error) => void }[] = [];
  private readonly waiters: ((n: number) => void)[] = [];

  constructor(private readonly script: Step[] = []) {}

  send(msg: SmsMessage): Promise<SmsReceipt> {
    this.calls.push({ msg, at: Date.now() });
    for (const w of this.waiters.splice(0)) w(this.calls.length);
    const step = this.script.shift() ?? { ok: `ref-${this.calls.length}` };
    if ('hold' in step) return new Promise((resolve, reject) => this.held.push({ resolve, reject }));
    if ('error' in step) return Promise.reject(step.error);
    return Promise.resolve({ providerRef: step.ok });
  }

  /** Answers the oldest held send. */
  release(providerRef = 'held-ref'): void {
    this.held.shift()?.resolve({ providerRef });
  }

  /** Resolves once the sender has been called n times in all. */
  called(n: number): Promise<void> {
    if (this.calls.length >= n) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (count: number) => (count >= n ? resolve() : this.waiters.push(check));
      this.waiters.push(check);
    });
  }
}
