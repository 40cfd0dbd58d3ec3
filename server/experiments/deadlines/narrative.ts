export const narrative = `
**What the seed says** (seeds 003 and 000). \`SetReadDeadline\` and \`SetWriteDeadline\` take a point
in time; when it passes, the read or write fails. The time server sets \`time.Now().Add(2 *
time.Minute)\` once per connection. \`DialTimeout\` bounds how long a connect may take.

**What this kernel did** (on this machine: Linux 6.18, loopback, d = 1.5 s).
- **deadline** (Go's meaning): the server cut the connection **1500 ms after accept** while the
  client was still sending a line every 400 ms. A deadline is not reset by traffic.
- **idle** (Node's \`socket.setTimeout\`): every byte restarts it. The client talked until 2.46 s;
  the server closed after **1503 ms of silence**, 3962 ms after accept. Node only emits
  'timeout'; the program decides to close.
- **DialTimeout**: the dialer connected to a listener whose accept queue was full (backlog 0, one
  connection waiting, never accepted). This kernel has \`tcp_abort_on_overflow = 0\`: the SYN is
  dropped without a word, so connect() waits while the kernel retransmits — the samples show the
  socket in **SYN_SENT with 1 retransmission** at 1 s. With \`tcp_syn_retries = 6\` it would wait
  ~127 s; the program's 1500 ms timer gave up first (Node has no connect timeout: the program
  destroys the socket with its own ETIMEDOUT, as Go's \`i/o timeout\`).

**What to notice.** Switch between deadline and idle and watch when the server's pane says it
closes. For the dial, find the dialer's SYN_SENT socket in the kernel sockets table: its timer is
the SYN retransmission.
`.trim();
