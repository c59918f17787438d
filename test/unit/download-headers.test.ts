/** Content-Disposition for downloads: every fallback is a valid, single-line header value. */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../../src/artifacts/download-headers.js';

describe('contentDisposition', () => {
  it.each([
    ['model.pkl', 'attachment; filename=model.pkl'],
    ['with space.txt', 'attachment; filename="with space.txt"'],
    ['q"uote.txt', 'attachment; filename="q\\"uote.txt"'],
    ['back\\slash.txt', 'attachment; filename="back\\\\slash.txt"'],
    ['a;b=c.txt', 'attachment; filename="a;b=c.txt"'],
    ['evil\r\nSet-Cookie: a=b.txt', `attachment; filename="evil__Set-Cookie: a=b.txt"; filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20a%3Db.txt`],
    ['nul\u0000.txt', `attachment; filename=nul_.txt; filename*=UTF-8''nul%00.txt`],
    ['tab\t"q".txt', `attachment; filename="tab_\\"q\\".txt"; filename*=UTF-8''tab%09%22q%22.txt`],
    ['naïve.txt', `attachment; filename=naive.txt; filename*=UTF-8''na%C3%AFve.txt`],
    ['日本語', `attachment; filename=download; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E`],
    ['\u{1F600}"\n.svg', `attachment; filename="\\"_.svg"; filename*=UTF-8''%F0%9F%98%80%22%0A.svg`],
    ['', 'attachment; filename=""'],
  ])('%j', (name, header) => {
    const value = contentDisposition(name);
    expect(value).toBe(header);
    // Node refuses a header value it could not send (control characters, non-Latin-1).
    expect(() => http.validateHeaderValue('Content-Disposition', value)).not.toThrow();
    expect(value).toMatch(/^[\x20-\x7e]+$/);
  });
});
