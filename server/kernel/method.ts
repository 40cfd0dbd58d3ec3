/**
 * What a kernel observer method is (the Sampler runs any of them), and choosing the TCP one:
 * sock_diag in-process (inet-diag.ts), `ss` as the fallback when sock_diag cannot be opened
 * (ss-fallback.ts). UDP and Unix sockets have methods of their own (udp-diag.ts, unix-diag.ts).
 */
import type { SampleEvent } from '../../shared/trace/kernel-events.js';
import { TcpDiagMethod } from './inet-diag.js';
import { SsMethod } from './ss-fallback.js';

/** One socket as observed: a `sample` event without the event envelope. */
export type KernelSocket = Omit<SampleEvent, 'type' | 't' | 'actor' | 'kind'>;
export type ObserverMethodName = 'sock_diag' | 'ss';

export interface ObserverMethod {
  readonly name: ObserverMethodName;
  /** Every socket whose local or remote port is in `ports` (or, without ports, of the run), at one moment. */
  query(ports: ReadonlySet<number>): Promise<KernelSocket[]>;
  /** The same, synchronously, for methods that never block (a few MSG_DONTWAIT syscalls). */
  querySync?(ports: ReadonlySet<number>): KernelSocket[];
  /**
   * How far a reported timer expiry may be from the truth: the kernel counts in jiffies, ss also
   * truncates to whole seconds or minutes. Used to tell a timer counting down from one restarted.
   */
  timerPrecisionMs(expiresMs: number): number;
  close(): void;
}

export interface MethodChoice {
  method?: ObserverMethod;
  /** Why each method is or is not usable here: 'on' or the reason. */
  availability: Record<ObserverMethodName, string>;
}

/**
 * Opens the preferred TCP method (sock_diag unless told otherwise), falling back to the other one.
 * `method` is absent when neither works (not Linux, no ss): the reasons say why.
 */
export function openMethod(prefer: ObserverMethodName = 'sock_diag'): MethodChoice {
  const availability = {} as Record<ObserverMethodName, string>;
  const tryOpen = (name: ObserverMethodName): ObserverMethod | undefined => {
    try {
      let m: ObserverMethod;
      if (name === 'sock_diag') {
        const d = new TcpDiagMethod();
        try {
          // Opening is not enough (a sandbox may refuse the dump itself): ask once.
          d.querySync(new Set([1]));
        } catch (e) {
          d.close();
          throw e;
        }
        m = d;
      } else m = new SsMethod();
      availability[name] = 'on';
      return m;
    } catch (e) {
      availability[name] = e instanceof Error ? e.message : String(e);
      return undefined;
    }
  };
  const other: ObserverMethodName = prefer === 'sock_diag' ? 'ss' : 'sock_diag';
  const method = tryOpen(prefer) ?? tryOpen(other);
  if (method && availability[other] === undefined) availability[other] = 'not tried';
  return method ? { method, availability } : { availability };
}

/** The chosen method; throws with every method's reason when none can be opened. */
export function chosenMethod(choice: MethodChoice): ObserverMethod {
  if (choice.method) return choice.method;
  throw new Error(`kernel observer unavailable: ${Object.entries(choice.availability).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
}
