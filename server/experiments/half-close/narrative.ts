export const narrative = `
**What the seed says.** Seed 000 describes the server side of a TCP connection entering
CLOSE_WAIT once it has received (and acknowledged) the client's FIN. A FIN closes one direction
only: the other side may keep sending.

**What to notice.** _(measured numbers follow once verified)_
`.trim();
