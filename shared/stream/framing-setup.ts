/**
 * How a run's parameters choose a framing codec and its settings. The framing experiment's
 * client (encoder) and server (decoder) and the browser's byte view all build their codec here,
 * from the same parameters (the trace header has them), so all three cut the stream the same way.
 *
 * Convention: an experiment whose parameters include `framing: <codec name>` gets its frames
 * coloured in the Bytes tab of every pane.
 */
import {
  getCodec, isCodecName, tlvBinary, validateCodecParams,
  type AnyCodecEntry, type CodecName, type ParamValues,
} from '../codecs/index.js';

/** The framings the framing experiment offers (the codec registry has more, e.g. websocket). */
export const FRAMINGS = ['delimiter', 'fixed-length', 'length-prefix', 'tlv'] as const;
export type FramingName = (typeof FRAMINGS)[number];

/** What the decoder does about a frame over maxFrameSize or a malformed one. */
export const ON_ERROR = ['drop', 'skip'] as const;
export type OnError = (typeof ON_ERROR)[number];

/** Node reads at most 64 KiB per read(2): the naive reader's "message" is at most that. */
export const NODE_READ_SIZE = 65536;

export interface FramingSetup {
  name: CodecName;
  codec: AnyCodecEntry;
  /** Validated codec parameters (defaults filled in). */
  params: ParamValues;
}

/**
 * The codec named by `p.framing`, with settings from `p` (frameSize, maxFrameSize, onError).
 * Returns an error string for parameters the codec refuses (e.g. a frame size over the maximum).
 */
export function framingSetup(p: Readonly<Record<string, unknown>>): FramingSetup | { error: string } {
  const name = typeof p.framing === 'string' ? p.framing : '';
  if (!isCodecName(name)) return { error: `unknown framing "${name}"` };
  const codec = getCodec(name)!;
  const policy = p.onError === 'skip' ? 'skip' : 'error-and-stop';
  const wanted: Record<string, unknown> = {};
  const known = new Set(codec.params.map((s) => s.name));
  const offer = (k: string, v: unknown) => { if (known.has(k) && v !== undefined) wanted[k] = v; };
  offer('maxFrameSize', p.maxFrameSize);
  offer('frameSize', p.frameSize);
  offer('onOversize', name === 'naive' ? undefined : policy);
  offer('onMalformed', policy);
  const checked = validateCodecParams(name, wanted);
  if (!checked.ok) return { error: checked.errors.join('; ') };
  return { name, codec, params: checked.params };
}

/** The naive reader: one read = one message (a read is at most Node's 64 KiB). */
export function naiveSetup(): FramingSetup {
  const checked = validateCodecParams('naive', { maxFrameSize: NODE_READ_SIZE });
  if (!checked.ok) throw new Error(checked.errors.join('; '));
  return { name: 'naive', codec: getCodec('naive')!, params: checked.params };
}

/** What the encoder of `name` takes for some text, or for raw bytes (TLV: the binary type). */
export function messageFor(setup: FramingSetup, input: string | Uint8Array): unknown {
  if (typeof input === 'string') return setup.codec.fromText(input);
  return setup.name === 'tlv' ? tlvBinary(input) : input;
}

/** One line saying how the frames look, for the panes. */
export function describeFraming(s: FramingSetup): string {
  const max = s.params.maxFrameSize;
  switch (s.name) {
    case 'delimiter': return `delimiter: each message ends with "\\n" (max ${max} B before the "\\n")`;
    case 'fixed-length': return `fixed length: every message is exactly ${s.params.frameSize} B, short ones padded with 0x00`;
    case 'length-prefix': return `length prefix: 4-byte big-endian length, then the payload (max ${max} B)`;
    case 'tlv': return `TLV: 1-byte type (1 text, 2 binary), 4-byte big-endian length, the value (max ${max} B)`;
    default: return `${s.codec.title}: ${s.codec.summary}`;
  }
}
