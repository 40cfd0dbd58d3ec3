export const narrative = `
**What the seed says** (seeds 000 and 001). Writing to a connection can fail; \`Temporary()\` marks
the errors worth retrying, so seed 000 writes in a \`for\` loop that retries on temporary errors,
and seed 001's accept loop \`continue\`s on a temporary error and returns on anything else.

**What this kernel did** (on this machine: Linux 6.18, loopback), each error made for real:
- **ECONNREFUSED** (connect, 18–129 ms): a port that is bound but not listening; the kernel
  answers the SYN with RST.
- **EADDRINUSE** (listen, 3.5 ms): a second listener on the server's address and port.
- **ECONNRESET** (read, 4.5–5.5 ms): the server called \`resetAndDestroy()\` — RST instead of FIN.
- **EPIPE** (write, ~104 ms, of which 100 ms is the client's pause): the server closed; the
  client got EOF, wrote anyway (the kernel sent it, the closed socket answered with RST), then
  wrote again: EPIPE. After a FIN the kernel reports the RST as EPIPE, not ECONNRESET.
- **ETIMEDOUT** (connect, **3066–3068 ms**): a listener whose accept queue is full drops SYNs. With
  TCP_SYNCNT 1 the kernel itself gave up: the samples show SYN_SENT with 0, then 1, then 2
  retransmissions at ~1 s and ~3 s. The give-up is time-based (2^(n+1) − 1 s since the first SYN);
  with Linux's default of 6 retries it is ~127 s.
- **The retrier**: when the server restarted, its connection died with ECONNRESET — a new
  connection, not a retry on the dead one — then 4 dials were refused and retried after **100, 200,
  400 and 800 ms**; the 5th got in after the server’s 1.5 s downtime. In about one run in three
  another ECONNRESET came before the refusals, this one from \`connect\`: the immediate redial reached the listener in the
  last instant before it closed, the kernel completed the handshake and queued it, and closing the
  listener reset everything in its queue.

**Temporary, in Node.** Go's \`Temporary()\` is true for EINTR, EMFILE, ENFILE, EAGAIN and timeouts
(and, for accept, ECONNRESET/ECONNABORTED); Go 1.18 deprecated it as ill-defined. Node never
shows EAGAIN or EINTR: libuv retries them. Everything that reaches a Node program is final for
that socket, so a Node retry is a new dial or a new connection (shared/net/retry-policy.ts holds
the table the retrier follows).
`.trim();
