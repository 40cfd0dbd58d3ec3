export const narrative = `
**What the seed says.** Seed 000: \`io.Copy\` reads from an \`io.Reader\` and writes to an
\`io.Writer\`, which makes a proxy between two connections a few lines; \`io.TeeReader\` and
\`io.MultiWriter\` let a program watch what it copies. The seed also warns that writing to the
network can fail or stall for reasons outside the program.

**What this kernel did** (Linux 6.18, loopback, Node 20; defaults: a 64 KiB/s bandwidth toxic,
every socket with 16 KiB buffers (the kernel keeps 32 KiB), the server pausing from 4 s to 8 s):
- The copy: the server read exactly the bytes the client wrote, in order, minus what was still on
  the way when the run ended. Every chunk the proxy read shows on its pane as a hex line.
- The bandwidth toxic held the server's rate at 64,068 B/s, 65,885 B/s and 63,705 B/s in three runs
  (97.8%, 100.5%, 97.2% of 65,536 B/s).
- Backpressure through the proxy: the server stopped reading at 4.41 s. At 5.68 s the proxy's
  \`write()\` to the server returned false — the server's receive queue and the proxy's send queue
  were full — and the proxy stopped reading from the client. The client, already slowed by the
  toxic, then waited for \`'drain'\` from 5.63 s until **8.45 s, 40 ms after the server read again
  at 8.41 s**. The Kernel view shows both connections filling, one after the other.
- Latency 100 ± 20 ms on both directions turned a 4 ms round trip into 181–217 ms; slicer with 3-byte
  pieces made the echo server read "lin", "e 0\\n".

**What to notice.**
- The toxics are switched on and off with the controls while the run is live (on 1 / 0; dir 0 both
  ways, 1 client → server, 2 server → client; then their parameters), and every change is a line in
  the trace and a row in the panel. They are toxiproxy's: latency, bandwidth, slicer, slow_close,
  reset_peer (RST to both sides: the client sees ECONNRESET and dials again), timeout (data
  dropped, nobody told), limit_data.
- The proxy reads only as fast as it can write on (a 32 KiB queue per direction, like io.Copy's
  buffer): that is why a slow server slows the client. A proxy that read everything into memory
  would hide the stall — until it ran out of memory.
- Set **buffers** to auto: the kernel's autotuned buffers hold megabytes, and the stall takes far
  longer to reach the client.
`.trim();
