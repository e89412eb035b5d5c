/**
 * Keeps Chrome from stopping the service worker as idle while long work runs: an extension API call every
 * 20 s resets its idle timer. Returns a switch; it says whether the state changed, so a caller can pair the
 * change with an alarm of its own.
 */
const KEEPALIVE_MS = 20_000;

export function keepAliveSwitch(): (busy: boolean) => boolean {
  let timer: ReturnType<typeof setInterval> | undefined;
  return (busy) => {
    if (busy === (timer !== undefined)) return false;
    if (busy) timer = setInterval(() => void browser.runtime.getPlatformInfo().catch(() => undefined), KEEPALIVE_MS);
    else {
      clearInterval(timer);
      timer = undefined;
    }
    return true;
  };
}
