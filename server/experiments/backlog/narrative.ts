export const narrative = `
**What the seed says** (seed 001). "The backlog seems to follow Linux's settings": the current
value is in \`/proc/sys/net/core/somaxconn\`, raised with \`sysctl -w net.core.somaxconn=1024\`.

**What this kernel did** (on this machine: Linux 6.18, loopback, backlog 2, 6 clients at once).
- \`somaxconn\` here is **4096**. The listener's limit (ss's Send-Q on a LISTEN socket) was
  **min(backlog, somaxconn) = 2**; a backlog of 4196 was cut to 4096. So the seed is half right:
  the program's backlog counts, up to somaxconn.
- Nobody called \`accept()\`, yet **3 clients connected within 11–13 ms**: the kernel completes the
  handshake and queues the connection. The queue (Recv-Q) peaked at **3 with limit 2** — Linux
  calls a queue full only when it holds *more* than the backlog.
- The other 3 stayed in **SYN_SENT**: with \`tcp_abort_on_overflow = 0\` a full queue drops the SYN,
  and the clients' kernels retransmitted it (up to 2 times, at 1 s and 3 s).
- 2.5 s after the first connection was queued the server started accepting (Node's \`net.Server\`
  took over the same descriptor): the 3 queued connections were accepted at once; the 3 others
  connected at their **next SYN retransmission, 3 s** after they started (3068 ms here).
- The server prints its own queue as it changes: \`getsockopt(TCP_INFO)\` on a listening socket
  gives the connections waiting and the limit — the same numbers ss shows as Recv-Q and Send-Q. The limit then read 511: Node calls listen() again
  with its own default backlog.

**Why the server is not a plain net.Server.** Node accepts every connection the moment it is
queued, so a Node program cannot leave a queue full. This one makes its listening socket through
libc (socket, bind, listen), as C or Go's \`net.Listen\` without \`Accept\` would.

**What to notice.** The accept-queue gauge and the kernel sockets table: ESTABLISHED clients with
no server socket yet (the kernel holds them), and SYN_SENT clients. Press **Accept all**.
`.trim();
