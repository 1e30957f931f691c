import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createModelSelector } from '../../../../shared/models/model-selection';

/** Which of `paths` git itself ignores under `.gitignore` text `rules` (`git check-ignore`, paths taken as files). */
function ignoredByGit(directory: string, rules: string, paths: readonly string[]): Set<string> {
  writeFileSync(join(directory, '.gitignore'), rules);
  const result = spawnSync('git', ['-c', 'core.ignoreCase=false', 'check-ignore', '--no-index', '--stdin'], {
    cwd: directory,
    input: paths.join('\n') + '\n',
    encoding: 'utf8',
  });
  // 0: some paths ignored, 1: none; anything else is git failing.
  if (result.status !== 0 && result.status !== 1) throw new Error(`git check-ignore failed: ${result.stderr}`);
  return new Set(result.stdout.split('\n').filter(Boolean));
}

// Rules and paths over a small alphabet, so rules often match: globs, classes, `**`, anchoring, negation, directories.
// Not `**` inside a segment (`a**`): gitignore(5) calls it a plain `*`, which the hub follows; git 2.39 does otherwise.
const piece = fc.constantFrom('a', 'b', 'ab', '*', 'a*', '*b', '?', '??', 'a?', '[ab]', '[!a]', '[a-b]x', '**', '***', '*.x', '\\*', 'a.x');
const rule = fc
  .tuple(fc.boolean(), fc.boolean(), fc.array(piece, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([negated, rooted, pieces, directory]) => `${negated ? '!' : ''}${rooted ? '/' : ''}${pieces.join('/')}${directory ? '/' : ''}`);
const path = fc
  .array(fc.constantFrom('a', 'b', 'ab', 'ba', 'a.x', 'bx', '*'), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('/'));

describe('.hubignore rules, against git check-ignore', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'hubignore-git-'));
    spawnSync('git', ['init', '-q'], { cwd: directory });
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('excludes exactly the paths git ignores', () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 5 }), fc.uniqueArray(path, { minLength: 1, maxLength: 30 }), (rules, paths) => {
        const text = rules.join('\n');
        const ignored = ignoredByGit(directory, text, paths);
        const isModel = createModelSelector({ pattern: '*', hubignore: text });
        expect(paths.filter((p) => !isModel(p))).toEqual(paths.filter((p) => ignored.has(p)));
      }),
      { numRuns: 150 },
    );
  });

  it('agrees with git on comments, escapes and trailing spaces', () => {
    const text = ['# comment', '\\#a', '\\!b', 'ab  ', 'ba\\ ', ' ', '!keep', '*.x\r'].join('\n');
    const paths = ['#a', '!b', 'ab', 'ba ', 'ba', 'x/a.x', 'keep', 'b'];
    const ignored = ignoredByGit(directory, text, paths);
    const isModel = createModelSelector({ pattern: '*', hubignore: text });
    expect(paths.filter((p) => !isModel(p))).toEqual(paths.filter((p) => ignored.has(p)));
  });
});
