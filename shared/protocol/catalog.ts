import { z } from 'zod';

/** One experiment as the browser sees it: data only, so the UI never imports server code. */
export const CatalogEntry = z.object({
  id: z.string(),
  title: z.string(),
  group: z.string(),
  summary: z.string(),
  seeds: z.array(z.string()),
  /** JSON Schema (draft 2020-12) of the parameters, generated from the experiment's zod schema. */
  paramsSchema: z.record(z.string(), z.unknown()),
  roles: z.array(z.object({ name: z.string(), summary: z.string(), source: z.string() })),
  narrative: z.string(),
  observations: z.array(z.object({ id: z.string(), label: z.string() })),
  controls: z.array(z.object({ id: z.string(), label: z.string(), role: z.string(), command: z.string(), args: z.record(z.string(), z.number()).optional() })),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;
