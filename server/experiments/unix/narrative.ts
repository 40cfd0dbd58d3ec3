export const narrative = `
**What the seed says.** Seed 002 lists Unix domain sockets beside TCP and UDP: sockets that work
only on the local machine.

**What to notice.** (draft)
`.trim();
