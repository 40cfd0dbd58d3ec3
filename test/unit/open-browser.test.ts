import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { redirectPage, writeRedirectFile } from '../../server/http/open-browser.js';
import { removeTempDir } from '../../server/run/temp-dirs.js';

describe('--open', () => {
  it('writes the tokened URL into a private redirect file, so no command line carries it', () => {
    const url = 'http://127.0.0.1:7878/?token=abc123"<x>&y';
    const file = writeRedirectFile(url);
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(path.basename(file)).toBe('open.html');
      expect(file).not.toContain('abc123');
      const html = readFileSync(file, 'utf8');
      expect(html).toBe(redirectPage(url));
      // Both ways to follow it are escaped: the attribute and the script.
      expect(html).toContain('content="0;url=http://127.0.0.1:7878/?token=abc123&quot;&lt;x>&amp;y"');
      expect(html).toContain('location.replace("http://127.0.0.1:7878/?token=abc123\\"\\u003cx>&y")');
    } finally {
      removeTempDir(path.dirname(file));
    }
  });
});
