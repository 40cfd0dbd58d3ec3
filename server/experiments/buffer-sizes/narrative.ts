// Figures below were measured on this machine (Linux 6.18, loopback, Node 20, net.core.wmem_max and
// rmem_max 4 MiB) with the default parameters; every run shows its own in the panel.
export const narrative = `
**What the seed says.** Seed 001 sets the kernel's buffers with \`conn.SetWriteBuffer(4000)\` and
\`conn.SetReadBuffer(4000)\`, as if the number asked were the number you get; seed 004 says a full
send buffer makes \`Write\` block. This sweep asks the kernel for several sizes, one fresh connection
each, and measures what it kept and how many bytes a writer hands over before it stops.

**How it runs.** The reader never reads until told. The writer writes 1 KiB at a time and notes the
bytes handed to \`write()\` when it first returned false, and when it truly stopped (no 'drain' for
500 ms: every queue on the way is full). It then tells the reader, over a second "control"
connection, to measure its side and drain. \`auto\` runs first: once SO_RCVBUF is set on the
listening socket, the kernel never returns it (or what it accepts) to autotuning.

**What this kernel kept.** 1,024 asked → 4,608 B (SO_SNDBUF) and 2,304 B (SO_RCVBUF): the kernel's
minimums. 4,096 → 8,192; 64 KiB → 128 KiB; 1 MiB → 2 MiB: doubled, because the kernel counts its
own bookkeeping in the buffer. 8 MiB → 8 MiB only by coincidence: requests are first capped at
\`net.core.wmem_max\` / \`rmem_max\` (4 MiB here), then doubled.

**How much a writer hands over** (two runs): 1,024 B: first false after 19,456 B, stopped after
36,864 B. 4,096 B: 25,600 B and 42–45 KiB. 64 KiB: 195–266 KiB and 266–354 KiB. 1 MiB: 2.34 MiB and
3.47 MiB. **auto: 3.78–4.02 MiB before write() ever returned false**: \`tcp_wmem\` starts a socket at
16 KiB, but on loopback (64 KiB segments) the kernel sizes the send buffer for ten full segments
as soon as the connection is up: 3.76 MiB, or already the 4 MiB cap, right after connect.

**Where the bytes were at the stop.** Node's own queues are a fixed ~16 KiB on each side
(highWaterMark; 64 KiB on the reader with big buffers, since Node reads 64 KiB at a time), so with
small buffers most bytes wait *in Node*, and with big ones in the kernels. The reader's kernel never
holds a whole SO_RCVBUF of data: 576 B of 2,304, 4,096 of 8,192, ~1.9 MiB of 2 MiB — the rest pays
for per-packet overhead, and the window it advertises is only the data part. Node's
\`writableLength\` often says 16,384 B where ~15,500 B are really left: it counts a write libuv has
started as if none of it had gone.

**Try.** Add \`8388608\`: asked and kept agree only by coincidence. Compare \`readerHighWaterMark\`
1024 and 65536: the same kernel numbers, different totals.
`.trim();
