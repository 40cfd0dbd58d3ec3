/**
 * The live lab, for panels that start runs of their own (the linger comparison launches one run
 * per setting). Absent on the replay page: such panels then show only the trace they are given.
 */
import { createContext } from 'react';
import type { Lab } from './useLab.js';

export interface LabContextValue {
  lab: Lab;
  /** The parameters currently in the form for the selected experiment. */
  params: Record<string, unknown>;
}

export const LabContext = createContext<LabContextValue | null>(null);
