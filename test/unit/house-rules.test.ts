// Holds the house rules that keep the code easy to enter: small modules, thin handlers, and a first line on why
// each module exists. A failure lists every offending file, so one run shows all there is to fix.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
/** The deployed code and the CLI: no source file here grows past MAX_SOURCE_LINES. */
const SIZE_LIMITED = ['shared', 'functions', 'infra', 'cli', 'client'];
const MAX_SOURCE_LINES = 400;
/** Every TypeScript file under these folders opens with a comment saying why it exists. */
const COMMENTED = [...SIZE_LIMITED, 'local', 'bench', 'bin'];
/** A handler parses, calls the domain and maps the result; anything longer belongs in shared/. */
const MAX_HANDLER_LINES = 60;

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : typeScriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function filesUnder(folders: readonly string[]): string[] {
  return folders.flatMap((folder) => typeScriptFiles(join(ROOT, folder)));
}

/** Lines as an editor counts them (`wc -l` for a file ending in a newline). */
function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** Whether the text opens with a `//` or `/*` comment; an executable's `#!` line may come first. */
function opensWithComment(text: string): boolean {
  const withoutShebang = text.startsWith('#!') ? text.slice(text.indexOf('\n') + 1) : text;
  return /^\s*(\/\/|\/\*)/.test(withoutShebang);
}

function overLimit(files: readonly string[], limit: number): string[] {
  return files.flatMap((file) => {
    const lines = lineCount(readFileSync(file, 'utf8'));
    return lines > limit ? [`${relative(ROOT, file)}: ${lines} lines (limit ${limit})`] : [];
  });
}

describe('house rules', () => {
  it('recognises an opening comment, and only that', () => {
    expect(opensWithComment('// why\nimport x;')).toBe(true);
    expect(opensWithComment('/** why */\nimport x;')).toBe(true);
    expect(opensWithComment('#!/usr/bin/env -S npx tsx\n/**\n * why\n */\n')).toBe(true);
    expect(opensWithComment("import x from 'x';\n// too late\n")).toBe(false);
    expect(opensWithComment('#!/usr/bin/env node\nimport x;\n')).toBe(false);
    expect(opensWithComment('')).toBe(false);
  });

  it('counts lines as wc -l does', () => {
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
    expect(lineCount('')).toBe(0);
  });

  it(`keeps every source file under ${SIZE_LIMITED.join('/, ')}/ at ${MAX_SOURCE_LINES} lines or fewer`, () => {
    const files = filesUnder(SIZE_LIMITED);

    expect(files.length).toBeGreaterThan(0);
    expect(overLimit(files, MAX_SOURCE_LINES)).toEqual([]);
  });

  it(`opens every TypeScript file under ${COMMENTED.join('/, ')}/ with a comment saying why it exists`, () => {
    const files = filesUnder(COMMENTED);
    const uncommented = files.filter((file) => !opensWithComment(readFileSync(file, 'utf8'))).map((file) => relative(ROOT, file));

    expect(files.length).toBeGreaterThan(0);
    expect(uncommented).toEqual([]);
  });

  it(`keeps every functions/<name>/handler.ts at ${MAX_HANDLER_LINES} lines or fewer`, () => {
    const handlers = readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(ROOT, 'functions', entry.name, 'handler.ts'))
      .filter((file) => existsSync(file));

    expect(handlers.length).toBeGreaterThan(0);
    expect(overLimit(handlers, MAX_HANDLER_LINES)).toEqual([]);
  });
});
