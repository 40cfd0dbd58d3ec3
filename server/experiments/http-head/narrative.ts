export const narrative = `
**What the seed says** (seed 003, the TCP client). HTTP is text over TCP: the client dials, writes
\`"HEAD / HTTP/1.0\\r\\n\\r\\n"\` and reads everything with \`ioutil.ReadAll\` until the server closes;
the answer is a status line and headers ("HTTP/1.0 200 OK", ETag, Content-Length, ...).

**What this kernel did** (on this machine: Linux 6.18, loopback, a node:http server).
- The client wrote **19 bytes in one write**; the server parsed \`HEAD / HTTP/1.0\`.
- The answer was **160 bytes**: \`HTTP/1.1 200 OK\` (Node answers a 1.0 request with a 1.1 status
  line), \`Content-Length: 76\` and \`Connection: close\` — and **0 bytes after the blank line**:
  HEAD gets the headers of the page, not the page.
- The server closed first (HTTP/1.0 without keep-alive) and the client read to EOF: the FIN is how
  the client knows the answer is complete.
- node:http reads its sockets inside its C++ parser, so the server side of the trace has no
  \`data\` events; the client side shows every byte.

**What to notice.** The event list: one write on the client, the server's write of the headers,
its end, then the client's EOF.
`.trim();
