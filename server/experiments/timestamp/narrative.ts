export const narrative = `
**What the seed says** (seed 003, the long-lived server). The connection stays open for many
requests: "timestamp" gets the Unix time, anything else the date. \`SetReadDeadline(now + 2 min)\`
makes the connection close itself if the client sends nothing in time, and the request buffer
is limited to 128 bytes "to prevent flood attack" (the comment says 128 KB; the code makes 128
bytes).

**What this kernel did** (on this machine: Linux 6.18, loopback, read deadline 3 s).
- "timestamp" was answered with the Unix time (e.g. 1795236621), the other line with the date.
- The 301-byte request (300 × "A" and a newline) was read as **128 + 128 + 45 bytes** — three
  requests, three answers. A 128-byte read does not reject a longer request; it splits it, and
  the rest is read as the next "request". Node reads up to 64 KiB from the kernel at once; the
  128-byte limit is the program's (\`socket.read(128)\`), as Go's is its buffer.
- The deadline closed the connection **3000–3002 ms after accept**, although the client had sent
  three requests: the seed sets the deadline once, before its loop, so it is a point in time for
  the whole connection, not an idle timer (compare the deadlines experiment).
- A bug the seed does not mention: it compares \`string(request)\` — all 128 bytes of the zeroed
  buffer — with "timestamp", which can never be equal. Turn on **compareWholeBuffer** to run it
  that way: "timestamp" gets the date. This actor compares the bytes it read, without the newline.

**What to notice.** Type a line into the client pane: it is a new request on the same
connection. Type nothing: the connection dies at the deadline whatever happened before.
`.trim();
