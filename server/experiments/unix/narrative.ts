export const narrative = `
**What the seed says.** Seed 002 lists Unix domain sockets beside TCP and UDP in Go's \`net\`
package: client and server on the same machine, talking through a socket named by a path in the
filesystem instead of an IP address and a port.

**What this kernel did** (Linux 6.18, Node 20; defaults, several runs):
- \`listen()\` on the path created a file of type **s** (\`srwxr-xr-x\` for root with umask 0022).
  The file has an inode of its own on the filesystem; the socket has another (the number ss -x
  shows). A client needs write permission on the file to connect.
- A server that dies without \`close()\` (here \`process.exit()\`; a SIGKILL does the same) leaves
  the file behind. The next server's \`listen()\` failed with **EADDRINUSE**; a \`connect()\` to the
  path failed with **ECONNREFUSED** — nobody listens, the file is stale — so the server
  \`unlink()\`ed it and listened. Node unlinks the path itself on \`close()\`, so a server that
  exits cleanly leaves nothing.
- The abstract namespace (a name starting with a NUL byte): no file appeared in the directory.
  The kernel lists the name as \`@socket-lab-…\` **followed by 88 NUL bytes**: Node 20 binds the
  whole 108-byte sun_path, so a client that uses the exact-length name (Go, C) would not find it.
- The slow reader: over a Unix stream socket there is **one queue**, the reader's. What the writer
  sends goes straight into it and is charged, with per-packet overhead, to the **writer's** send
  buffer: with SO_SNDBUF asked 32,768 B (kept 65,536 B) the writer's \`write()\` returned false when
  66,048 B of memory were charged. How much data that is depends on how the writes were batched:
  in different runs the reader's queue held 678 B (66 separate 10-byte writes, about 1 KiB of
  memory each), 7,820 B or 16,960 B (Node batching its queued writes into one writev). The reader's
  own SO_RCVBUF (asked 4,096 B, kept 8,192 B) limited nothing: more memory waited for it than that.

**What to notice.**
- The panel shows the file and its inodes, the leftover story step by step, and the abstract name
  as the kernel has it. The Kernel view below draws the Unix connection like a TCP one, named by
  inode: the writer's "send queue" is the memory charged to it, the reader's receive queue the data.
- There is no window and no wire: the kernel copies from one socket to the other.
- Turn **leftover** off: no EADDRINUSE. Set **sndbuf** to auto: the default send buffer here is
  212,992 B, and the writer gets that much further before it blocks.
`.trim();
