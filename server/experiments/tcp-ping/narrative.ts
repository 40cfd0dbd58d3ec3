export const narrative = `
**What the seed says** (seed 000, "pinging a host where ICMP is filtered"). Most Internet hosts
filter or block ICMP echo, so \`ping\` says nothing; a TCP connection to a port they serve still
works, and the time it takes to connect measures reachability.

**What this kernel did** (on this machine: Linux 6.18, loopback).
- To the lab's listener: 5 of 5 connected, **1.3–8.5 ms** per connect as the program measured it
  (from \`connect()\` to the 'connect' event). On loopback the handshake itself takes microseconds
  (the kernel's tcp_info RTT); what the pane shows is mostly the program's event loop on a busy
  machine.
- To a port nobody listens on: every attempt was **refused (RST) in 0.7–19 ms** — counted as
  "host up, port closed". An RST is an answer: only silence (no answer within the timeout) means
  filtered or down.

**Safety.** The target is loopback unless the lab was started with \`--allow-target host\`
(repeatable); a browser cannot add to that list, so a web page cannot turn the lab into a port
scanner of your network. A refused target is reported before any process starts.

**What to notice.** Set **targetPort** to a closed port (e.g. 1) and compare the verdicts; the
event list shows each connect and its RST.
`.trim();
