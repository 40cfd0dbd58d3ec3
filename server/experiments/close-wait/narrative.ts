export const narrative = `
**What the seed says** (seed 000, "소켓이 CLOSE_WAIT 상태에서 멈춘 경우"). The server side enters
CLOSE_WAIT once it has acknowledged the client's FIN; a socket that stays there means the program
never called Close. If the server then sends data, the client considers the connection gone and
answers with RST.

**What to notice.** _(measured numbers follow once verified)_
`.trim();
