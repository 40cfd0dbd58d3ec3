import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { bufferParam } from '../flow-shared/params.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';
import { UdpFixture } from './fixture.js';

export default defineExperiment({
  id: 'udp',
  title: 'UDP: datagrams keep their boundaries, and get dropped',
  group: 'Beyond TCP',
  order: 220,
  summary: 'The seed’s UDP time server and client; K datagrams arrive as K reads (TCP beside it merges them); a slow receiver drops datagrams and only its kernel knows; ECONNREFUSED and EMSGSIZE.',
  seeds: ['003', '002'],
  params: z.object({
    count: z.number().int().min(1).max(200).default(10).describe('Boundaries: datagrams sent in one burst (the same count is written over TCP beside it)'),
    size: z.number().int().min(1).max(8192).default(1024).describe('Boundaries: bytes per datagram (and per TCP write)'),
    compareTcp: z.boolean().default(true).describe('Also send the same writes over a TCP connection (the stream-boundaries programs) to compare'),
    floodCount: z.number().int().min(1).max(20_000).default(2000).describe('Flood: datagrams sent as fast as possible to the slow receiver'),
    floodSize: z.number().int().min(1).max(65507).default(1000).describe('Flood: bytes per datagram'),
    slowMs: z.number().int().min(0).max(1000).default(20).describe('Slow receiver: milliseconds of work per datagram (0 = read as fast as they come)'),
    rcvbuf: bufferParam(4096, 'Slow receiver’s SO_RCVBUF in bytes (Linux doubles it), or auto'),
    bigSize: z.number().int().min(1).max(1 << 20).default(65508).describe('Errors: size of the oversized datagram (65,507 B is the most IPv4 can carry)'),
    idleExitMs: z.number().int().min(0).max(60_000).default(1500).describe('Once they have had a datagram, the servers exit after this long without another (0 = never: stop the run yourself)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Time server’s UDP port (0 = any free port; the lab’s --port sets it)'),
  }),
  roles: [
    // The client talks to both servers: it starts after the second, and gets both ports
    // (serverPort, and sinkPort by role name).
    { name: 'sink', program: 'sink.js', summary: 'a slow UDP receiver: small SO_RCVBUF, slowMs of work per datagram' },
    { name: 'server', program: 'server.js', listens: true, after: 'sink', summary: 'the seed’s UDP time server: ReadFromUDP, then WriteToUDP the time back' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'the seed’s UDP client, then a burst, a flood and two errors' },
    { name: 'tcp-reader', program: '../stream-boundaries/server.js', enabled: (p) => p.compareTcp === true, summary: 'for comparison: the stream-boundaries reader, the same K writes over TCP' },
    { name: 'tcp-writer', program: '../stream-boundaries/client.js', after: 'tcp-reader', enabled: (p) => p.compareTcp === true, summary: 'for comparison: the stream-boundaries writer, K writes of M bytes in one burst' },
  ],
  narrative,
  observations,
  fixture: () => new UdpFixture(),
  defaultDurationMs: 15_000,
  endWhenAllExit: true,
});
