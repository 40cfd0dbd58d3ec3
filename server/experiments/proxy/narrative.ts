export const narrative = `
**What the seed says.** (draft)
`.trim();
