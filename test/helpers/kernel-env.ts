import { afterEach } from 'vitest';
import { loadLibc } from '../../server/kernel/libc.js';
import { SsMethod } from '../../server/kernel/observer.js';

/** Whether this machine has the kernel socket view at all (Linux libc through koffi). */
export const linux = loadLibc().ok;

/** Whether `ss` (iproute2) is here, for the tests of the ss fallback. */
export const ssAvailable = (() => {
  try {
    new SsMethod();
    return true;
  } catch {
    return false;
  }
})();

/** Things a test opened (sockets, processes), undone after each test, last first. */
export function cleanupAfterEach(): Array<() => void | Promise<void>> {
  const cleanup: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });
  return cleanup;
}
