import type { RunPluginFactory } from './plugin.js';

/** Plugins every run gets (kernel observer, capture), in the order they start. */
export function defaultPlugins(): RunPluginFactory[] {
  return [];
}
