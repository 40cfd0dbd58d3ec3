// Figures below were measured on this machine (Linux 6.18, loopback, Node 20) with the default
// parameters; every run prints its own in the panes, the panel and the checklist.
export const narrative = `
**What the seeds say.** Seed 000 lists \`SetReadDeadline\` / \`SetWriteDeadline\`: after the deadline
a read or write fails with a timeout. Seed 003's server sets a read deadline so an idle client gets
disconnected, and says the deadline "closes the connection automatically". Seed 004 says a full
send buffer makes \`Write\` block.

**In Node.** \`write()\` never blocks and has no deadline: it queues and returns false. The writer
here builds one the way a Node programmer would: a timer that fires if 'drain' has not come in
\`writeDeadlineMs\`. Then *the program* decides (nothing closes by itself, in Go either: the
timeout is an error value): \`destroy\` (what a Go program usually does next) or \`keep-waiting\`.
The reader is busy for \`busyMs\`, then reads with \`socket.setTimeout\` as its read deadline.

**What this kernel did** (4 KiB buffers, 1 KiB writes, default parameters):
- write() returned false 0.7 s in; 2.0 s later the deadline fired. By then the program had handed
  over 34,816 B. Node said 15,360 B were still in its queue, and \`socket.bytesWritten\` said
  34,816 B: it counts the queue too, so it is "handed to Node", not "sent".
- The kernel, asked directly (tcpi_bytes_acked + SIOCOUTQ on the writer's own socket), had taken
  31,744 B: 8,192 B in its own send queue, held back by a **zero window**, and 23,552 B already with
  the reader (5,120 B in its kernel, 18,432 B pulled into its paused Node buffer).
- \`destroy()\` threw away only **3,072 B** (11,264 B in another run), never the 15,360 B Node's
  \`writableLength\` showed: it counts a write libuv has started as if none of it had gone. When the reader woke at 4 s it read **31,744 B, then
  EOF**: the closed socket's kernel queue was still delivered. Bytes the kernel took are not lost by
  closing; only Node's leftovers are.
- With \`keep-waiting\`, 'drain' came 4.0 s after write() returned false (when the reader woke), all
  256 KiB arrived, and once the writer went quiet the reader's read deadline fired 1.50 s after the
  last byte: "i/o timeout", and it closed.

**Compared with the seeds.** A deadline does not close anything: the program does, if it chooses.
And "the write failed" does not mean "nothing was sent": most of the bytes were already beyond the
program's reach. See **Deadlines and timeouts** for Go's fixed deadline versus Node's idle timer.
`.trim();
