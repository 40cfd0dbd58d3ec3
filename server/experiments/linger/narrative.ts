export const narrative = `
**What the seed says** (seed 000, "handling pending data when the connection closes"). Without
linger (\`SetLinger(-1)\`) the operating system finishes sending in the background after
\`Close\`. \`SetLinger(0)\` makes \`Close\` send an RST and the peer aborts the connection.
\`SetLinger(n)\` waits up to n seconds and then **discards** all unacknowledged data.

**What this kernel did** (on this machine: Linux 6.18, loopback, 1 MiB written, the reader paused
3.5 s, SO_SNDBUF 64 KiB asked for — Linux makes it 128 KiB).
- **No SO_LINGER, destroy()**: \`destroy()\` returned in 0.4 ms. The kernel had taken 244–256 KB;
  the socket lived on **orphaned** (no process holds it) in FIN_WAIT1 with ~116–127 KB still to
  send, then FIN_WAIT2 and TIME_WAIT. The reader later got every byte the kernel had, then a FIN
  (EOF). The seed is right for the kernel's part — but \`destroy()\` threw away the ~850 KB still in
  **Node's** queue: those never reached the kernel.
- **SO_LINGER 0**: the RST left 0.3–6 ms after \`destroy()\`; the writer's socket was gone at once
  (no FIN_WAIT, no TIME_WAIT). The reader got only what was already in its own receive buffer
  (128 512 B); the 127 KB in the writer's send queue were dropped. Node reported the end as a plain
  **EOF**, not ECONNRESET: after a short read with POLLHUP, libuv reports EOF without the read()
  that would return the error. \`getsockopt(SO_ERROR)\` still held ECONNRESET — the lab shows it.
- **SO_LINGER 2 s**: \`destroy()\` blocked the whole writer process for **2016–2026 ms** (close(2)
  waits; Node's event loop stops — nothing else in that process runs). Then, unlike the seed's
  claim, **Linux did not discard anything**: the orphaned socket kept sending, and the reader got
  every byte the kernel had taken, then a FIN. On Linux the timeout only ends the wait.
- **end()** (any SO_LINGER): \`end()\` returns at once; Node keeps writing its own queue, then sends
  FIN; the reader got **all 1 048 576 B**. Node closes the descriptor only after both FINs, so even
  SO_LINGER 0 sends no RST.
- **SO_SNDBUF 0 (autotuning)**: the kernel took the whole MiB at once (920 064 B still queued at
  close), so \`destroy()\` lost nothing without linger — and SO_LINGER 0 still dropped 920 064 B.

**What to notice.** Press "Run all settings side by side" under the panes: one run per setting, a
column each. On the ladder, the RST is a red arrow right after \`destroy()\`; the FINs appear only
when the reader starts reading, because a FIN waits behind the queued data.
`.trim();
