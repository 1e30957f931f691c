/** Decides which repository files are models: the repository's pattern minus its `.hubignore`. */
import { ModelHubError } from '../util/model-hub-error';
import { parseGitignore, SegmentedPath, type GitignoreRule } from './gitignore-rules';

/** Model files of a repository unless its admin set another pattern: Hackolade models at any depth (gitignore semantics). */
export const DEFAULT_MODEL_PATTERN = '*.hck.json';

/** Name of the optional file at the repository root that excludes paths from replication (gitignore syntax). */
export const HUBIGNORE_FILE = '.hubignore';

/**
 * Largest `.hubignore` the hub applies, in bytes. Matching costs at most (rule length × path length) per rule
 * and path (`gitignore-rules.ts`), so this bounds the cost of every path (measured in docs/BENCHMARKS.md,
 * "Bounded memory"); it also keeps the text small enough for the sync state, which stores it.
 */
export const MAX_HUBIGNORE_BYTES = 8 * 1024;
/** Most rules (lines that are neither blank nor comments) a `.hubignore` may have. */
export const MAX_HUBIGNORE_RULES = 200;

/**
 * The repository's `.hubignore` is over the limits: the sync stops before writing anything (the stored models stay
 * as they are) and says why; the next push with a smaller file syncs.
 */
export class HubignoreRejectedError extends ModelHubError {}

/** Options of {@link createModelSelector}. */
export interface ModelSelectorOptions {
  /**
   * Which files are models, in gitignore syntax; several lines allowed (including `!` negations and comments).
   * Blank or absent → `DEFAULT_MODEL_PATTERN`.
   */
  readonly pattern?: string;
  /** Text of the repository's `.hubignore` (gitignore syntax); absent or empty → nothing is excluded. */
  readonly hubignore?: string;
}

/**
 * Builds the predicate that decides which repository files are replicated: a path is a model when its own path
 * matches `pattern` and it is not excluded by `hubignore`. Both use gitignore rules (`gitignore-rules.ts`):
 * patterns without `/` match at any depth, `!` re-includes, `#` starts a comment, the last matching rule wins. A
 * folder matching `pattern` selects nothing by itself (`old.hck.json/README.md` is not a model; a directory rule
 * `dir/` in the pattern selects nothing); in `hubignore`, as in git, `dir/` excludes everything below `dir` and a
 * file cannot be re-included when a parent directory is excluded.
 *
 * Paths are repository-relative with `/` separators (as Bitbucket returns them); spaces and non-ASCII characters
 * are fine (`?` matches one character). Matching is case-sensitive, like git on Linux and Bitbucket. A path that
 * is not a valid relative path (empty, absolute, with empty, `.` or `..` segments) is never a model; the predicate
 * does not throw. Throws {@link HubignoreRejectedError} when `hubignore` is over {@link MAX_HUBIGNORE_BYTES} or
 * {@link MAX_HUBIGNORE_RULES}.
 */
export function createModelSelector(options: ModelSelectorOptions = {}): (path: string) => boolean {
  const patternText = options.pattern?.trim() ? options.pattern : DEFAULT_MODEL_PATTERN;
  const selecting = parseGitignore(patternText).filter((rule) => !rule.directoryOnly);
  const excluding = hubignoreRules(options.hubignore ?? '');
  return (path: string): boolean => {
    const segmented = new SegmentedPath(path);
    if (segmented.segments.some((segment) => segment.length === 0 || isDots(segment))) return false;
    return lastMatch(selecting, segmented) && !excludedByHubignore(excluding, segmented);
  };
}

/** The rules of a `.hubignore`, or {@link HubignoreRejectedError} when it is over the limits. */
function hubignoreRules(text: string): GitignoreRule[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  const fix = `shorten it (exclude whole folders with \`folder/\`, or files by a glob such as \`*.draft.hck.json\`) and push; until then the repository is not synced and its stored models stay as they are`;
  if (bytes > MAX_HUBIGNORE_BYTES)
    throw new HubignoreRejectedError(`${HUBIGNORE_FILE} is ${bytes} bytes, over the hub's limit of ${MAX_HUBIGNORE_BYTES}: ${fix}`);
  const rules = parseGitignore(text);
  if (rules.length > MAX_HUBIGNORE_RULES)
    throw new HubignoreRejectedError(`${HUBIGNORE_FILE} has ${rules.length} rules, over the hub's limit of ${MAX_HUBIGNORE_RULES}: ${fix}`);
  return rules;
}

/** Whether the last of `rules` matching the path itself (not its folders) selects it. */
function lastMatch(rules: readonly GitignoreRule[], path: SegmentedPath): boolean {
  for (let r = rules.length - 1; r >= 0; r--) if (path.matchedPrefixes(rules[r]!)[path.segments.length]) return !rules[r]!.negated;
  return false;
}

/** git's rule: the path, or one of its folders, is excluded by the last rule matching it. */
function excludedByHubignore(rules: readonly GitignoreRule[], path: SegmentedPath): boolean {
  if (rules.length === 0) return false;
  const n = path.segments.length;
  const excluded = new Array<boolean>(n + 1).fill(false);
  for (const rule of rules) {
    const matched = path.matchedPrefixes(rule);
    // Prefixes shorter than the path are its folders; the path itself is a file.
    for (let j = 1; j <= (rule.directoryOnly ? n - 1 : n); j++) if (matched[j]) excluded[j] = !rule.negated;
  }
  return excluded.includes(true);
}

function isDots(segment: readonly number[]): boolean {
  return segment.every((code) => code === 0x2e) && segment.length <= 2;
}
