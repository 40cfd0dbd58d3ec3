export const narrative = `
**What the seeds say.** Seed 003: a datagram socket (SOCK_DGRAM) is connectionless; a UDP server
has no \`Accept\` — \`ListenUDP\`, then \`ReadFromUDP\` returns one datagram and who sent it, and
\`WriteToUDP\` answers that address (here, the time). Seed 002: UDP runs on IP and, like IP, does
not guarantee delivery.

**What to notice.**
- The client's first socket is "connected" (\`DialUDP\`): connect() sends nothing, it only makes the
  kernel remember the peer.
- Boundaries: each \`send\` is one datagram and each read returns one whole datagram.
- The slow receiver: every \`send\` of the flood succeeds, yet most datagrams never reach the program.
- A connected socket hears the ICMP "port unreachable"; an oversized datagram is refused at once.
`.trim();
