export const narrative = `
**What the seed says.** Seed 000 explains closing from both sides; the side that closes first
goes through FIN_WAIT to TIME_WAIT. Seed 001's servers listen on fixed ports, where a restart
meets "address already in use".

**What this kernel did** (on this machine: Linux 6.18, loopback).
- The side that closed first — the server, by default — kept its socket in **TIME_WAIT**; the
  kernel's timer said **60.0 s** when it began, and it was still there when the run ended. That is
  Linux's fixed TCP_TIMEWAIT_LEN. \`net.ipv4.tcp_fin_timeout\` (60 here) is a different timer: how
  long an orphaned socket may wait in FIN_WAIT2.
- Node's listener had **SO_REUSEADDR = 1** without being asked: libuv sets it on every TCP
  listener on Unix. So \`server.listen()\` on the same port **succeeded** while TIME_WAIT held it.
- A socket bound the way a C program does without the option (socket() + bind(), no
  SO_REUSEADDR) got **EADDRINUSE** on the same port while that TIME_WAIT existed.
- With closer = client, the TIME_WAIT is on the client's ephemeral port; the server's port is
  free, and even the bind without SO_REUSEADDR succeeded.

**What to notice.** The kernel table's timer column counting down from 60 s after every program
has let go of the socket.
`.trim();
