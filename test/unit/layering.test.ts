/** The layering rules are real: ESLint refuses an import across layers (the rules in eslint.config.js). */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/run/paths.js';

const eslint = new ESLint({ cwd: projectRoot });
async function problems(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: `${projectRoot}/${file}` });
  return (r?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering', () => {
  it('web/ never imports server/', async () => {
    expect(await problems('web/components/Probe.tsx', "import { Run } from '../../server/run/run.js';\nexport const x = Run;\n")).toEqual([expect.stringMatching(/web\/ runs in the browser/)]);
    expect(await problems('web/components/Probe.tsx', "import { TraceStore } from '../../shared/trace/store.js';\nexport const x = TraceStore;\n")).toEqual([]);
  });
  it('shared/ imports neither server/, web/ nor Node modules', async () => {
    for (const from of ['../../server/run/run.js', '../../web/lib/cursor.js', 'node:fs']) {
      expect(await problems('shared/trace/probe.ts', `import * as m from '${from}';\nexport const x = m;\n`)).toEqual([expect.stringMatching(/shared\/ is imported by the server and the browser/)]);
    }
    expect(await problems('shared/trace/probe.ts', "import { z } from 'zod';\nexport const x = z;\n")).toEqual([]);
  });
});
