export const narrative = `
**What the seed says.** Seed 002 builds a WebSocket server and a client in Go: WebSocket is a
protocol on top of HTTP that keeps one TCP connection open for messages both ways.

**What the lab shows.** The lab does not ask \`ws\` what it did: it keeps the bytes each program
wrote on its TCP socket and decodes them with the project's own codec (shared/codecs, property
tested). On this machine (Linux 6.18, loopback, Node 20, ws 8):
- The client's Upgrade request was 158 B: a GET with \`Upgrade: websocket\`, \`Connection: Upgrade\`,
  \`Sec-WebSocket-Version: 13\` and a \`Sec-WebSocket-Key\` of 16 random bytes in base64. The server
  answered \`101 Switching Protocols\` (129 B) with \`Sec-WebSocket-Accept\` = base64(SHA-1(key +
  "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")); the panel computes it step by step and compares.
- Then frames: 7 from the client, 6 from the server. Every client frame was masked, each with a
  different 4-byte key; no server frame was (RFC 6455 requires exactly that).
- Payload length forms: 5 B and 18 B in the 7-bit field, 200 B as 126 + a 16-bit length, and the
  70,000-byte binary message as 127 + a 64-bit length — 70,014 B on the wire from the client
  (2 + 8 + 4-byte mask key), 70,010 B from the server.
- "part one, " + "part two" went as a text frame with FIN 0 and a continuation frame with FIN 1:
  one message in two frames. The server's program got one 18-byte message.
- A ping (opcode 0x9, "are you there?") was answered by \`ws\` itself with a pong (0xA) carrying the
  same bytes. The close: code 1000 "done" each way.

**What to notice.**
- The frames table lists what crossed TCP; the messages table what the programs saw. A message
  can be several frames; a ping, a pong or a close is a frame, not a message.
- The request and response heads are plain text: look at the client's **Bytes** tab.
- permessage-deflate is off on both sides so the payloads stay readable.
`.trim();
