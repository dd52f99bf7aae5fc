/**
 * Every relative link of README.md and docs/*.md leads somewhere: the file exists, and a
 * `#anchor` into a markdown file names one of its headings, slugged as GitHub slugs them.
 * Links to other sites are not followed. The README links every docs page.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The page's lines outside fenced code blocks, with inline code taken out: links in code are text. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').flatMap((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return [];
    }
    return fenced ? [] : [line.replace(/(`+)(?:(?!\1)[\s\S])*\1/g, (code) => code.replace(/[[\]()]/g, ' '))];
  });
}

/** The targets of a page's links and images, inline or as reference definitions. */
function linkTargets(text: string): string[] {
  const lines = prose(text).join('\n');
  const inline = [...lines.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const definitions = [...lines.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...definitions];
}

/** A heading's anchor as GitHub makes it: markup dropped, lower case, punctuation gone, each space a hyphen. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown page offers: one per heading (repeats numbered -1, -2…), and any HTML id or name. */
function anchors(text: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]!);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      found.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const m of line.matchAll(/<[a-z]+[^>]*\s(?:id|name)="([^"]+)"/gi)) found.add(m[1]!);
  }
  return found;
}

/** What is wrong with each relative link of the markdown file `file`, as `target: reason`. */
function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(readFileSync(file, 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;   // another site, or mailto:
    const hash = target.indexOf('#');
    const path = decodeURI(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const linked = path === '' ? file : resolve(dirname(file), path);
    if (!existsSync(linked)) {
      problems.push(`${target}: no such file`);
      continue;
    }
    if (anchor !== undefined && linked.endsWith('.md') && !anchors(readFileSync(linked, 'utf8')).has(anchor)) {
      problems.push(`${target}: no heading with that anchor`);
    }
  }
  return problems;
}

const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

for (const page of pages) {
  test(`every relative link in ${page} resolves`, () => {
    assert.deepEqual(brokenLinks(join(root, page)), []);
  });
}

test('the README links every docs page', () => {
  const linked = new Set(linkTargets(readFileSync(join(root, 'README.md'), 'utf8')).map((t) => t.split('#')[0]));
  const missing = pages.filter((p) => p.startsWith('docs/') && p !== 'docs/README.md' && !linked.has(p));
  assert.deepEqual(missing, []);
  assert.ok(linked.has('docs/README.md'), 'the README links the docs index');
});

test('slugs follow GitHub: punctuation dropped, spaces become hyphens, code and links become their text', () => {
  assert.equal(slug('store.runs: workflow run state'), 'storeruns-workflow-run-state');
  assert.equal(slug("Backpressure and the WAL's size"), 'backpressure-and-the-wals-size');
  assert.equal(slug('`flowstore ui` — a dashboard'), 'flowstore-ui--a-dashboard');
  assert.equal(slug('See [Options](options.md) and snake_case'), 'see-options-and-snake_case');
});

test('a missing file, a missing anchor and a link in code are told apart from good links', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'a.md'), '# A page\n\n## Twice\n\n## Twice\n');
  writeFileSync(join(dir, 'README.md'), [
    '# Top', '',
    '[good](docs/a.md) [anchor](docs/a.md#a-page) [again](docs/a.md#twice-1) [here](#top) [web](https://example.com/x#y)',
    '[gone](docs/b.md) [no anchor](docs/a.md#nowhere) [no local](#bottom)',
    '`[in code](docs/c.md)`', '', '```md', '[fenced](docs/d.md)', '```', '',
    '[ref]: docs/e.md', '',
  ].join('\n'));
  assert.deepEqual(brokenLinks(join(dir, 'README.md')), [
    'docs/b.md: no such file', 'docs/a.md#nowhere: no heading with that anchor', '#bottom: no heading with that anchor', 'docs/e.md: no such file',
  ]);
});
