/**
 * The experiment registry. Adding an experiment = adding its folder and one line here
 * (see docs/adding-an-experiment.md).
 */
import type { Experiment } from './experiment.js';
import echo from './echo/index.js';
import streamBoundaries from './stream-boundaries/index.js';
import linger from './linger/index.js';
import halfClose from './half-close/index.js';
import closeWait from './close-wait/index.js';
import timeWait from './time-wait/index.js';
import slowReader from './slow-reader/index.js';

export const experiments: readonly Experiment[] = [echo, streamBoundaries, linger, halfClose, closeWait, timeWait, slowReader];

export function findExperiment(id: string): Experiment | undefined {
  return experiments.find((e) => e.id === id);
}
