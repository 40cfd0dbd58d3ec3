export const narrative = `
**What the seed says** (seed 003). \`net.ParseIP\` turns "127.0.0.1" or an IPv6 address into an
\`IP\` (a byte slice), or nil for invalid input; "tcp4", "tcp6" and "tcp" mean IPv4 only, IPv6 only,
and either.

**What ParseIP holds.** Type an address in the panel below the panes. An IPv4 address becomes
**16 bytes**, \`00…00 ff ff 7f 00 00 01\` — the IPv4-mapped IPv6 form; \`To4()\` gives the 4. Go's
\`String()\` prints ::ffff:127.0.0.1 as "127.0.0.1"; inet_ntop (and Node) print "::ffff:127.0.0.1".
Go ≥ 1.17 refuses leading zeros ("010.0.0.1"); ParseIP refuses zones ("fe80::1%eth0").

**What this kernel did** (on this machine: Linux 6.18, loopback).
- Three listening sockets in the kernel: **127.0.0.1 (IPv4), ::1 and ::ffff:127.0.0.1 (IPv6)**.
- One port number held two sockets: 127.0.0.1:P reached the tcp4 socket, [::1]:P the tcp6 one.
  A dual-stack socket on the same P failed with **EADDRINUSE**: it covers IPv4 too.
- The dual-stack socket saw IPv4 clients as **::ffff:127.0.0.1**, the same 4 bytes as the
  client's 127.0.0.1. A client dialing ::ffff:127.0.0.1 used IPv4 underneath: the tcp4 listener
  saw it as plain 127.0.0.1.
- ::1 could not reach the socket bound to ::ffff:127.0.0.1 (ECONNREFUSED): that address is IPv4.
- A real dual-stack server binds "::" (every address, both families). The lab stays on loopback,
  so it binds the IPv4-mapped loopback instead: the same mechanism, one address.
`.trim();
