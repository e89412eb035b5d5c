/**
 * The content script's life, on terms no page script can change.
 *
 * WXT's ContentScriptContext invalidates itself when the document receives the custom event
 * `<extension id>:<script name>:wxt:content-script-started` (WXT 0.20.27 and 0.21,
 * utils/content-script-context.mjs, `listenForNewerScripts`), which a page script can dispatch: the
 * extension id is public. The content script is therefore built without WXT's wrapper (entrypoints/chatgpt.ts)
 * and lives on this lifetime, which ends when the extension that injected the script is gone: after an
 * update, a reload or an uninstall `browser.runtime.id` is undefined in the orphaned script (checked on every
 * timer, on every look at the page and when the capture port disconnects).
 */
/** The extension's id, undefined once it is gone (the content script's `browser` is the browser's own object). */
function extensionId(): string | undefined {
  return browser.runtime?.id;
}

export class CaptureLifetime {
  private readonly controller = new AbortController();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly intervals = new Set<ReturnType<typeof setInterval>>();

  constructor(private readonly runtimeId: () => string | undefined = extensionId) {
    this.controller.signal.addEventListener('abort', () => {
      for (const t of this.timers) clearTimeout(t);
      for (const t of this.intervals) clearInterval(t);
      this.timers.clear();
      this.intervals.clear();
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether capture has ended; ends it first if the extension is gone. */
  ended(): boolean {
    if (!this.controller.signal.aborted && this.runtimeId() == null) this.controller.abort();
    return this.controller.signal.aborted;
  }

  /** Run `cb` once capture ends. */
  onEnd(cb: () => void): void {
    this.controller.signal.addEventListener('abort', cb, { once: true });
  }

  /** A timer that never fires after the end. */
  setTimeout(fn: () => void, ms: number): () => void {
    if (this.ended()) return () => undefined;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.ended()) fn();
    }, ms);
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  setInterval(fn: () => void, ms: number): void {
    if (this.ended()) return;
    const t = setInterval(() => {
      if (!this.ended()) fn();
    }, ms);
    this.intervals.add(t);
  }
}
