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

type Segment = { readonly kind: 'globstar' } | { readonly kind: 'glob'; readonly tokens: readonly Token[] } | { readonly kind: 'never' };
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
 * Which prefixes of `path` (split in segments, each a list of code points) `rule` matches: `matched[j]` for the
 * prefix of `j` segments (1 ≤ j ≤ segments.length; the last is the path itself). A trailing `**` matches one or
 * more segments (`dir/**` is what is inside `dir`), any other `**` zero or more.
 */
export function matchedPrefixes(rule: GitignoreRule, path: readonly (readonly number[])[]): boolean[] {
  const n = path.length;
  let reachable = new Array<boolean>(n + 1).fill(false);
  reachable[0] = true;
  for (let i = 0; i < rule.segments.length; i++) {
    const segment = rule.segments[i]!;
    const next = new Array<boolean>(n + 1).fill(false);
    let any = false;
    if (segment.kind === 'globstar') {
      const first = reachable.indexOf(true) + (i === rule.segments.length - 1 ? 1 : 0);
      for (let j = first; j <= n; j++) next[j] = any = true;
    } else if (segment.kind === 'glob') {
      for (let j = 0; j < n; j++) if (reachable[j] && globMatches(segment.tokens, path[j]!)) next[j + 1] = any = true;
    }
    if (!any) return next;
    reachable = next;
  }
  reachable[0] = false;
  return reachable;
}

/** Splits a repository path into segments of code points (what `?` and `[...]` match one of). */
export function pathSegments(path: string): number[][] {
  return path.split('/').map((segment) => Array.from(segment, (character) => character.codePointAt(0)!));
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
  return { kind: 'glob', tokens };
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
