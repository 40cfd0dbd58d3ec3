export const narrative = `
**What the seed says** (seed 003, the first TCP server). The server \`Accept\`s, writes
\`time.Now().String()\` "in one packet", \`Close\`s, and goes back to \`Accept\`; an error in the
loop is skipped with \`continue\` so one bad client cannot stop the service. Seed 002's \`tcpS\` is
the same daytime server and \`nc host port\` is its client.

**What this kernel did** (on this machine: Linux 6.18, loopback, 3 connections 300 ms apart).
- Each answer was 33 bytes ("2026-11-21 04:50:17.911 +0000 UTC") and the client read exactly the
  33 bytes, then EOF. There is no length anywhere: the end of the answer **is** the server's FIN.
- \`end(daytime)\` queues the bytes and the FIN together; the client's EOF always came after the
  server's end() in the trace.
- The kernel samples showed **3 TIME_WAIT sockets on the server's side and none on the client's**:
  the side that closes first waits (60 s on Linux). A busy one-shot server collects TIME_WAITs
  (see the TIME_WAIT experiment for what that costs).

**What to notice.** On the ladder, each connection is SYN, SYN-ACK, ACK, one data segment, then
FIN from the server first. The pane headers show the client's socket closing after each answer.
`.trim();
