export const narrative = `
**What the seed says.** Seeds 002 and 001 build the smallest TCP programs: a server that
\`Listen\`s and \`Accept\`s, a client that \`Dial\`s, then \`Write\` and \`Read\` on the connection
(seed 002's \`otherTCPserver.go\` is an echo service). Seed 004 adds that a \`write\` only hands bytes
to the kernel's send buffer, and a \`read\` takes whatever has arrived in the receive buffer.

**What to notice.**
- The server's \`listen\` comes first; the client's \`connect\` and the server's \`accept\` complete
  within a fraction of a millisecond of each other — the kernel finished the three-way handshake
  before \`accept\` returned.
- Each \`write n B\` on one side is followed by a \`data n B\` on the other. On loopback a small write
  usually arrives as one read — but nothing promises that (see the stream-boundaries experiment).
- Type into the client pane and press Enter: the line goes to the client's stdin, the client writes
  it, the server reads it and writes it back.
- Stop the run: both processes exit, and the kernel closes their sockets for them.
`.trim();
