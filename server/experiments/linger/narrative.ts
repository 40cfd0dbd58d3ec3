export const narrative = `
**What the seed says** (seed 000, "연결 종료 시 보류중인 데이터 처리"). Without linger
(\`SetLinger(-1)\`) the operating system finishes sending in the background after \`Close\`.
\`SetLinger(0)\` makes \`Close\` send RST and the peer aborts. \`SetLinger(n)\` waits up to n seconds
and then discards all unacknowledged data.

**What to notice.** _(measured numbers are filled in below once verified)_
`.trim();
