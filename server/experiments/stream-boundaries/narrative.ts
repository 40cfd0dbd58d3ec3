export const narrative = `
**What the seed says** (seed 004, "스트림과 데이터 경계", streams and data boundaries). TCP is
stream-oriented: bytes flow like water in a brook, and where one unit of data ends is not known.
Send ten 1 KB sensor readings and the receiver finds 10 KB in its buffer — TCP cannot tell ten
1 KB messages from one 10 KB message, or from a 100 KB message still arriving. The application has
to mark the boundaries itself: fixed length, a length prefix or a delimiter (the framing experiment).

**What this kernel did** (Linux 6.18, loopback, Node 20; 10 runs per setting with
\`npm run bench -- boundaries\` — rerun it, your numbers will differ a little):
- Ten 1 KiB writes in a burst, Nagle on (the default): 3.1 reads per run on average. Every run
  merged writes, up to 9 in one read; no write was split. The first write usually arrives alone.
- The same with TCP_NODELAY: 4.6 reads per run, still merged in every run. Nagle's algorithm is not
  the only glue: a reader that wakes up late takes everything queued so far in one read.
- One write every 10 ms: exactly 10 reads of 1024 B in all 10 runs, Nagle on or off. On an idle
  loopback "one read = one write" happens to hold — which is why naive code seems to work in tests.
- One write every 10 ms, reader waiting 50 ms after each read: 4.9 reads per run, up to 5 writes
  in one read. A slow reader merges.
- Four 64 KiB writes: Node reads at most 64 KiB per \`read()\`, and 7 of 10 runs split a write
  across reads.
- Through the slicer (pieces of 300±200 B, 1 ms apart): every write was split, 34.6 reads per run.

**What to notice.**
- The reader's pane prints each read with a ruler: \`read 2048 B: [#3 512..1023][#4 0..1023][#5 0..511]\`
  means one read carried the end of message #3, all of #4 and the start of #5. The strip below
  the panes draws the same thing: a red dashed line through a message is a read boundary inside it.
- Turn on the **slicer** to see one write arrive as several reads; set **readEveryMs** to 50 with
  **gapMs** 10 to see several writes arrive as one.
- The **Bytes** tab of the reader shows the bytes of each read in alternating colours; each message
  is filled with its own letter (a, b, c, …) after a short \`#i t=…C\` header, so you can see where
  one ends and the next begins — and that nothing in the bytes marks it.
- Go's \`conn.Read(buf)\` returns at most \`len(buf)\` bytes (seed 004's reader uses 4096); Node reads
  up to 64 KiB per call. Either way a read returns what has arrived, not what was written.
- A paused Node socket keeps reading into its own buffer (up to its highWaterMark): the reader
  here sets highWaterMark to 1 byte so that "wait before the next read" really leaves the bytes in
  the kernel, as Go's \`Read\` followed by \`time.Sleep\` would.
`.trim();
