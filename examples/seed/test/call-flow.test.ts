// Program 7, the call-flow walk-through, is a document: every relative link
// in it (and in this workspace's README) must resolve, and a link named
// after code must name something its file defines.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = new URL('../', import.meta.url);

/** `[text](target)` links whose target is a relative path, with their text. */
function relativeLinks(markdown: string): Array<{ text: string; target: string }> {
  return [...markdown.matchAll(/\[([^\]]+)\]\(([^)]+)\)/g)]
    .map(([, text, target]) => ({ text: text!, target: target! }))
    .filter(({ target }) => !/^[a-z]+:/.test(target) && !target.startsWith('#'));
}

describe.each(['call-flow.md', 'README.md'])('%s', (doc) => {
  const markdown = readFileSync(new URL(doc, here), 'utf8');
  const links = relativeLinks(markdown);

  it('links to files that exist', () => {
    expect(links.length).toBeGreaterThan(0);
    const missing = links.filter(({ target }) => !existsSync(fileURLToPath(new URL(target, here))));
    expect(missing).toEqual([]);
  });

  it('names, in a code link, only what the linked file defines', () => {
    const wrong = links.flatMap(({ text, target }) => {
      const code = /^`([\w.#]+)`$/.exec(text)?.[1];
      const file = new URL(target, here);
      if (!code || statSync(file).isDirectory()) return [];
      const source = readFileSync(file, 'utf8');
      return code
        .split('.')
        .filter((name) => !new RegExp(`\\b${name.replace('#', '')}\\b`).test(source))
        .map((name) => `${name} in ${target}`);
    });
    expect(wrong).toEqual([]);
  });
});
