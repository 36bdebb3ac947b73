import { isHallqError } from '../../../drivers/common/error.js';
import type { ScreenContent, WindowScreen } from '../../../drivers/led-screen/window-screen.js';

export type ScreenResult = { ok: true } | { ok: false; code: string };

/**
 * A window screen that reports how each write went: a screen only answers when written to, so its
 * health is the result of its last show() or test pattern.
 */
export class MonitoredScreen implements WindowScreen {
  constructor(
    readonly inner: WindowScreen,
    private readonly report: (r: ScreenResult) => void,
  ) {}

  show(content: ScreenContent, opts: { urgent: boolean }): Promise<void> {
    return this.watch(this.inner.show(content, opts));
  }

  testPattern(): Promise<void> {
    return this.watch(this.inner.testPattern());
  }

  forget(): void {
    this.inner.forget();
  }

  private watch(p: Promise<void>): Promise<void> {
    return p.then(
      () => this.report({ ok: true }),
      (e: unknown) => {
        this.report({ ok: false, code: isHallqError(e) ? e.code : 'INTERNAL' });
        throw e;
      },
    );
  }
}
