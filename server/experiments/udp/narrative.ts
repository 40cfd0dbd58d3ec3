export const narrative = `
**What the seeds say.** Seed 003: there are two common kinds of socket, stream (SOCK_STREAM, TCP)
and datagram (SOCK_DGRAM, UDP); a UDP server has no \`Accept\` — it \`ListenUDP\`s, each
\`ReadFromUDP\` returns one datagram and who sent it, and \`WriteToUDP\` answers that address (the
seed's server sends back \`time.Now().String()\`); the client \`DialUDP\`s, writes "anything" and
reads the answer. Seed 002: UDP runs on IP and, like IP, does not guarantee delivery.

**What this kernel did** (Linux 6.18, loopback, Node 20; defaults, several runs):
- The seed's exchange: 8 bytes out, one 62-byte datagram back with the time.
- Ten \`send()\`s of 1,024 B: the server's reads returned exactly ten datagrams of 1,024 B, every
  run. The same ten writes over TCP, beside it (the stream-boundaries programs), arrived as 2 to 9
  reads — merged, never in the writes' shape by design.
- The flood: 2,000 datagrams of 1,000 B, sent in about half a second, **every \`send()\`
  succeeded**. The slow receiver (SO_RCVBUF asked 4,096 B, the kernel kept 8,192 B; 20 ms of work
  per datagram) got **4**. Its socket's drop counter (sock_diag, the same number as the drops
  column of /proc/net/udp) said **1,996**: every datagram accounted for. The queue held at most
  6,912 B of memory — three datagrams, each charged 2,304 B with its skb overhead — and the
  system-wide RcvbufErrors in /proc/net/snmp rose by the same 1,996.
- A connected UDP socket sending to a port nobody listens on: the \`send()\` itself succeeded; the
  kernel's ICMP "port unreachable" came back on loopback and Node reported **ECONNREFUSED from
  recvmsg** (an \`'error'\` event, not the send callback). An unconnected socket never hears it.
- 65,507 B (65,535 − 20-byte IP header − 8-byte UDP header) went out; 65,508 B was refused at once
  with **EMSGSIZE**.

**What to notice.**
- The panel below the panes puts the UDP sends and reads on one byte axis above the TCP writes and
  reads: one box per datagram on both UDP strips; orange boxes on the TCP strip are reads that
  carried several writes.
- The flood's three numbers — sent, received, dropped — come from three places: the client's send
  callbacks, the receiver's program, and the kernel. The sender has no way to learn the third.
- \`connect()\` on a UDP socket sends nothing (look at the ladder): it only makes the kernel
  remember the peer, filter other senders, and report ICMP errors to this socket.
- Change **slowMs** to 0 and **rcvbuf** to auto: the receiver keeps up and the drop count stays 0.
`.trim();
