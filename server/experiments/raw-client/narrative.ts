export const narrative = `
**What the seed says** (seed 002). \`nc\` (netcat) tests TCP servers and clients: \`nc host port\`
connects, \`nc -l port\` listens; it does TCP and UDP, IPv4 and IPv6.

**What this kernel did** (on this machine: Linux 6.18).
- With **family IPv6** both ends are \`::1\`: the client connected from \`[::1]:port\` and the
  listener saw an IPv6 peer; the listener is IPv6-only, so 127.0.0.1 cannot reach it.
- Like \`nc -l\`, the listener takes one connection and closes its listening socket: the kernel's
  LISTEN socket was **gone 16 ms after the accept**, while the accepted connection lived on —
  a listening socket and the connections it accepted are separate sockets.
- Every line you type is sent when you press Enter: the pane holds the line, like a terminal in
  canonical mode; the bytes on the wire are exactly the line and its newline.

**What to notice.** Type into both panes. Point your own \`nc\` at the listener with the lab's
\`--port\` option (\`socket-lab run raw-client --port 9000\`, then \`nc 127.0.0.1 9000\`): it is the
same listener, and it takes only the first client.
`.trim();
