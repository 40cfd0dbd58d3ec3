export const narrative = `
**What the seed says** (seed 003, and seed 002's concTCP). The first daytime server "handles one
request at a time; it cannot take several at once". Putting \`go\` before \`handleClient(conn)\`
gives each connection its own goroutine, "and production servers always work this way".

**What this kernel did** (on this machine: Linux 6.18, loopback, 5 clients at once, 400 ms of work
each).
- **sequential** (the seed's loop without \`go\`): the waits were **408, 806, 1208, 1609, 2009 ms** —
  the k-th client waits k × 400 ms. All five connected within 3 ms: the kernel finishes every
  handshake on its own, whatever the program does; they waited for the program, not the network.
- **concurrent** (a handler per connection): every handler started before the first one finished,
  and the waits were **407–412 ms** for all five.
- **blocking** (a handler per connection whose work is synchronous — a busy loop, like a CPU-heavy
  request): waits **409, 815, 1217, 1622, 2027 ms**, the sequential shape again. Node has one
  thread: while a handler computes, nothing else runs — not even \`accept()\`. The kernel samples
  show the waiting clients **in the listener's accept queue (Recv-Q up to 4)**; in the sequential
  mode Node had accepted them all at once and they waited in the program's own queue.

**What to notice.** Compare the clients pane in the three modes, and the listener's Recv-Q in the
kernel sockets table. In Node "a handler per connection" is free for waiting (timers, I/O) but
not for computing.
`.trim();
