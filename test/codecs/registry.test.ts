import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  codecNames,
  codecs,
  DEFAULT_MAX_FRAME_SIZE,
  getCodec,
  parseHttpHead,
  validateCodecParams,
  type ParamSpec,
} from '../../shared/codecs/index.js';

const codecDir = fileURLToPath(new URL('../../shared/codecs/', import.meta.url));

describe('codec registry', () => {
  it('registers every codec by name', () => {
    expect(codecNames).toEqual(['delimiter', 'fixed-length', 'length-prefix', 'tlv', 'naive', 'websocket']);
    for (const name of codecNames) {
      expect(getCodec(name)!.name).toBe(name);
      expect(codecs[name].params.length).toBeGreaterThan(0);
    }
    expect(getCodec('nope')).toBeUndefined();
    expect(getCodec('toString')).toBeUndefined();
  });

  it('describes parameters with defaults that validate', () => {
    for (const name of codecNames) {
      const checked = validateCodecParams(name, {});
      expect(checked.ok).toBe(true);
      if (!checked.ok) continue;
      for (const spec of codecs[name].params as readonly ParamSpec[]) {
        expect(checked.params[spec.name]).toBe(spec.default);
        expect(spec.description.length).toBeGreaterThan(10);
      }
    }
    expect(validateCodecParams('delimiter', {}).ok && validateCodecParams('delimiter', {})).toMatchObject({
      params: { delimiter: '\n', maxFrameSize: DEFAULT_MAX_FRAME_SIZE, onOversize: 'error-and-stop', stripCR: false },
    });
  });

  it('rejects bad or unknown parameters, and cross-field violations', () => {
    expect(validateCodecParams('delimiter', { maxFrameSize: -1 })).toMatchObject({ ok: false });
    expect(validateCodecParams('delimiter', { maxFrameSize: '128' })).toMatchObject({ ok: false });
    expect(validateCodecParams('delimiter', { onOversize: 'explode' })).toMatchObject({ ok: false });
    expect(validateCodecParams('delimiter', { bogus: 1 })).toEqual({ ok: false, errors: ['unknown parameter "bogus"'] });
    expect(validateCodecParams('delimiter', { delimiter: '' })).toMatchObject({ ok: false });
    expect(validateCodecParams('delimiter', [])).toMatchObject({ ok: false });
    expect(validateCodecParams('fixed-length', { frameSize: 200, maxFrameSize: 128 })).toMatchObject({ ok: false });
    expect(validateCodecParams('nope', {})).toEqual({ ok: false, errors: ['unknown codec "nope"'] });
    expect(validateCodecParams('naive', { onOversize: 'split', maxFrameSize: 128 })).toMatchObject({ ok: true });
  });

  it('a typed line goes through every codec and comes back as the same text', () => {
    for (const name of codecNames) {
      const codec = getCodec(name)!;
      const params = name === 'fixed-length' ? { frameSize: 12, stripPadding: true } : name === 'websocket' ? { handshake: false } : {};
      const wire = codec.createEncoder(params).encode(codec.fromText('hello, lab'));
      const results = codec.createDecoder(params).push(wire);
      expect(results).toHaveLength(1);
      const r = results[0]!;
      if (r.kind !== 'message') throw new Error(`${name}: ${r.error.code}`);
      const view = codec.describe(r.message);
      expect(view.text).toBe('hello, lab');
      expect(view.label.length).toBeGreaterThan(0);
      expect(r.end).toBe(wire.length);
    }
  });

  it('parseHttpHead parses a head at the start of a buffer', () => {
    const head = new TextEncoder().encode('HTTP/1.1 101 Switching Protocols\r\nUpgrade:  websocket \r\n\r\n');
    const b = Uint8Array.from([...head, 0x81, 0x00]); // a frame follows the head
    const r = parseHttpHead(b);
    expect(r.status).toBe('complete');
    if (r.status !== 'complete') return;
    expect(r.head).toMatchObject({ type: 'response', status: 101, reason: 'Switching Protocols', headLength: b.length - 2 });
    expect(r.head.headers).toEqual([{ name: 'Upgrade', value: 'websocket' }]);
    expect(parseHttpHead(b.subarray(0, 20))).toEqual({ status: 'incomplete' });
    const big = parseHttpHead(new TextEncoder().encode('GET / HTTP/1.1\r\nX: ' + 'y'.repeat(100)), { maxHeadSize: 64 });
    expect(big.status === 'error' && big.error.code).toBe('HEAD_TOO_LARGE');
  });

  it('shared/codecs stays browser-safe: no node: imports, no Buffer', () => {
    const files = readdirSync(codecDir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const f of files) {
      // code only: comments may mention Buffer
      const src = readFileSync(codecDir + f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      expect(src, f).not.toMatch(/from ['"]node:|require\(|\bBuffer\b|\bprocess\./);
      for (const m of src.matchAll(/from '(\.[^']+)'/g)) expect(m[1], `${f}: ${m[1]}`).toMatch(/\.js$/);
    }
  });
});
