export const narrative = `
**What the seed says** (seed 000, "a socket stuck in CLOSE_WAIT"). The server side enters
CLOSE_WAIT once it has acknowledged the client's FIN; a socket that stays there means the program
never called \`Close\`. If the server then sends data, the client considers the connection gone and
answers with an RST. Go's advice: \`defer conn.Close()\` right after accepting.

**What this kernel did** (on this machine: Linux 6.18, loopback, 3 clients). Each client wrote a
line and closed; each of the server's sockets stayed in **CLOSE_WAIT** — the count went 1 → 2 → 3
— while each client's socket waited, orphaned, in **FIN_WAIT2** (it would give up after
\`tcp_fin_timeout\`, 60 s here). The server's late write was accepted by its kernel (write() gave no
error) and sent; the client's kernel answered with an **RST** within about 20 µs, because no
program holds that socket any more. The **next** write failed with **EPIPE** — Linux reports an
RST received in CLOSE_WAIT as EPIPE, not ECONNRESET.

**What to notice.** The CLOSE_WAIT badge on the server's sockets in the kernel table, the count
growing as clients come and go, and on the ladder the data arrow answered at once by a red RST.
Use the live controls: write now, or close them (the fix).
`.trim();
