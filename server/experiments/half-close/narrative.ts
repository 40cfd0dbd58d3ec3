export const narrative = `
**What the seed says** (seed 000, "a socket stuck in CLOSE_WAIT"). The server side of a TCP
connection enters CLOSE_WAIT once it has received and acknowledged the client's FIN. A FIN closes
one direction only.

**What this kernel did** (on this machine: Linux 6.18, loopback, reply delayed 1.5 s). The client
sent 13 B and called \`end()\` — \`shutdown(SHUT_WR)\`, Go's \`CloseWrite()\`. Within a millisecond
the server's socket was in **CLOSE_WAIT** and the client's, once its FIN was acknowledged, in
**FIN_WAIT2**; both stayed there for the 1.5 s the server took to answer. The server's 39-byte
reply still reached the client after the client's FIN; then the server's FIN moved the client to
**TIME_WAIT** (it closed first) while the server's socket went away.

**What to notice.** On the ladder the client's FIN comes first, the reply data flows the other
way afterwards, then the server's FIN. The server program needs \`allowHalfOpen: true\`: by
default Node ends its side as soon as the peer's FIN arrives, so this state would not last.
`.trim();
