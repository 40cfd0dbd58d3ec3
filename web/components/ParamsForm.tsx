/**
 * A form generated from the experiment's parameter schema (JSON Schema made from its zod schema):
 * defaults, ranges and help text come from the experiment, nothing is written per experiment.
 */
interface FieldSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: FieldSchema[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  description?: string;
  maxLength?: number;
}

export type ParamValues = Record<string, unknown>;

export function defaultsOf(schema: Record<string, unknown>): ParamValues {
  const props = (schema.properties ?? {}) as Record<string, FieldSchema>;
  return Object.fromEntries(Object.entries(props).map(([k, f]) => [k, f.default]));
}

export function ParamsForm({ schema, values, onChange, disabled }: { schema: Record<string, unknown>; values: ParamValues; onChange: (v: ParamValues) => void; disabled: boolean }) {
  const props = (schema.properties ?? {}) as Record<string, FieldSchema>;
  const set = (k: string, v: unknown) => onChange({ ...values, [k]: v });
  return (
    <div className="params">
      {Object.entries(props).map(([key, f]) => {
        const id = `param-${key}`;
        const value = values[key];
        const choices = f.enum ?? (f.anyOf?.every((a) => a.const !== undefined || a.enum) ? f.anyOf.flatMap((a) => a.enum ?? [a.const]) : undefined);
        const numeric = f.type === 'number' || f.type === 'integer';
        const mixed = f.anyOf && !choices; // e.g. a number or 'auto'
        let input;
        if (f.type === 'boolean') {
          input = <input id={id} type="checkbox" checked={Boolean(value)} disabled={disabled} onChange={(e) => set(key, e.target.checked)} />;
        } else if (choices) {
          input = (
            <select id={id} value={String(value)} disabled={disabled} onChange={(e) => set(key, choices.find((c) => String(c) === e.target.value))}>
              {choices.map((c) => <option key={String(c)} value={String(c)}>{String(c)}</option>)}
            </select>
          );
        } else if (numeric) {
          input = (
            <input id={id} type="number" value={value === undefined ? '' : String(value)} min={f.minimum} max={f.maximum} step={f.type === 'integer' ? 1 : 'any'} disabled={disabled}
              onChange={(e) => set(key, e.target.value === '' ? undefined : Number(e.target.value))} />
          );
        } else {
          input = (
            <input id={id} type="text" value={value === undefined ? '' : String(value)} maxLength={f.maxLength} disabled={disabled}
              onChange={(e) => set(key, mixed && e.target.value.trim() !== '' && !Number.isNaN(Number(e.target.value)) ? Number(e.target.value) : e.target.value)} />
          );
        }
        const range = f.minimum !== undefined || f.maximum !== undefined ? ` (${f.minimum ?? ''}–${f.maximum ?? ''})` : '';
        return (
          <label key={key} htmlFor={id} className="param">
            <span className="param-name">{key}</span>
            {input}
            <span className="param-help">{f.description}{range}</span>
          </label>
        );
      })}
    </div>
  );
}
