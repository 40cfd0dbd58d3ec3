/**
 * The request target (`GET <target> HTTP/1.1`), parsed without ever throwing. Node hands any
 * bytes through as `req.url`; `new URL('//a:b', base)` and friends throw, and one such request
 * used to end the lab. Only origin-form targets ("/path?query") are the lab's: anything else
 * (`*`, absolute-form, empty) is refused by the caller with 400.
 */
export interface Target { pathname: string; searchParams: URLSearchParams }

/** The most of a target the lab reads; longer ones are refused (Node already caps headers at 16 KB). */
export const MAX_TARGET_CHARS = 8192;

export function parseTarget(raw: string | undefined): Target | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_TARGET_CHARS || raw[0] !== '/') return null;
  try {
    // Prefixing a fixed origin keeps "//host" and "/\\" as paths instead of authorities.
    const url = new URL(`http://lab.invalid${raw}`);
    if (url.host !== 'lab.invalid') return null;
    return { pathname: url.pathname, searchParams: url.searchParams };
  } catch {
    return null;
  }
}
