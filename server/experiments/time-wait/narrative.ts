export const narrative = `
**What the seed says.** Seed 000 covers closing; the catalog adds "address in use" from seed 001.

**What to notice.** _(measured numbers follow once verified)_
`.trim();
