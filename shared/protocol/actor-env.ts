/**
 * Environment variables through which the lab hands an actor its context. Kept apart from
 * actor-ipc.ts (zod schemas) because every actor imports it: loading zod cost each actor about
 * 100 ms of its start, twice on a run's critical path (the client starts once the server listens).
 */
export const ACTOR_ENV = { params: 'LAB_PARAMS', role: 'LAB_ROLE' } as const;
