/**
 * The kernel observer: watches every TCP socket of a run from the lab server, outside the actors.
 *
 * It lives here and not in the actors because it must keep looking while an actor is blocked
 * (SO_LINGER close stalls its whole event loop), after an actor has closed a socket (the kernel
 * keeps sending an orphaned socket's queue, then FIN_WAIT / TIME_WAIT), and after an actor was
 * killed. A run's sockets are found by port first: every socket whose local or remote port is one
 * of the run's ports (both ends of a loopback connection, the listener, and sockets nobody holds),
 * a filter the kernel runs itself. A port is not an owner, though: another program may hold a
 * socket on the same port. So with an `owner` (ownership.ts: by the inodes the actor processes
 * hold, and for sockets nobody holds by the run's known address pairs and listeners) the Sampler
 * keeps only the run's own sockets of each dump, whichever method made it.
 *
 * Two interchangeable methods answer "what does the kernel hold for these ports right now":
 *  - `sock_diag`: a NETLINK_SOCK_DIAG dump in-process through koffi, with the port filter run
 *    inside the kernel (inet_diag bytecode), IPv4 and IPv6 in one request, no process spawned.
 *  - `ss`: spawns iproute2's `ss -tanmiOHeo <filter>` and parses its text.
 * sock_diag is the default, by measurement (test/bench/observer.bench.ts, 4 sockets, Linux 6.18):
 * one sample ~190 µs median against ~4-7 ms for ss, and 2.9% of a core at 50 samples/s against
 * ~24% for ss (which cannot keep 100/s at all). ss is the fallback when sock_diag cannot be
 * opened.
 *
 * The Sampler polls one method at a fixed rate and writes `sample` trace events: a socket's
 * first sight, every change (compared on every tick, so no change survives two ticks unseen),
 * and GONE when it disappears. Identical consecutive samples are left out.
 *
 * This module is the observer's public face; the work is split by job:
 *  - netlink.ts      the NETLINK_SOCK_DIAG socket and the one dump loop (every sock_diag observer);
 *  - inet-diag.ts    inet_diag requests, the bytecode port filter, reply parsing; the TCP method;
 *  - ss-fallback.ts  the ss method: invocation and parsing;
 *  - method.ts       what a method is, and choosing one (sock_diag, else ss);
 *  - sampler.ts      the Sampler: deadlines, elision, GONE;
 *  - ownership.ts    which sockets on the run's ports are the run's own.
 * Socket keys and IPv6 text come from shared/ (shared/trace/kernel-view.ts socketKey,
 * shared/net/parse-ip.ts formatIpv6), the same code the browser uses.
 */

export type { KernelSocket, MethodChoice, ObserverMethod, ObserverMethodName } from './method.js';
export { openMethod } from './method.js';
export { Sampler, type SamplerOptions, type SamplerStats } from './sampler.js';
export { TcpDiagMethod } from './inet-diag.js';
/** The TCP method's old name (test/bench/observer.bench.ts still uses it). */
export { TcpDiagMethod as SockDiagMethod } from './inet-diag.js';
export { SsMethod, parseSsDuration, parseSsLine, parseSsVersion } from './ss-fallback.js';
