export const narrative = `
**What the seeds say.** Seed 004 ends its section on stream boundaries with a delimiter server: it
reads into a 4096-byte buffer and adds bytes to the message until it meets \`"\\n"\`, while the client
writes \`">>>" + i + "<<< \\n"\` every 10 ms. Seed 000 names Go's \`bufio.Scanner\` (read up to a
delimiter) and TLV, type–length–value: a fixed-size type, a fixed-size length, then the value, so a
reader can size its buffer before the value arrives. Seed 003 reads requests into
\`make([]byte, 128)\` "to prevent flood attack" (its comment says 128 KB; the buffer is 128 bytes): a
maximum request length bounds what one client can make the server hold.

**What this kernel did** (Linux 6.18, loopback, Node 20; 10 runs × 20 messages with
\`npm run bench -- boundaries\`):
- Without the slicer, one message every 10 ms as in the seed, the naive reader — one read = one
  message — was right 200 times out of 200. On an idle loopback the seed's naive server seems fine.
- Without the slicer and with no pause between messages: 187 of 193 reads were exactly one message;
  the other reads held two or more.
- Through the slicer (pieces of 5±4 B): 16 of 469 reads were exactly one message.
- The framed reader was right 200 of 200 times in every setting.
- Sent a 212-byte message against a 128-byte maximum, the delimiter reader had to hold up to 128 B
  before it could tell (no \`"\\n"\` in time: \`FRAME_TOO_LARGE\`); the length-prefix and TLV readers
  refused it at its header, having held at most 7 B, and never buffered the value.

**What to notice.**
- The panel below the panes puts the same bytes side by side: what the client sent, what the naive
  reader made of them (✗ a piece of one message, or several merged), and what the framed reader
  decoded (✓ when it is exactly a message that was sent: same bytes, same place in the stream).
- The client pane prints the exact bytes of each write in hex. For \`">>>1<<< "\` (8 B) that is 9 B
  with the delimiter, 32 B with fixed length (padded with \`00\`), 12 B with a length prefix
  (\`00 00 00 08\` first) and 13 B with TLV (\`01 00 00 00 08\` first). Type your own lines; \`0x01 02\`
  sends bytes (TLV: as the binary type) and \`raw …\` writes bytes unframed, to see a decoder fail.
- Every pane's **Bytes** tab shows the raw bytes with each frame in its own colour, its header or
  delimiter darker, and an orange bar where each \`read()\` or \`write()\` began.
- Set **oversized** to send one message over **maxFrameSize**: the server names the error
  (\`FRAME_TOO_LARGE\`), then either drops the connection and tells the client why (\`drop\`) or skips
  that frame and carries on (\`skip\`). A frame of unknown TLV type is \`UNKNOWN_TYPE\`.
- Fixed length cannot carry a message longer than its frame: the client refuses (\`WRONG_SIZE\`).
  The delimiter cannot appear inside a message. A length prefix and TLV carry any bytes.
- With \`socket-lab run framing --port 9000\` the server listens on port 9000: send it frames from
  \`nc\` or a Go program of your own and watch how it decodes them.
`.trim();
