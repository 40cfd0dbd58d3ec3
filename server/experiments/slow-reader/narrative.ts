// Figures below were measured on this machine (Linux 6.18, loopback, Node 20) with the default
// parameters; each run prints its own in the panes and the checklist, which is what counts.
export const narrative = `
**What the seed says.** Seed 004 (its section on socket buffers) runs a Go server that reads 7 bytes a second and a
client that writes \`>>>i<<<\` as fast as it can. The writer prints quickly, then stops: its send
buffer is full, so \`Write\` blocks. "After a while" it prints again, which the seed explains as the
OS emptying part of the send buffer. It also says, unsure, that a full *receive* buffer on the other
side blocks the writer too, and marks that as still to be checked. Seed 001 sets both buffers with \`SetWriteBuffer(4000)\` /
\`SetReadBuffer(4000)\`; seed 000 names the result: a zero window.

**Where the bytes wait.** Left to right: the writer's Node queue → its kernel send queue → the
reader's kernel receive queue → the reader's Node buffer → the program. The receive side is the
real brake: the reader's kernel advertises how much room it has left (the window), and the writer's
kernel may only send that much.

**What this kernel did** (4 KiB asked, 8 KiB kept: Linux doubles SO_SNDBUF / SO_RCVBUF; one
run's figures, other runs differ by a few KiB — your run prints its own):
- Within about 20 ms the writer handed 24,163 B to \`write()\` (2,527 writes) and the 2,527th
  returned false. By then the reader's kernel held 4,099 B (advertising at most 4,096 B: half its
  8 KiB, the rest is for bookkeeping), Node had pulled 2,076 B into the paused reader's buffer, and
  the writer's kernel held 8,192 B it was not allowed to send: **snd_wnd 0**.
- Node's \`writableLength\` said 16,378 B, yet only about 9,800 B were really still in Node
  (24,163 − 8,192 − 6,175): it counts a write request until libuv has finished all of it,
  including the part the kernel already took. The kernel's figures are the ones to trust.
- The writer's kernel then sends **zero-window probes**; each answer says "still 0", and the
  persist timer doubles: probes came 0.44, 0.83, 1.66, 3.48, 6.67, 13.3, 26.9, 53.2 s apart. On
  loopback every probe is answered at once, so "unanswered probes" stays at 0–1; the growing
  **backoff** is what shows them.

**Why 7 bytes a second does not reopen the window.** In Node the 7-byte reads come out of Node's
own buffer: the kernel's queue did not change at all (4,099 B for 150 s). Only when Node's buffer
fell below its highWaterMark (1,024 B, after 151 reads) did Node read the kernel's whole queue at
once; the window then reopened to 4,096 B, at 151 s. Read the Go way (\`readFrom: kernel\`: recv of
7 B straight from the kernel) and the window still stays 0 until the queue is **empty**: the kernel
charges the buffer by whole packets (skb memory, \`skmem r\`, stayed at 7,004 B while bytes were
taken 7 at a time) and frees one only when all of it is read, and it will not advertise a tiny
window anyway (receiver-side silly-window avoidance: Linux keeps saying 0 until at least half the
buffer or one MSS is free). Accelerated to 7 B every 10 ms, the window reopened only after 859
reads had taken the whole 6,004 B queue.

**Compared with the seed.** With 4 KiB buffers and 7 B/s, "after a while" is minutes on this
kernel (151 s with Node's buffer in between; ~10 min for a 4 KiB queue read 7 B at a time). With
the seed's own defaults (no \`SetReadBuffer\`; set both buffers to \`auto\`) write() first returned
false after 366,976 writes, with 125 KiB in the reader's kernel and 3.95 MiB in the writer's: read
7 B/s, that is hours. And even when the
window reopens, the writer's program waits on: its 'drain' needs Node's whole 16 KiB queue to go.
The blocking is the reader's doing, through the window, not the OS "emptying" the send buffer.

**Try.** Press **Read everything now**: the window reopens within a sample, 'drain' fires after the
long wait ("blocked for 12 s"), the writer races ahead and fills everything again. Switch
\`writerMode\` to \`ignore-backpressure\`: \`write()\` keeps returning false and Node's queue grows
(16 MiB of 12-byte writes cost the process ~250 MB) until the safety cap stops it.
`.trim();
