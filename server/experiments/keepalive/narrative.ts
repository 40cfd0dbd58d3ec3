export const narrative = `
**What the seed says** (seed 003). \`SetKeepAlive\` keeps a long connection alive, "reducing the
overhead of handshakes" for applications that exchange data often.

**What keepalive really is.** A connection with no traffic sends nothing, so neither side can
tell a silent peer from a vanished one. With SO_KEEPALIVE the kernel sends a probe after
TCP_KEEPIDLE seconds of silence, then every TCP_KEEPINTVL seconds; after TCP_KEEPCNT unanswered
probes it declares the connection dead and the program's next read fails with ETIMEDOUT. It
detects dead peers; it does not save handshakes. Linux's defaults are 7200 s, 75 s and 9 —
over two hours — so this experiment sets 1 s, 1 s and 3 (Node's \`setKeepAlive\` only sets the
first two; the lab's setsockopt sets all three and records what the kernel kept).

**What this kernel did** (on this machine: Linux 6.18).
- **loopback**: the kernel ran the client's **keepalive timer** (the samples show it counting
  down from ~1 s and re-armed after each answered probe); the connection stayed up through 5.3 s
  of silence. On the ladder each probe is an ACK and the server's kernel answers it — the server
  program does nothing.
- **vanishing** (root): the server runs in a network namespace joined by a veth pair (addresses
  from 198.18.0.0/15, reserved for benchmarks), and 2.5 s after the connection is up the lab takes
  its link down: no FIN, no RST, silence. The client got **ETIMEDOUT 3352–3615 ms after the cut** (3 probes × 1 s, plus the
  wait for the next probe); the samples showed **up to 3 unanswered probes**. The namespace and
  both veth ends are deleted when the run ends, and leftovers of a crashed lab are swept at the
  next start.
- Without root, the vanishing peer cannot be made; the trace header's capabilities and the event
  list say why, and the actors run on loopback.
`.trim();
