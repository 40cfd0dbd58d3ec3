import os from 'node:os';

/** What the trace header records about the machine the run happened on. */
export function platformInfo(): { os: string; kernel: string; node: string; arch: string } {
  return { os: process.platform, kernel: os.release(), node: process.version, arch: process.arch };
}
