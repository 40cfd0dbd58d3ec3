/**
 * Parameter descriptions for the codec registry: enough for the UI to draw a form and for the
 * server to validate what a browser sent, without a schema library.
 */
import { DEFAULT_MAX_FRAME_SIZE, MAX_MAX_FRAME_SIZE } from './types.js';

interface ParamBase {
  readonly name: string;
  readonly label: string;
  readonly description: string;
}

export type ParamSpec =
  | (ParamBase & { readonly type: 'integer'; readonly default: number; readonly min: number; readonly max: number })
  | (ParamBase & { readonly type: 'enum'; readonly default: string; readonly options: readonly string[] })
  | (ParamBase & { readonly type: 'boolean'; readonly default: boolean })
  | (ParamBase & { readonly type: 'string'; readonly default: string; readonly minLength: number; readonly maxLength: number });

export type ParamValues = Record<string, number | string | boolean>;

export type ParamCheck =
  | { readonly ok: true; readonly params: ParamValues }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Checks raw (untrusted) values against the specs; fills defaults for missing ones. */
export function validateParams(specs: readonly ParamSpec[], raw: unknown): ParamCheck {
  const errors: string[] = [];
  const params: ParamValues = {};
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    return { ok: false, errors: ['params must be an object'] };
  }
  const input = (raw ?? {}) as Record<string, unknown>;
  const known = new Set(specs.map((s) => s.name));
  for (const key of Object.keys(input)) if (!known.has(key)) errors.push(`unknown parameter "${key}"`);
  for (const spec of specs) {
    const v = Object.prototype.hasOwnProperty.call(input, spec.name) ? input[spec.name] : undefined;
    if (v === undefined) {
      params[spec.name] = spec.default;
      continue;
    }
    switch (spec.type) {
      case 'integer':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min || v > spec.max) {
          errors.push(`${spec.name} must be an integer in [${spec.min}, ${spec.max}]`);
        } else params[spec.name] = v;
        break;
      case 'enum':
        if (typeof v !== 'string' || !spec.options.includes(v)) errors.push(`${spec.name} must be one of ${spec.options.join(', ')}`);
        else params[spec.name] = v;
        break;
      case 'boolean':
        if (typeof v !== 'boolean') errors.push(`${spec.name} must be true or false`);
        else params[spec.name] = v;
        break;
      case 'string':
        if (typeof v !== 'string' || v.length < spec.minLength || v.length > spec.maxLength) {
          errors.push(`${spec.name} must be a string of ${spec.minLength}-${spec.maxLength} characters`);
        } else params[spec.name] = v;
        break;
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params };
}

export const maxFrameSizeParam: ParamSpec = {
  name: 'maxFrameSize',
  label: 'Max frame size',
  description: 'Largest payload the decoder accepts, in bytes; longer frames are FRAME_TOO_LARGE (seed 003 uses 128).',
  type: 'integer',
  default: DEFAULT_MAX_FRAME_SIZE,
  min: 0,
  max: MAX_MAX_FRAME_SIZE,
};

export const onOversizeParam: ParamSpec = {
  name: 'onOversize',
  label: 'On oversized frame',
  description: 'error-and-stop: report FRAME_TOO_LARGE and decode nothing more (drop the connection); skip: report it and resume at the next frame.',
  type: 'enum',
  default: 'error-and-stop',
  options: ['error-and-stop', 'skip'],
};

export const onMalformedParam: ParamSpec = {
  name: 'onMalformed',
  label: 'On malformed frame',
  description: 'error-and-stop, or skip a malformed frame whose length is known and resume after it.',
  type: 'enum',
  default: 'error-and-stop',
  options: ['error-and-stop', 'skip'],
};
