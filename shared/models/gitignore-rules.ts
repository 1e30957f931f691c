/**
 * gitignore-syntax rules with a matcher whose cost is bounded by construction: O(rule length × path length) per
 * rule and path, whatever the rule. The `ignore` package compiles rules to backtracking regular expressions, and a
 * 49-byte `.hubignore` rule (`**` and `*` repeated) took 18 s on one 40-deep path: a `.hubignore` is repository
 * content, anyone who can push writes it, and a sync must never hang on it.
 *
 * Matching is on path segments: a segment of a rule matches one segment of the path (a glob: `*`, `?`, `[...]`,
 * `\` escapes, O(its length × the segment's) with the usual backtrack-to-last-star), and `**` matches any number
 * of segments. One pass over the rule's segments keeps the set of path prefixes reachable so far (at most one per
 * path segment), so each pair (rule segment, path segment) is compared at most once.
 */

/** One rule: a line of a gitignore file that is neither blank nor a comment. */
export interface GitignoreRule {
  /** `!rule`: re-includes what earlier rules matched. */
  readonly negated: boolean;
  /** `rule/`: matches directories only. */
  readonly directoryOnly: boolean;
  readonly segments: readonly Segment[];
}

/** A glob; `source` (its text) identifies it, so equal globs of different rules share their results on a path. */
interface GlobSegment {
  readonly kind: 'glob';
  readonly source: string;
  readonly tokens: readonly Token[];
}
type Segment = { readonly kind: 'globstar' } | GlobSegment | { readonly kind: 'never' };
type Token =
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: readonly (readonly [number, number])[] };

const GLOBSTAR: Segment = { kind: 'globstar' };

/**
 * Parses gitignore text as git does: blank lines and `#` comments are skipped, trailing spaces dropped unless
 * escaped, `\` escapes the next character (`\#`, `\!`), `!` negates, a trailing `/` matches directories only, and a
 * rule with another `/` is anchored at the root (else it matches at any depth). A trailing CR is dropped too (a
 * file saved on Windows). A `[` without its `]` never matches, as in git.
 */
export function parseGitignore(text: string): GitignoreRule[] {
  const rules: GitignoreRule[] = [];
  for (const rawLine of text.split('\n')) {
    const line = trimTrailingSpaces(rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine);
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    let body = negated ? line.slice(1) : line;
    const directoryOnly = body.endsWith('/');
    if (directoryOnly) body = body.slice(0, -1);
    if (body === '') continue;
    const anchored = body.includes('/');
    if (body.startsWith('/')) body = body.slice(1);
    // A segment of only asterisks (two or more) is `**`, as in git's wildmatch.
    const parts = body.split('/').map((part): Segment => (/^\*\*+$/.test(part) ? GLOBSTAR : globSegment(part)));
    rules.push({ negated, directoryOnly, segments: anchored ? parts : [GLOBSTAR, ...parts] });
  }
  return rules;
}

/**
 * One path, split in segments of code points (what `?` and `[...]` match one of), matched against rules. A glob's
 * result on a segment is computed once per path and reused by every rule with the same glob, so a rule costs one
 * step per (rule segment, reachable path segment) beyond that.
 */
export class SegmentedPath {
  readonly segments: readonly (readonly number[])[];
  private readonly globResults = new Map<string, Int8Array>();

  constructor(path: string) {
    this.segments = path.split('/').map((segment) => Array.from(segment, (character) => character.codePointAt(0)!));
  }

  /**
   * Which prefixes of the path `rule` matches: `matched[j]` is 1 for the prefix of `j` segments (1 ≤ j ≤ length;
   * the last is the path itself). A trailing `**` matches one or more segments (`dir/**` is what is inside `dir`),
   * any other `**` zero or more.
   */
  matchedPrefixes(rule: GitignoreRule): Uint8Array {
    const n = this.segments.length;
    let reachable = new Uint8Array(n + 1);
    let next = new Uint8Array(n + 1);
    reachable[0] = 1;
    for (let i = 0; i < rule.segments.length; i++) {
      const segment = rule.segments[i]!;
      next.fill(0);
      let any = false;
      if (segment.kind === 'globstar') {
        const first = reachable.indexOf(1) + (i === rule.segments.length - 1 ? 1 : 0);
        if (first <= n) next.fill(1, first);
        any = first <= n;
      } else if (segment.kind === 'glob') {
        for (let j = 0; j < n; j++) if (reachable[j] && this.globMatches(segment, j)) next[j + 1] = 1;
        any = next.includes(1);
      }
      if (!any) return next;
      [reachable, next] = [next, reachable];
    }
    reachable[0] = 0;
    return reachable;
  }

  private globMatches(segment: GlobSegment, j: number): boolean {
    let results = this.globResults.get(segment.source);
    if (!results) this.globResults.set(segment.source, (results = new Int8Array(this.segments.length)));
    if (results[j] === 0) results[j] = globMatches(segment.tokens, this.segments[j]!) ? 1 : -1;
    return results[j] === 1;
  }
}

/** Whether a glob matches a whole segment: greedy, backtracking only to the last `*` (O(tokens × characters)). */
function globMatches(tokens: readonly Token[], text: readonly number[]): boolean {
  let t = 0;
  let s = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (s < text.length) {
    const token = tokens[t];
    if (token?.kind === 'star') {
      starAt = t++;
      resumeAt = s;
    } else if (token !== undefined && tokenMatches(token, text[s]!)) {
      t += 1;
      s += 1;
    } else if (starAt >= 0) {
      t = starAt + 1;
      s = ++resumeAt;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t += 1;
  return t === tokens.length;
}

function tokenMatches(token: Token, code: number): boolean {
  switch (token.kind) {
    case 'char':
      return token.code === code;
    case 'any':
      return true;
    case 'class':
      return token.ranges.some(([low, high]) => code >= low && code <= high) !== token.negated;
    case 'star':
      return false;
  }
}

function globSegment(part: string): Segment {
  const characters = Array.from(part, (character) => character.codePointAt(0)!);
  const tokens: Token[] = [];
  for (let i = 0; i < characters.length; i++) {
    const c = characters[i]!;
    if (c === 0x5c /* \ */) {
      tokens.push({ kind: 'char', code: characters[++i] ?? c });
    } else if (c === 0x2a /* * */) {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === 0x3f /* ? */) {
      tokens.push({ kind: 'any' });
    } else if (c === 0x5b /* [ */) {
      const parsed = characterClass(characters, i);
      if (!parsed) return { kind: 'never' };
      tokens.push(parsed.token);
      i = parsed.end;
    } else tokens.push({ kind: 'char', code: c });
  }
  return { kind: 'glob', source: part, tokens };
}

/** `[...]` at `start`: `!` or `^` negates, `a-z` is a range, `]` first is literal, `\` escapes; undefined when unclosed. */
function characterClass(characters: readonly number[], start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  const negated = characters[i] === 0x21 || characters[i] === 0x5e;
  if (negated) i += 1;
  const ranges: [number, number][] = [];
  for (let first = true; i < characters.length; first = false) {
    let c = characters[i]!;
    if (c === 0x5d /* ] */ && !first) return { token: { kind: 'class', negated, ranges }, end: i };
    if (c === 0x5c && i + 1 < characters.length) c = characters[++i]!;
    if (characters[i + 1] === 0x2d /* - */ && characters[i + 2] !== undefined && characters[i + 2] !== 0x5d) {
      let high = characters[i + 2]!;
      i += 2;
      if (high === 0x5c && i + 1 < characters.length) high = characters[++i]!;
      ranges.push([c, high]);
    } else ranges.push([c, c]);
    i += 1;
  }
  return undefined;
}

function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ') {
    // An escaped space (`\ `) stays, with every space before it.
    let backslashes = 0;
    for (let k = end - 2; k >= 0 && line[k] === '\\'; k--) backslashes += 1;
    if (backslashes % 2 === 1) break;
    end -= 1;
  }
  return line.slice(0, end);
}
