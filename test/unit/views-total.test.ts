/**
 * Every view is total: whatever trace the reader accepts, no view-model function of shared/ and
 * no experiment panel throws on it. The reader only checks the schema, and the schema leaves
 * payloads open (custom `data`, control `args`, sockopt `requested` / `effective`, header
 * `params` are z.unknown): a value such as {"toString":1} passes it, and String(), Number() or a
 * template literal on it throws. So the traces here are made to pass the reader — the real
 * fixtures with events added, and events of every kind generated from the schema's shapes —
 * with poison where the schema allows anything: coercion traps, huge and absurd numbers, empty
 * strings, unknown actors and roles, events out of time order, sockets known only to the kernel.
 * Only what the reader accepts reaches the views (the text goes through readTraceText).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { createElement, type ComponentType } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { base64Encode, utf8Encode } from '../../shared/codecs/bytes.js';
import { jsonOf, numberOf, textOf } from '../../shared/json/values.js';
import { udpView } from '../../shared/dgram/udp-view.js';
import { sweepRows } from '../../shared/flow/buffer-sweep.js';
import { measuredBandwidth, proxyView } from '../../shared/proxy/proxy-view.js';
import { boundaryStats, layout, piecesIn, readsAgainst, ruler } from '../../shared/stream/boundaries.js';
import { byteRoles, byteStreams, frameStream } from '../../shared/stream/byte-streams.js';
import { describeFraming, framingSetup } from '../../shared/stream/framing-setup.js';
import { framingView, scoreFraming } from '../../shared/stream/framing-view.js';
import { streamSides } from '../../shared/stream/from-trace.js';
import { actorsAtIndexed } from '../../shared/trace/actors-index.js';
import { describePacket, packetFlagsText } from '../../shared/trace/capture-events.js';
import { closeWaitOutcome, stateCount, stateSpans, timeWaitOutcome } from '../../shared/trace/closing.js';
import { actorsAt, describeEvent, formatAddress, primarySocket } from '../../shared/trace/derive.js';
import {
  chartData, connectionsAt, directionsAt, endpoint, fillOf, isOrphaned, kernelAvailability, kernelIndex, KernelIndex,
  kernelSocketsAt, pipelineAt, primaryProgramSocket, socketKey, timerLeftMs,
} from '../../shared/trace/kernel-view.js';
import { ladderModel, packetLabel, toneOf } from '../../shared/trace/ladder.js';
import { ladderView, ladderViewIndexed } from '../../shared/trace/ladder-window.js';
import { expectedEnd, lingerOutcome, sawReset } from '../../shared/trace/linger-outcome.js';
import { bookmarksOf, isStep, nextObservationTime, nextStepTime, prevStepTime, timelineBins } from '../../shared/trace/navigate.js';
import { TraceQuery } from '../../shared/trace/query.js';
import { readTraceText } from '../../shared/trace/reader.js';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { TraceStore } from '../../shared/trace/store.js';
import { unixView } from '../../shared/unix/unix-view.js';
import { directionBytes, wsView } from '../../shared/websocket/ws-view.js';
import { AddressPanel } from '../../web/components/AddressPanel.js';
import { BacklogPanel } from '../../web/components/BacklogPanel.js';
import { BoundaryPanel } from '../../web/components/BoundaryPanel.js';
import { BufferSweep } from '../../web/components/BufferSweep.js';
import { DeadlinePanel } from '../../web/components/DeadlinePanel.js';
import { EventList } from '../../web/components/EventList.js';
import { ExperimentPanel, type ExperimentPanelProps } from '../../web/components/experiment-panels.js';
import { FramingPanel } from '../../web/components/FramingPanel.js';
import { HexView } from '../../web/components/HexView.js';
import { KeepalivePanel } from '../../web/components/KeepalivePanel.js';
import { KernelBadge } from '../../web/components/KernelSockets.js';
import { KernelView } from '../../web/components/KernelView.js';
import { Ladder } from '../../web/components/Ladder.js';
import { LingerPanel } from '../../web/components/LingerComparison.js';
import { ProxyPanel } from '../../web/components/ProxyPanel.js';
import { Timeline } from '../../web/components/Timeline.js';
import { UdpPanel } from '../../web/components/UdpPanel.js';
import { UnixPanel } from '../../web/components/UnixPanel.js';
import { WebSocketPanel } from '../../web/components/WebSocketPanel.js';

const SEED = 20261121;
const fixtures = ['echo-trace.jsonl', 'echo-capture-trace.jsonl']
  .map((f) => readFileSync(new URL(`../fixtures/${f}`, import.meta.url), 'utf8').split('\n').filter((l) => l.trim()));

// ---- values where the schema allows anything ------------------------------------------------

/** Objects that throw on String(), Number(), `${}` or arithmetic, as JSON text (own properties). */
const POISON = [
  '{"toString":1}', '{"valueOf":{}}', '{"toString":null,"valueOf":null}', '{"valueOf":1,"toString":{}}', '{"toString":"x","valueOf":[]}',
  '{"toJSON":1}', '{"__proto__":{"toString":1}}', '{"Symbol.toPrimitive":1,"toString":1}', '{"constructor":1,"hasOwnProperty":1}',
  '[{"toString":1}]', '[{"valueOf":{}},1]', '{"rate":{"toString":1}}', '[]', '{}', '[1,[2,[3]]]',
];
const NUMBERS = [
  '0', '-0', '1', '-1', '2', '3', '0.5', '4.710999', '1e308', '-1e308', '1e999', '-1e999', '9007199254740993', '1e21', '1024',
  '65536', '4294967296', '64', '65', '1500', '1501', '1e-320',
];
const STRINGS = [
  '', 'NaN', 'Infinity', '-1', '1e999', 'on', 'off: needs root', 'seed', 'boundaries', 'flood', 'errors', 'paused', 'reading',
  'start', 'end', 'destroy', 'bandwidth', 'latency', 'writer', 'reader', 'naive', 'delimiter', 'fixed-length', 'length-prefix',
  'tlv', 'websocket', 'sent', 'received', 'text', 'close', 'auto', 'ECONNRESET', 'none', 'skip', 'toString', '__proto__',
  'vanishing', 'zero', 'seconds', 'client', 'server', '\u0000abstract', 'x'.repeat(300),
].map((s) => JSON.stringify(s));

/** Keys the views read from payloads, plus keys that trip naive code. */
const KEYS = [
  'code', 'action', 'name', 'how', 'result', 'seq', 'ms', 'dir', 'on', 'source', 'params', 'state', 'at', 'value', 'tcp_fin_timeout',
  'handed', 'nodeQueue', 'kernelTook', 'somaxconn', 'path', 'mode', 'uid', 'fileInode', 'socketInode', 'umask', 'abstractName',
  'entries', 'type', 'bytes', 'text', 'index', 'size', 'role', 'stopped', 'firstBackpressure', 'tcpWmem', 'kernelSendQ',
  'sndbufEffective', 'drains', 'kernelRecvQ', 'nodeBuffer', 'call', 'returnedAfterMs', 'nodeQueued', 'kernelNotSent',
  'unavailable', 'InDatagrams', 'RcvbufErrors', 'NoPorts', 'rate', 'conn', 'decoder', 'offset', 'start', 'end', 'payloadStart',
  'payloadEnd', 'sum', 'length', 'hex', 'reaction', 'message', 'isSocket', 'framing', 'maxFrameSize', 'frameSize', 'onError',
  'peer', 'linger', 'close', 'lingerSeconds', 'toString', 'valueOf', '__proto__', 'constructor', 'toJSON', '',
];

const valueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...POISON) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 3, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null') },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...POISON)).map(([k, p]) => `{${JSON.stringify(k)}:${p}}`) },
);

/** JSON text of an object from raw pairs (so "__proto__" really is a key, and 1e999 reaches JSON.parse). */
const objText = (pairs: readonly (readonly [string, string])[]) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
const recordText = (keys: readonly string[] = KEYS, max = 6) => fc.array(fc.tuple(fc.constantFrom(...keys), valueText), { maxLength: max }).map(objText);

/** An event line: `fields` as JSON, then `raw` fields whose values are JSON text. */
function lineOf(fields: Record<string, unknown>, raw: Record<string, string> = {}): string {
  const head = JSON.stringify(fields).slice(0, -1);
  return head + Object.entries(raw).map(([k, v]) => `,${JSON.stringify(k)}:${v}`).join('') + '}';
}

// ---- schema-valid events of every kind ------------------------------------------------------

const ACTORS = ['client', 'server', 'proxy', 'writer', 'reader', 'sink', 'kernel', 'lab', 'wire', 'user', 'tcp-writer', 'tcp-reader', 'old-server', 'x', '__proto__', 'toString', 'constructor'];
const actor = fc.constantFrom(...ACTORS);
const sock = fc.constantFrom('c1', 's1', 'c2', 's2', 'l1', 'u1', '__proto__', 'toString');
const PORTS = [0, 7878, 41000, 41001, 65535];
const port = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...PORTS) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 70000 }) });
const address = fc.record({
  address: fc.constantFrom('127.0.0.1', '::1', '0.0.0.0', '::', '', '\u0000abstract', '/tmp/lab.sock', '::ffff:127.0.0.1', 'x'.repeat(128)),
  port,
  family: fc.option(fc.constantFrom('IPv4', 'IPv6', 'unix'), { nil: undefined }),
});
const t = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 5000, noNaN: true }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1e9, 1e15, 8.64e15, 1.7e308, Number.MIN_VALUE, -1) },
);
const nat = fc.oneof({ weight: 8, arbitrary: fc.nat({ max: 100_000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 2 ** 31, Number.MAX_SAFE_INTEGER, -1) });
const small = fc.oneof(fc.nat({ max: 4 }), fc.constantFrom(2 ** 31, Number.MAX_SAFE_INTEGER));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const str = fc.oneof(fc.constantFrom('', 'x', 'ECONNRESET', 'EADDRINUSE', 'ECONNREFUSED', 'EMSGSIZE', 'write', 'toString'), fc.string({ maxLength: 20 }));

const REQ = 'GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const RES = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
/** `head`: base64 of some bytes, of an HTTP head, or text that is not base64 at all. */
const head = opt(fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map(base64Encode),
  fc.constantFrom(base64Encode(utf8Encode(REQ)), base64Encode(utf8Encode(RES)), base64Encode(utf8Encode('a\nbb\nccc\n')), base64Encode(new Uint8Array([0, 0, 0, 3, 97, 98, 99]))),
  fc.constantFrom('', '!!!!', 'abc', '====', 'QQ', 'QQ==QQ==', '\u00ff\u00fe', 'a b c d'),
));

const base = (kind: string) => fc.record({ t, actor }).map((b) => ({ type: 'event', ...b, kind }));
const STATES = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV', 'BOUND_INACTIVE', 'UNKNOWN', 'GONE'];
const sampleKey = fc.oneof(
  fc.constantFrom('127.0.0.1:7878>127.0.0.1:41000', '127.0.0.1:41000>127.0.0.1:7878', '0.0.0.0:7878>0.0.0.0:0', '127.0.0.1:7878>0.0.0.0:0', 'unix:100', 'unix:101', 'unix:0', '[::1]:7878>[::1]:41000', 'k'),
  fc.tuple(address, address).map(([a, b]) => socketKey(a, b).slice(0, 128)),
);
const skmem = fc.record({ rmemAlloc: nat, rcvbuf: nat, wmemAlloc: nat, sndbuf: nat, fwdAlloc: nat, wmemQueued: nat, optmem: nat, backlog: nat, drops: nat });
const timer = fc.record({ name: fc.constantFrom('on', 'keepalive', 'timewait', 'persist', 'unknown'), expiresMs: nat, retrans: small });

/** Custom events the views and panels look for, by actor and name, with the keys they read. */
const CUSTOMS: [string, string, string[]][] = [
  ['client', 'phase', ['name']], ['client', 'dead', ['code']], ['writer', 'write-deadline', ['handed', 'nodeQueue', 'kernelTook', 'action']],
  ['server', 'rebind', ['how', 'result']], ['server', 'listener-reuseaddr', ['value']], ['server', 'sysctl', ['tcp_fin_timeout']],
  ['proxy', 'toxic', ['name', 'on', 'source', 'dir', 'params']], ['server', 'reader', ['state']], ['client', 'rtt', ['seq', 'ms']],
  ['kernel', 'udp-counters', ['at', 'unavailable', 'InDatagrams', 'RcvbufErrors', 'NoPorts']],
  ['server', 'socket-file', ['path', 'mode', 'isSocket', 'uid', 'fileInode', 'socketInode', 'umask']], ['server', 'unlink', ['path']],
  ['server', 'dir-listing', ['abstractName', 'entries']], ['client', 'ws-message', ['dir', 'type', 'bytes', 'text', 'code']],
  ['server', 'ws-message', ['dir', 'type', 'bytes', 'text', 'code']],
  ['writer', 'size-result', ['index', 'size', 'role', 'stopped', 'firstBackpressure', 'nodeQueue', 'kernelSendQ', 'sndbufEffective', 'drains', 'ms', 'tcpWmem']],
  ['reader', 'size-result', ['index', 'size', 'role', 'kernelRecvQ', 'nodeBuffer', 'rcvbufEffective']],
  ['writer', 'close-call', ['call', 'returnedAfterMs']], ['writer', 'before-close', ['nodeQueued', 'kernelSendQ', 'kernelNotSent', 'kernelTook']],
  ['reader', 'so-error', ['code']], ['server', 'somaxconn', ['somaxconn']],
  ['client', 'sent', ['index', 'text', 'binary', 'start', 'end', 'payloadStart', 'payloadEnd', 'sum', 'payloadLength']],
  ['server', 'frame', ['decoder', 'conn', 'index', 'length', 'text', 'start', 'end', 'payloadStart', 'payloadEnd', 'sum', 'hex']],
  ['server', 'frame-error', ['decoder', 'conn', 'code', 'message', 'offset', 'action', 'reaction']],
];
const targetedCustom = fc.constantFrom(...CUSTOMS).chain(([who, name, keys]) =>
  fc.tuple(t, fc.oneof(fc.constant(who), actor), recordText([...keys, 'toString', '__proto__'], keys.length + 2))
    .map(([tt, a, data]) => lineOf({ type: 'event', t: tt, actor: a, kind: 'custom', name }, { data })));

const eventLine: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(base('spawn'), fc.integer(), str).map(([b, pid, program]) => lineOf({ ...b, pid, program })),
  fc.tuple(base('exit'), fc.integer(), fc.option(fc.integer()), fc.option(str)).map(([b, pid, code, signal]) => lineOf({ ...b, pid, code, signal })),
  fc.tuple(base('stdout'), fc.constantFrom('stdout', 'stderr', 'stdin'), fc.string({ maxLength: 80 })).map(([b, kind, text]) => lineOf({ ...b, kind, text })),
  fc.tuple(base('note'), fc.constantFrom('info', 'warn', 'error'), str).map(([b, level, text]) => lineOf({ ...b, level, text })),
  fc.tuple(base('custom'), fc.oneof(fc.constantFrom(...CUSTOMS.map((c) => c[1])), fc.string({ minLength: 1, maxLength: 10 })), fc.option(recordText())).map(([b, name, data]) => lineOf({ ...b, name }, data === null ? {} : { data })),
  targetedCustom, targetedCustom, targetedCustom, targetedCustom, targetedCustom, targetedCustom,
  fc.tuple(base('observation'), str, str, fc.boolean(), str).map(([b, id, label, held, detail]) => lineOf({ ...b, id, label, held, detail })),
  fc.tuple(base('control'), str, fc.option(recordText())).map(([b, command, args]) => lineOf({ ...b, command }, args === null ? {} : { args })),
  fc.tuple(base('run-length'), nat).map(([b, durationMs]) => lineOf({ ...b, durationMs })),
  fc.tuple(base('listen'), sock, address, opt(fc.integer()), opt(fc.constantFrom(0, 100, 101))).map(([b, s, local, backlog, inode]) => lineOf({ ...b, sock: s, local, backlog, inode })),
  fc.tuple(base('accept'), sock, address, address, opt(sock), opt(fc.constantFrom(0, 100, 101))).map(([b, s, local, remote, listener, inode]) => lineOf({ ...b, sock: s, local, remote, listener, inode })),
  fc.tuple(base('connecting'), sock, address).map(([b, s, remote]) => lineOf({ ...b, sock: s, remote })),
  fc.tuple(base('connect'), sock, address, address, opt(fc.constantFrom(0, 100, 101))).map(([b, s, local, remote, inode]) => lineOf({ ...b, sock: s, local, remote, inode })),
  fc.tuple(base('write'), sock, nat, fc.boolean(), nat, opt(small), head).map(([b, s, bytes, ok, queued, calls, h]) => lineOf({ ...b, sock: s, bytes, ok, queued, calls, head: h })),
  fc.tuple(base('drain'), sock, fc.double({ min: 0, max: 1e6, noNaN: true })).map(([b, s, waitedMs]) => lineOf({ ...b, sock: s, waitedMs })),
  fc.tuple(base('data'), sock, nat, head, opt(small)).map(([b, s, bytes, h, calls]) => lineOf({ ...b, sock: s, bytes, head: h, calls })),
  fc.tuple(fc.constantFrom('end', 'eof'), sock).chain(([k, s]) => base(k).map((b) => lineOf({ ...b, sock: s }))),
  fc.tuple(base('destroy'), sock, opt(nat)).map(([b, s, queued]) => lineOf({ ...b, sock: s, queued })),
  fc.tuple(base('close'), sock, opt(fc.boolean()), opt(fc.double({ min: 0, max: 1e9, noNaN: true }))).map(([b, s, hadError, blockedMs]) => lineOf({ ...b, sock: s, hadError, blockedMs })),
  fc.tuple(base('error'), opt(sock), str, str, opt(str)).map(([b, s, code, message, syscall]) => lineOf({ ...b, sock: s, code, message, syscall })),
  fc.tuple(base('sockopt'), sock, fc.constantFrom('SO_RCVBUF', 'SO_SNDBUF', 'SO_LINGER', 'TCP_NODELAY', ''), fc.option(valueText), fc.option(valueText), opt(str))
    .map(([b, s, option, requested, effective, error]) => lineOf({ ...b, sock: s, option, error }, { ...(requested !== null ? { requested } : {}), ...(effective !== null ? { effective } : {}) })),
  fc.tuple(base('sample'), fc.record({
    key: sampleKey, proto: opt(fc.constantFrom('udp', 'unix')), peerInode: opt(fc.constantFrom(0, 100, 101)), cookie: opt(fc.constantFrom('1a', '')),
    local: address, remote: address, state: fc.constantFrom(...STATES), recvQ: opt(nat), sendQ: opt(nat), acceptQ: opt(nat), acceptMax: opt(fc.oneof(small, nat)),
    inode: opt(fc.constantFrom(0, 100, 101)), uid: opt(nat), shutdown: opt(fc.record({ read: fc.boolean(), write: fc.boolean() })), timer: opt(timer), skmem: opt(skmem),
    sndWnd: opt(fc.oneof(fc.constant(0), nat)), rcvWnd: opt(fc.oneof(fc.constant(0), nat)), probes: opt(small), backoff: opt(small), retransmits: opt(small),
    totalRetrans: opt(nat), rtoUs: opt(nat), rttUs: opt(nat), notsent: opt(nat), bytesSent: opt(nat), bytesAcked: opt(nat), bytesReceived: opt(nat), caState: opt(fc.constantFrom('Open', '')),
  })).map(([b, s]) => lineOf({ ...b, ...s })),
  fc.tuple(base('nodestate'), sock, fc.record({
    writableLength: nat, writableHighWaterMark: nat, toKernel: nat, readableLength: nat, readableHighWaterMark: nat, bytesRead: nat, delivered: nat,
    flowing: fc.option(fc.boolean()), writeFalse: nat, drainWaitMs: fc.double({ min: 0, max: 1e9, noNaN: true }), waiting: fc.boolean(),
  })).map(([b, s, n]) => lineOf({ ...b, sock: s, ...n })),
  fc.tuple(base('bookmark'), fc.string({ maxLength: 280 })).map(([b, note]) => lineOf({ ...b, note })),
  fc.tuple(base('packet'), fc.record({
    src: address, dst: address, flags: fc.subarray(['SYN', 'ACK', 'FIN', 'RST', 'PSH', 'URG', 'ECE', 'CWR']), seq: fc.nat({ max: 0xffffffff }), ack: opt(fc.nat({ max: 0xffffffff })),
    fromSyn: fc.boolean(), win: fc.nat({ max: 0xffff }), window: opt(nat), len: nat, mss: opt(fc.nat({ max: 0xffff })), wscale: opt(fc.nat({ max: 14 })),
    labels: fc.subarray(['window 0', 'window update', 'window probe', 'keepalive', 'retransmission', 'dup ack']), count: opt(fc.integer({ min: 2, max: 1000 })), spanUs: opt(fc.double({ min: 0, max: 1e6, noNaN: true })),
  })).map(([b, p]) => lineOf({ ...b, ...p })),
  fc.tuple(base('bind'), sock, address, fc.constantFrom('udp4', 'udp6')).map(([b, s, local, proto]) => lineOf({ ...b, sock: s, local, proto })),
  fc.tuple(base('dgram-connect'), sock, address, address).map(([b, s, local, remote]) => lineOf({ ...b, sock: s, local, remote })),
  fc.tuple(base('send'), sock, nat, opt(address), opt(small), opt(nat), opt(fc.constantFrom('EMSGSIZE', '')), head).map(([b, s, bytes, to, calls, size, error, h]) => lineOf({ ...b, sock: s, bytes, to, calls, size, error, head: h })),
  fc.tuple(base('message'), sock, nat, address, opt(small), opt(nat), head).map(([b, s, bytes, from, calls, size, h]) => lineOf({ ...b, sock: s, bytes, from, calls, size, head: h })),
);

const EXPERIMENTS = ['echo', 'buffer-sizes', 'write-deadline', 'stream-boundaries', 'framing', 'addresses', 'backlog', 'keepalive', 'linger', 'udp', 'unix', 'websocket', 'proxy', 'close-wait', 'time-wait', 'toString', ''];
const PARAM_KEYS = ['framing', 'maxFrameSize', 'frameSize', 'onError', 'peer', 'linger', 'close', 'lingerSeconds', 'port', 'message', 'count', 'toString', '__proto__'];
const headerLine = fc.tuple(
  fc.constantFrom(...EXPERIMENTS), recordText(PARAM_KEYS, 8), fc.array(actor, { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('kernel', 'capture', 'netns', 'kernel-udp', 'kernel-unix', 'toString'), fc.constantFrom('on', 'on (ss)', 'off: needs root', '', 'toString')),
  opt(nat),
).map(([experiment, params, roles, capabilities, durationMs]) => lineOf(
  { type: 'header', version: 1, experiment, roles, platform: { os: 'linux', kernel: '6', node: 'v20' }, capabilities, startedAt: '2026-01-01T00:00:00Z', durationMs },
  { params },
));
const footerLine = fc.tuple(t, fc.constantFrom('completed', 'stopped', 'timeout', 'failed'), fc.integer(), fc.integer())
  .map(([tt, outcome, held, total]) => JSON.stringify({ type: 'footer', t: tt, outcome, observations: { held, total } }));

// ---- runs of each experiment, shaped like the real ones, with poison in their payloads --------

/** One line of a run, written at the time the run gives it. */
type Step = fc.Arbitrary<(t: number) => string>;
/** A payload value: in generated runs mostly what a real run writes, sometimes anything at all. */
type Maybe = (valid: unknown) => fc.Arbitrary<string>;
const maybe: Maybe = (valid) => fc.oneof({ weight: 7, arbitrary: fc.constant(JSON.stringify(valid)) }, { weight: 1, arbitrary: valueText });
const exactly: Maybe = (valid) => fc.constant(JSON.stringify(valid));
function ev(fixed: Record<string, unknown>, vary: Record<string, fc.Arbitrary<unknown>> = {}, raw: Record<string, fc.Arbitrary<string>> = {}): Step {
  return fc.tuple(fc.record(vary), fc.record(raw)).map(([v, r]) => (tt: number) => lineOf({ type: 'event', t: tt, ...fixed, ...v }, r));
}
/** Two lines at the same moment (both ends of a Unix connection are sampled in one dump). */
const together = (a: Step, b: Step): Step => fc.tuple(a, b).map(([x, y]) => (tt: number) => `${x(tt)}\n${y(tt)}`);
const A = (p: number) => ({ address: '127.0.0.1', port: p, family: 'IPv4' });
const U = (path: string) => ({ address: path, port: 0, family: 'unix' });
const text = (x: string) => utf8Encode(x);

type Scenario = [experiment: string, params: Record<string, unknown>, steps: Step[]];
/** The runs, their payloads made by `maybe`. */
const scenarios = (maybe: Maybe): Scenario[] => {
  const custom = (who: string, name: string, data: Record<string, unknown>): Step =>
    fc.record(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, maybe(v)])))
      .map((d) => (tt: number) => lineOf({ type: 'event', t: tt, actor: who, kind: 'custom', name }, { data: objText(Object.entries(d)) }));
  /** A write (or read) of these bytes, their head kept — or, generated, not quite. */
  const bytesEv = (who: string, kind: 'write' | 'data', s: string, b: Uint8Array): Step =>
    ev({ actor: who, kind, sock: s, bytes: b.length, ...(kind === 'write' ? { ok: true, queued: 0 } : {}) },
      { head: maybe === exactly ? fc.constant(base64Encode(b)) : fc.oneof({ weight: 5, arbitrary: fc.constant(base64Encode(b)) }, { weight: 1, arbitrary: head }) });
  return [
    ['udp', {}, [
      custom('client', 'phase', { name: 'seed' }), ev({ actor: 'client', kind: 'bind', sock: 'u1', local: A(41000), proto: 'udp4' }),
      ev({ actor: 'client', kind: 'send', sock: 'u1', bytes: 5, to: A(7878) }, { head }), ev({ actor: 'client', kind: 'message', sock: 'u1', bytes: 5, from: A(7878) }, { head }),
      custom('client', 'phase', { name: 'boundaries', count: 3, size: 100 }), ev({ actor: 'client', kind: 'bind', sock: 'u2', local: A(41001), proto: 'udp4' }),
      ev({ actor: 'client', kind: 'send', sock: 'u2', bytes: 300, calls: 3, size: 100, to: A(7878) }), ev({ actor: 'server', kind: 'message', sock: 'u1', bytes: 100, from: A(41001) }, { calls: opt(small) }),
      ev({ actor: 'tcp-writer', kind: 'spawn', pid: 1, program: 'w' }), ev({ actor: 'tcp-writer', kind: 'connect', sock: 'c1', local: A(41003), remote: A(7879) }),
      ev({ actor: 'tcp-reader', kind: 'accept', sock: 's1', local: A(7879), remote: A(41003) }), ev({ actor: 'tcp-writer', kind: 'write', sock: 'c1', ok: true, queued: 0 }, { bytes: nat }),
      ev({ actor: 'tcp-reader', kind: 'data', sock: 's1' }, { bytes: nat }),
      custom('client', 'phase', { name: 'flood', count: 1000, size: 1000 }), ev({ actor: 'client', kind: 'bind', sock: 'u3', local: A(41002), proto: 'udp4' }),
      ev({ actor: 'sink', kind: 'bind', sock: 'u1', local: A(7880), proto: 'udp4' }),
      ev({ actor: 'sink', kind: 'sockopt', sock: 'u1', option: 'SO_RCVBUF' }, {}, { requested: maybe(4096), effective: maybe(8192) }),
      custom('kernel', 'udp-counters', { at: 'start', InDatagrams: 10, RcvbufErrors: 0, NoPorts: 1 }),
      ev({ actor: 'client', kind: 'send', sock: 'u3', to: A(7880) }, { bytes: nat, calls: opt(small), error: opt(fc.constantFrom('ENOBUFS', '')) }),
      ev({ actor: 'sink', kind: 'message', sock: 'u1', bytes: 1000, from: A(41002) }, { calls: opt(small) }),
      ev({ actor: 'kernel', kind: 'sample', key: '127.0.0.1:7880>0.0.0.0:0', proto: 'udp', local: A(7880), remote: A(0), state: 'CLOSE' }, { recvQ: opt(nat), skmem: opt(skmem) }),
      custom('kernel', 'udp-counters', { at: 'end', InDatagrams: 900, RcvbufErrors: 100, NoPorts: 1 }),
      custom('client', 'phase', { name: 'errors' }), ev({ actor: 'client', kind: 'bind', sock: 'u4', local: A(41004), proto: 'udp4' }),
      ev({ actor: 'client', kind: 'dgram-connect', sock: 'u4', local: A(41004), remote: A(9) }),
      ev({ actor: 'client', kind: 'error', sock: 'u4', code: 'ECONNREFUSED', message: 'refused' }, { syscall: opt(fc.constantFrom('recvmsg', '')) }),
      ev({ actor: 'client', kind: 'send', sock: 'u4', bytes: 70000, error: 'EMSGSIZE' }),
    ]],
    ['unix', {}, [
      custom('server', 'socket-file', { path: '/tmp/lab.sock', mode: 'srwxr-xr-x', isSocket: true, uid: 0, fileInode: 5, socketInode: 100, umask: '022' }),
      ev({ actor: 'old-server', kind: 'listen', sock: 'l0', local: U('/tmp/lab.sock'), inode: 99 }),
      ev({ actor: 'server', kind: 'error', code: 'EADDRINUSE', message: 'in use' }), ev({ actor: 'server', kind: 'error', code: 'ECONNREFUSED', message: 'refused' }),
      custom('server', 'unlink', { path: '/tmp/lab.sock' }), ev({ actor: 'server', kind: 'listen', sock: 'l1', local: U('/tmp/lab.sock'), inode: 100 }),
      custom('server', 'dir-listing', { abstractName: 'lab', entries: ['lab.sock'] }),
      ev({ actor: 'kernel', kind: 'sample', key: 'unix:200', proto: 'unix', local: U('@lab\u0000\u0000'), remote: U(''), state: 'LISTEN' }),
      ev({ actor: 'client', kind: 'connect', sock: 'c1', local: U(''), remote: U('/tmp/lab.sock'), inode: 102 }),
      ev({ actor: 'server', kind: 'accept', sock: 's1', local: U('/tmp/lab.sock'), remote: U(''), listener: 'l1', inode: 101 }),
      together(
        ev({ actor: 'kernel', kind: 'sample', key: 'unix:101', proto: 'unix', peerInode: 102, local: U('/tmp/lab.sock'), remote: U(''), state: 'ESTABLISHED' }, { recvQ: opt(nat), skmem: opt(skmem) }),
        ev({ actor: 'kernel', kind: 'sample', key: 'unix:102', proto: 'unix', peerInode: 101, local: U(''), remote: U('/tmp/lab.sock'), state: 'ESTABLISHED' }, { sendQ: opt(nat), skmem: opt(skmem) })),
      ev({ actor: 'client', kind: 'write', sock: 'c1', queued: 10 }, { bytes: nat, ok: fc.boolean() }),
    ]],
    ['websocket', {}, [
      ev({ actor: 'client', kind: 'connect', sock: 'c1', local: A(41000), remote: A(7878) }), ev({ actor: 'server', kind: 'accept', sock: 's1', local: A(7878), remote: A(41000) }),
      bytesEv('client', 'write', 'c1', text(REQ)), bytesEv('server', 'write', 's1', text(RES)),
      bytesEv('client', 'write', 'c1', new Uint8Array([0x81, 0x85, 1, 2, 3, 4, 0x49, 0x67, 0x6f, 0x68, 0x6e])),
      bytesEv('server', 'write', 's1', new Uint8Array([0x88, 0x02, 0x03, 0xe8])),
      custom('client', 'ws-message', { dir: 'sent', type: 'text', bytes: 5, text: 'Hello' }), custom('server', 'ws-message', { dir: 'received', type: 'close', bytes: 2, code: 1000, text: '' }),
    ]],
    ['proxy', {}, [
      custom('proxy', 'toxic', { name: 'bandwidth', on: true, dir: 1, params: { rate: 10000 }, source: 'start' }),
      ev({ actor: 'client', kind: 'connect', sock: 'c1', local: A(41000), remote: A(8000) }), ev({ actor: 'proxy', kind: 'accept', sock: 's1', local: A(8000), remote: A(41000) }),
      ev({ actor: 'proxy', kind: 'connect', sock: 'c2', local: A(41001), remote: A(9000) }),
      ev({ actor: 'client', kind: 'write', sock: 'c1', queued: 0 }, { bytes: nat, ok: fc.boolean() }), ev({ actor: 'proxy', kind: 'data', sock: 's1' }, { bytes: nat }),
      ev({ actor: 'proxy', kind: 'write', sock: 'c2', ok: false, queued: 0 }, { bytes: nat }), ev({ actor: 'server', kind: 'data', sock: 's1' }, { bytes: nat }),
      custom('server', 'reader', { state: 'paused' }), ev({ actor: 'server', kind: 'data', sock: 's1' }, { bytes: nat }), custom('server', 'reader', { state: 'reading' }),
      ev({ actor: 'proxy', kind: 'drain', sock: 'c2', waitedMs: 5 }), ev({ actor: 'client', kind: 'drain', sock: 'c1', waitedMs: 5 }),
      ev({ actor: 'server', kind: 'data', sock: 's1' }, { bytes: nat }), custom('client', 'rtt', { seq: 1, ms: 2.5 }), ev({ actor: 'server', kind: 'data', sock: 's1' }, { bytes: nat }),
      custom('proxy', 'toxic', { name: 'bandwidth', on: false, source: 'control' }), custom('proxy', 'toxic', { name: 'latency', on: true, dir: 0, params: { latency: 100, jitter: 0 }, source: 'control' }),
    ]],
    ['buffer-sizes', {}, [
      ev({ actor: 'reader', kind: 'sockopt', sock: 'l1', option: 'SO_RCVBUF' }, {}, { requested: maybe(4096), effective: maybe(8192) }),
      custom('writer', 'size-result', { index: 0, size: 4096, role: 'writer', stopped: 100000, firstBackpressure: 50000, nodeQueue: 100, kernelSendQ: 2000, sndbufEffective: 8192, sndbufAtConnect: 8192, sndbufAtStop: 8192, drains: 3, ms: 100, tcpWmem: [4096, 16384, 4194304] }),
      custom('reader', 'size-result', { index: 0, size: 4096, role: 'reader', kernelRecvQ: 3000, nodeBuffer: 16384, rcvbufEffective: 8192 }),
      custom('writer', 'size-result', { index: 1, size: 'auto', role: 'writer', stopped: 4000000, firstBackpressure: 2000000, nodeQueue: 0, kernelSendQ: 1000, sndbufEffective: 8192, sndbufAtConnect: 8192, sndbufAtStop: 4194304, drains: 0, ms: 300, tcpWmem: [4096, 16384, 4194304] }),
      custom('reader', 'size-result', { index: 1, size: 'auto', role: 'reader', kernelRecvQ: 3000, nodeBuffer: 16384, rcvbufEffective: 8192 }),
    ]],
    ['framing', { framing: 'delimiter', maxFrameSize: 128, onError: 'skip' }, [
      ev({ actor: 'client', kind: 'connect', sock: 'c1', local: A(41000), remote: A(7878) }), ev({ actor: 'server', kind: 'accept', sock: 's1', local: A(7878), remote: A(41000) }),
      custom('client', 'sent', { index: 0, text: 'a', start: 0, end: 2, payloadStart: 0, payloadEnd: 1, sum: 'e40c292c', payloadLength: 1 }),
      custom('client', 'sent', { index: 1, text: 'bb', start: 2, end: 5, payloadStart: 2, payloadEnd: 4, sum: 'x', payloadLength: 200 }),
      bytesEv('client', 'write', 'c1', text('a\nbb\n')), bytesEv('server', 'data', 's1', text('a\nbb\n')),
      custom('server', 'frame', { decoder: 'naive', conn: 's1', index: 0, length: 5, text: 'a\nbb\n', start: 0, end: 5, payloadStart: 0, payloadEnd: 5, sum: 'y' }),
      custom('server', 'frame', { decoder: 'delimiter', conn: 's1', index: 0, length: 1, text: 'a', start: 0, end: 2, payloadStart: 0, payloadEnd: 1, sum: 'e40c292c' }),
      custom('server', 'frame-error', { decoder: 'delimiter', conn: 's1', code: 'FRAME_TOO_LARGE', message: 'too large', offset: 2, action: 'stop', reaction: 'drop' }),
    ]],
    ['linger', { linger: 'seconds', close: 'destroy', lingerSeconds: 2 }, [
      ev({ actor: 'writer', kind: 'connect', sock: 'c1', local: A(41000), remote: A(7878) }), ev({ actor: 'reader', kind: 'accept', sock: 's1', local: A(7878), remote: A(41000) }),
      ev({ actor: 'writer', kind: 'write', sock: 'c1', queued: 0 }, { bytes: nat, ok: fc.boolean() }),
      custom('writer', 'before-close', { nodeQueued: 100, kernelSendQ: 200, kernelNotSent: 50, kernelTook: 1000 }),
      ev({ actor: 'writer', kind: 'destroy', sock: 'c1' }), custom('writer', 'close-call', { call: 'destroy()', returnedAfterMs: 1.5 }),
      ev({ actor: 'writer', kind: 'close', sock: 'c1' }, { blockedMs: opt(fc.double({ min: 0, max: 1e9, noNaN: true })) }),
      ev({ actor: 'kernel', kind: 'sample', key: '127.0.0.1:41000>127.0.0.1:7878', local: A(41000), remote: A(7878), state: 'FIN_WAIT1', inode: 0 }, { sendQ: opt(nat) }),
      ev({ actor: 'wire', kind: 'packet', src: A(41000), dst: A(7878), flags: ['RST'], seq: 1, fromSyn: true, win: 0, len: 0, labels: [] }),
      ev({ actor: 'reader', kind: 'data', sock: 's1' }, { bytes: nat }), ev({ actor: 'reader', kind: 'eof', sock: 's1' }), custom('reader', 'so-error', { code: 'ECONNRESET' }),
      ev({ actor: 'reader', kind: 'error', sock: 's1', code: 'ECONNRESET', message: 'reset' }),
    ]],
    ['time-wait', {}, [
      ev({ actor: 'server', kind: 'listen', sock: 'l1', local: A(7878) }), ev({ actor: 'client', kind: 'connect', sock: 'c1', local: A(41000), remote: A(7878) }),
      custom('server', 'listener-reuseaddr', { value: '1' }), custom('server', 'sysctl', { tcp_fin_timeout: '60' }),
      ev({ actor: 'kernel', kind: 'sample', key: '127.0.0.1:7878>127.0.0.1:41000', local: A(7878), remote: A(41000), state: 'CLOSE_WAIT' }, { inode: opt(fc.constantFrom(0, 5)) }),
      ev({ actor: 'server', kind: 'write', sock: 's1', ok: true, queued: 0 }, { bytes: nat }), ev({ actor: 'server', kind: 'error', sock: 's1', code: 'EPIPE', message: 'broken pipe' }),
      ev({ actor: 'kernel', kind: 'sample', key: '127.0.0.1:7878>127.0.0.1:41000', local: A(7878), remote: A(41000), state: 'TIME_WAIT' }, { timer: opt(timer) }),
      custom('server', 'rebind', { how: 'socket()+bind() without SO_REUSEADDR', port: 7878, result: 'EADDRINUSE' }),
      ev({ actor: 'kernel', kind: 'sample', key: '127.0.0.1:7878>127.0.0.1:41000', local: A(7878), remote: A(41000), state: 'GONE' }),
      ev({ actor: 'wire', kind: 'packet', src: A(41000), dst: A(7878), flags: ['FIN', 'ACK'], seq: 1, fromSyn: true, win: 100, len: 0, labels: [] }),
    ]],
    ['keepalive', { peer: 'vanishing' }, [
      ev({ actor: 'client', kind: 'connect', sock: 'c1', local: A(41000), remote: A(7878) }),
      ev({ actor: 'kernel', kind: 'sample', key: '127.0.0.1:41000>127.0.0.1:7878', local: A(41000), remote: A(7878), state: 'ESTABLISHED' }, { timer: opt(timer), probes: opt(small) }),
      custom('client', 'dead', { code: 'ETIMEDOUT', afterMs: 10 }),
    ]],
    ['write-deadline', {}, [
      ev({ actor: 'writer', kind: 'write', sock: 'c1', ok: true, queued: 0 }, { bytes: nat }), ev({ actor: 'reader', kind: 'data', sock: 's1' }, { bytes: nat }),
      custom('writer', 'write-deadline', { handed: 1000, nodeQueue: 10, kernelTook: 900, action: 'destroy' }),
    ]],
    ['backlog', {}, [
      ev({ actor: 'server', kind: 'listen', sock: 'l1', local: A(7878), backlog: 2 }), custom('server', 'somaxconn', { somaxconn: 4096, backlog: 2, limit: 2 }),
      ev({ actor: 'kernel', kind: 'sample', key: '127.0.0.1:7878>0.0.0.0:0', local: A(7878), remote: A(0), state: 'LISTEN' }, { acceptQ: opt(nat), acceptMax: opt(fc.oneof(small, nat)) }),
      ev({ actor: 'kernel', kind: 'sample', key: '127.0.0.1:41000>127.0.0.1:7878', local: A(41000), remote: A(7878), state: 'SYN_SENT' }, { retransmits: opt(small) }),
    ]],
  ];
};

/** One of those runs: its steps (some left out) a scale apart, with random events among them. */
const scenarioText: fc.Arbitrary<string> = fc.constantFrom(...scenarios(maybe)).chain(([experiment, params, steps]) => fc.tuple(
  fc.record(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, maybe(v)]))),
  fc.tuple(...steps.map((st) => fc.option(st, { freq: 8 }))),
  fc.constantFrom(1, 10, 300),
  fc.array(fc.tuple(eventLine, fc.nat()), { maxLength: 10 }),
  fc.option(footerLine),
).map(([ps, made, scale, extra, footer]) => {
  const out = made.flatMap((m, i) => (m ? [m(scale * (i + 1))] : []));
  for (const [l, at] of extra) out.splice(at % (out.length + 1), 0, l);
  return [runHeader(experiment, objText(Object.entries(ps))), ...out, ...(footer ? [footer] : [])].join('\n');
}));

function runHeader(experiment: string, params: string): string {
  return lineOf({ type: 'header', version: 1, experiment, roles: ['server', 'client'], platform: { os: 'linux', kernel: '6', node: 'v20' }, capabilities: { kernel: 'on', capture: 'on', 'kernel-udp': 'on', netns: 'on' }, startedAt: '2026-01-01T00:00:00Z' }, { params });
}

/** Each run exactly as a real one writes it (every step, every payload as meant), 300 ms a step. */
const exactRuns: string[] = scenarios(exactly).map(([experiment, params, steps]) => {
  const made = fc.sample(fc.tuple(...steps), { numRuns: 1, seed: SEED })[0]!;
  return [runHeader(experiment, JSON.stringify(params)), ...made.map((m, i) => m(300 * (i + 1)))].join('\n');
});

/**
 * The same run with one payload value replaced by `poison` text, for every payload value it has:
 * custom data fields, sockopt requested / effective, header params (and a few more params).
 */
function poisonedOneByOne(run: string, poison: string): string[] {
  const MARK = '\u0000poison\u0000';
  const lines = run.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    const o = JSON.parse(line) as Record<string, unknown>;
    const slots: [Record<string, unknown>, string][] = [];
    if (o.type === 'header') {
      const params = o.params as Record<string, unknown>;
      for (const k of new Set([...Object.keys(params), 'framing', 'maxFrameSize', 'linger', 'lingerSeconds', 'peer'])) slots.push([params, k]);
    }
    if (o.kind === 'custom') for (const k of Object.keys(o.data as object)) slots.push([o.data as Record<string, unknown>, k]);
    if (o.kind === 'sockopt') slots.push([o, 'requested'], [o, 'effective']);
    for (const [obj, k] of slots) {
      const was = obj[k];
      obj[k] = MARK;
      out.push([...lines.slice(0, i), JSON.stringify(o).replace(JSON.stringify(MARK), poison), ...lines.slice(i + 1)].join('\n'));
      if (was === undefined) delete obj[k]; else obj[k] = was;
    }
  });
  return out;
}

/** A whole trace as text: a real fixture with events added anywhere, or a generated one. */
const traceText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: scenarioText },
  fc.tuple(fc.constantFrom(...fixtures), fc.array(fc.tuple(eventLine, fc.nat()), { maxLength: 30, size: 'medium' }), fc.option(headerLine, { freq: 4 })).map(([lines, extra, h]) => {
    const out = [h ?? lines[0]!, ...lines.slice(1)];
    for (const [l, at] of extra) out.splice(1 + (at % out.length), 0, l);
    return out.join('\n');
  }),
  fc.tuple(headerLine, fc.array(eventLine, { minLength: 1, maxLength: 60, size: 'medium' }), fc.option(footerLine)).map(([h, evs, f]) => [h, ...evs, ...(f ? [f] : [])].join('\n')),
);

// ---- the views ------------------------------------------------------------------------------

interface Loaded { store: TraceStore; raw: TraceEvent[]; cursors: number[] }

/** Read the text and load it into a store in a few batches, as a live view receives it. */
function load(text: string): Loaded {
  const r = readTraceText(text);
  const store = new TraceStore();
  const third = Math.ceil(r.lines.length / 3);
  for (let i = 0; i < r.lines.length; i += third) {
    store.append(r.lines.slice(i, i + third));
    kernelIndex(store); // indexed incrementally, as the live view does between batches
  }
  const raw = r.lines.filter((l): l is TraceEvent => l.type === 'event');
  const ts = store.events.map((e) => e.t);
  const cursors = [0, ts[Math.floor(ts.length / 2)] ?? 0, ts[ts.length - 1] ?? 0, store.endTime, Infinity];
  return { store, raw, cursors };
}

/** Every pure view-model function of shared/, with what the components pass them. */
function allViews({ store, raw, cursors }: Loaded): void {
  const header = store.header;
  const roles = header?.roles ?? [];
  const actors = [...new Set([...roles, ...store.events.map((e) => e.actor)])];
  const lanes = [...new Set([...roles, 'client', 'server'])];
  const params = header?.params ?? {};
  const setup = framingSetup(params);
  if (!('error' in setup)) describeFraming(setup);
  for (const events of [store.events, raw]) {
    for (const e of events) {
      describeEvent(e);
      isStep(e);
      if (e.kind === 'packet') { packetLabel(e); toneOf(e); describePacket(e); packetFlagsText(e); }
      if (e.kind === 'sample') { isOrphaned(e); timerLeftMs(e, e.t + 1); timerLeftMs(e, Infinity); endpoint(e.local); }
      if ('local' in e) formatAddress(e.local);
      if ('remote' in e) formatAddress(e.remote);
    }
    const q = new TraceQuery(events);
    const lo = lingerOutcome(q);
    sawReset(lo.peerEnd);
    expectedEnd(typeof params.linger === 'string' ? params.linger : 'default', 'destroy');
    closeWaitOutcome(q);
    timeWaitOutcome(q);
    for (const c of q.of('connect')) { stateSpans(q, c.local.port, c.remote.port); stateCount(q, c.local.port, 'CLOSE_WAIT'); }
    for (const a of actors) { q.bytes('write', a); q.bytes('data', a); q.output(a, ['stdout', 'stderr', 'stdin']); }
    bookmarksOf(events);
    timelineBins(events, lanes, store.endTime, 200);
    for (const upTo of [0, Math.floor(events.length / 2), events.length]) {
      udpView(events, upTo, header?.capabilities['kernel-udp']);
      const pv = proxyView(events, upTo);
      measuredBandwidth(events, pv);
      unixView(events, upTo);
      wsView(events, upTo);
      sweepRows(events, upTo);
      const fv = framingView(events, upTo);
      scoreFraming(fv, typeof params.maxFrameSize === 'number' ? params.maxFrameSize : 1024);
      const sides = streamSides(events, 'client', 'server', upTo);
      boundaryStats(sides.writes, sides.reads);
      for (const r of readsAgainst(sides.writes, sides.reads)) ruler(r.pieces, 1);
      piecesIn(layout(sides.writes), 0, 100);
      for (const a of actors) {
        for (const s of byteStreams(events, a, upTo)) {
          const framed = 'error' in setup ? null : frameStream(s, setup);
          byteRoles(framed, 0, Math.min(s.total, 2048));
          directionBytes(events, a, s.sock, upTo);
        }
      }
      const state = actorsAt(events, upTo, roles);
      for (const a of state.values()) primarySocket(a);
      actorsAtIndexed(events, upTo, roles, true);
      for (const ghosts of [false, true]) {
        for (const hidePackets of [false, true]) {
          ladderModel(events, upTo, lanes, 300, { ghosts, hidePackets });
          ladderViewIndexed(events, upTo, lanes, 40, { ghosts, hidePackets });
        }
      }
      ladderView(events, upTo, lanes);
    }
  }
  // The kernel view, from the store's arrival log (and from the unsorted lines, added one by one).
  const other = new KernelIndex();
  for (const e of raw) other.add(e);
  kernelAvailability(header?.capabilities);
  for (const ix of [kernelIndex(store), other]) {
    chartData(ix, (source, isKey) => (isKey ? ix.ownerOf(source)?.actor ?? source : source));
    for (const c of cursors) {
      const now = Number.isFinite(c) ? c : store.endTime;
      nextStepTime(store.events, c);
      prevStepTime(store.events, c);
      nextObservationTime(store.events, c);
      for (const k of kernelSocketsAt(ix, c)) { ix.unixPeerKey(k.key); timerLeftMs(k.sample, now); }
      for (const a of actors) {
        const p = primaryProgramSocket(ix, a, c);
        if (p) { const key = ix.keyOf(p); if (key) ix.sampleAt(key, c); ix.waitingSince(p.actor, p.sock, c); }
      }
      for (const conn of connectionsAt(ix, c)) {
        pipelineAt(ix, conn.a, conn.b, c, now);
        for (const p of directionsAt(ix, conn, c, now)) for (const g of [p.nodeQueue, p.sendQ, p.recvQ, p.nodeBuffer]) fillOf(g);
      }
    }
  }
  for (const a of actors) store.stdio(a);
  store.toLines();
}

/**
 * The panels and views a run shows, rendered to HTML. No DOM: effects never run, so what only
 * draws in one (the uPlot chart, the terminal panes' xterm, sizes from ResizeObserver) is not
 * exercised here; the chart's data (chartData) is, above. The ladder renders in its default row
 * layout (its time layout is a state a click selects).
 */
const PANELS: [string, ComponentType<ExperimentPanelProps>][] = [
  ['buffer-sizes', BufferSweep], ['write-deadline', DeadlinePanel], ['stream-boundaries', BoundaryPanel], ['framing', FramingPanel],
  ['addresses', AddressPanel], ['backlog', BacklogPanel], ['keepalive', KeepalivePanel], ['linger', LingerPanel], ['udp', UdpPanel],
  ['unix', UnixPanel], ['websocket', WebSocketPanel], ['proxy', ProxyPanel],
];

function renderAll({ store, cursors }: Loaded): void {
  const lanes = [...new Set([...(store.header?.roles ?? []), 'client', 'server'])];
  for (const cursor of [cursors[1]!, Infinity]) {
    const upTo = store.indexAt(cursor);
    for (const [, Panel] of PANELS) renderToString(createElement(Panel, { entry: null, store, cursor }));
    renderToString(createElement(ExperimentPanel, { entry: null, store, cursor }));
    renderToString(createElement(KernelView, { store, cursor })); // the pipelines and the socket table (the chart draws in an effect)
    for (const role of lanes) {
      renderToString(createElement(KernelBadge, { store, cursor, role }));
      renderToString(createElement(HexView, { store, cursor, role }));
    }
    renderToString(createElement(EventList, { events: store.events, upTo }));
    renderToString(createElement(Ladder, { events: store.events, upTo, lanes, cursor, capture: store.header?.capabilities.capture }));
    renderToString(createElement(Timeline, { store, lanes, at: Number.isFinite(cursor) ? cursor : store.endTime, end: store.endTime, bookmarks: bookmarksOf(store.events), onSeek: () => {} }));
  }
}

describe('textOf / numberOf / jsonOf', () => {
  it('show every primitive as String() does, objects as JSON, and never throw', () => {
    for (const v of ['', 'x', 0, -0, 4.5, NaN, Infinity, true, null, undefined, 10n]) expect(textOf(v)).toBe(String(v));
    expect([textOf({ a: [1, 'b'] }), textOf([1, 2])]).toEqual(['{"a":[1,"b"]}', '[1,2]']);
    for (const p of POISON) {
      const v: unknown = JSON.parse(p);
      expect(textOf(v)).toBe(JSON.stringify(v));
      expect(numberOf(v)).toBeUndefined();
    }
    expect([numberOf(3), numberOf('3'), numberOf(Infinity), numberOf(NaN), numberOf(null)]).toEqual([3, undefined, undefined, undefined, undefined]);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonOf(deep)).toBe('(unprintable)'); // too deep for the stack: a live line is not depth-checked
    expect([jsonOf(undefined), jsonOf(() => 1)]).toEqual(['undefined', 'function']);
  });
});

describe('views are total over every trace the reader accepts', () => {
  it('the generated traces mostly pass the reader (else this tests little)', () => {
    const sample = fc.sample(traceText, { numRuns: 200, seed: SEED });
    const events = sample.map((text) => load(text).raw.length);
    const custom = sample.map((text) => load(text).raw.filter((e) => e.kind === 'custom').length);
    expect(events.reduce((a, b) => a + b, 0)).toBeGreaterThan(200 * 20);
    expect(custom.reduce((a, b) => a + b, 0)).toBeGreaterThan(200 * 3);
  });

  it('property: no view-model function of shared/ throws', () => {
    fc.assert(fc.property(traceText, (text) => { allViews(load(text)); }), { numRuns: 300, seed: SEED });
  });

  it('property: no experiment panel, kernel view, event list, ladder or timeline throws when rendered', () => {
    fc.assert(fc.property(traceText, (text) => { renderAll(load(text)); }), { numRuns: 200, seed: SEED + 1 });
  });

  it('the runs as real ones write them reach the views\' deep paths (so poisoning them tests those)', () => {
    const view = (id: string) => load(exactRuns[scenarios(exactly).findIndex(([e]) => e === id)]!).store;
    const udp = udpView(view('udp').events);
    expect([udp.seed?.sent, udp.boundaries?.sends.length, udp.flood?.kernel !== undefined, udp.flood?.rcvbuf, udp.flood?.system, udp.errors?.refused?.code])
      .toEqual([1, 3, expect.any(Boolean), { requested: 4096, effective: 8192 }, { InDatagrams: 890, NoPorts: 0, RcvbufErrors: 100 }, 'ECONNREFUSED']);
    const unix = unixView(view('unix').events);
    expect([unix.file?.path, unix.abstract?.kernelName, unix.queues?.readerInode, unix.leftover]).toEqual(['/tmp/lab.sock', '@lab\u0000\u0000', 101, { crashedListen: true, eaddrinuse: true, refused: true, unlinked: true, relistened: true }]);
    const ws = wsView(view('websocket').events);
    expect([ws.handshake?.ok, ws.clientToServer.frames.length, ws.serverToClient.frames.length, ws.messages.length]).toEqual([true, 1, 1, 2]);
    const proxy = proxyView(view('proxy').events);
    expect([proxy.spans.map((x) => x.name), proxy.pauses.length, proxy.rtts, proxy.serverRate.length > 0]).toEqual([['bandwidth', 'latency'], 1, [{ t: expect.any(Number), seq: 1, ms: 2.5 }], true]);
    expect(sweepRows(view('buffer-sizes').events).map((r) => [r.size, r.inWriterNode, r.rcvbufKept])).toEqual([[4096, 100000 - 2000 - 3000 - 16384, 8192], ['auto', 4000000 - 1000 - 3000 - 16384, null]]);
    const framing = framingView(view('framing').events);
    expect([framing.sent.length, framing.conns[0]?.framed[0]?.verdict, framing.conns[0]?.naive[0]?.verdict, framing.conns[0]?.errors.length]).toEqual([2, 'right', 'merged', 1]);
    const linger = lingerOutcome(new TraceQuery(view('linger').events));
    expect([linger.closeCall, linger.kernelTookAtClose, linger.kernel?.statesAfterClose, linger.wire?.writerRst, linger.peerEnd?.kernelError]).toEqual(['destroy()', 1000, ['FIN_WAIT1 (orphan)'], expect.any(Number), 'ECONNRESET']);
    const tw = timeWaitOutcome(new TraceQuery(view('time-wait').events));
    expect([tw.serverStates, tw.rebinds.map((r) => r.result), tw.listenerReuse, tw.finTimeout]).toEqual([['CLOSE_WAIT', 'TIME_WAIT', 'GONE'], ['EADDRINUSE'], '1', '60']);
  });

  it('every payload value of every run poisoned, one at a time: no view and no panel throws', () => {
    let n = 0;
    // {"toString":1} throws in String(), Number(), `${}` and arithmetic alike (valueOf gives the object back, toString is no function).
    for (const poison of ['{"toString":1}']) {
      for (const run of exactRuns) {
        const events = load(run).raw.length;
        for (const text of poisonedOneByOne(run, poison)) {
          const loaded = load(text);
          expect(loaded.raw.length).toBe(events); // the reader took the poisoned line
          allViews(loaded);
          // The run's own panel and the event list (the views that print payloads); renderAll has the rest.
          renderToString(createElement(ExperimentPanel, { entry: null, store: loaded.store, cursor: Infinity }));
          renderToString(createElement(EventList, { events: loaded.store.events, upTo: loaded.store.events.length }));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(100);
  });

  it('the known poison: {"toString":1} and friends where a view reads a payload', () => {
    const h = readFileSync(new URL('../fixtures/echo-trace.jsonl', import.meta.url), 'utf8').split('\n')[0]!;
    for (const p of POISON) {
      const lines = [h, ...CUSTOMS.map(([who, name, keys], i) => lineOf({ type: 'event', t: i, actor: who, kind: 'custom', name }, { data: objText(keys.map((k) => [k, p])) })),
        lineOf({ type: 'event', t: 50, actor: 'sink', kind: 'sockopt', sock: 'u1', option: 'SO_RCVBUF' }, { requested: p, effective: p })];
      const loaded = load(lines.join('\n'));
      expect(loaded.raw.length).toBe(CUSTOMS.length + 1);
      allViews(loaded);
      renderAll(loaded);
    }
  });
});
