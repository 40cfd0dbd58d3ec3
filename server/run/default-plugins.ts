import type { RunPluginFactory } from './plugin.js';
import { kernelPlugin } from './kernel-plugin.js';
import { capturePlugin } from './capture-plugin.js';

/** Plugins every run gets (kernel observer, capture), in the order they start. */
export function defaultPlugins(): RunPluginFactory[] {
  return [kernelPlugin(), capturePlugin()];
}
