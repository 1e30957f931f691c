/** Decides which repository files are models: the repository's pattern minus its `.hubignore`. */
import ignore, { type Ignore } from 'ignore';
import { DEFAULT_MODEL_PATTERN } from '../domain/repository-config';

/**
 * Appended to the model pattern: re-includes every directory, so that a folder matching the pattern (e.g. a folder
 * `old.hck.json/`) does not select its contents. gitignore's "a parent directory excludes its children" is right for
 * `.hubignore` but wrong for a selection; the rule (a `*` with a trailing slash, negated) matches directories only, so files are judged by their own path.
 */
const DIRECTORIES_SELECT_NOTHING = '\n!*/';

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
 * matches `pattern` and it is not excluded by `hubignore`. Both use gitignore rules via the `ignore` package:
 * patterns without `/` match at any depth, `!` re-includes, `#` starts a comment. A folder matching `pattern`
 * selects nothing by itself (`old.hck.json/README.md` is not a model); in `hubignore`, as in git, `dir/` excludes
 * everything below `dir` and a file cannot be re-included when a parent directory is excluded.
 *
 * Paths are repository-relative with `/` separators (as Bitbucket returns them); spaces and non-ASCII characters
 * are fine. Matching is case-sensitive, like git on Linux and Bitbucket. A path that is not a valid relative path
 * (empty, absolute, containing `.` or `..` segments) is never a model; the predicate does not throw.
 */
export function createModelSelector(options: ModelSelectorOptions = {}): (path: string) => boolean {
  const patternText = options.pattern?.trim() ? options.pattern : DEFAULT_MODEL_PATTERN;
  // `ignore` answers "is this path matched by the rules", which is exactly "is it selected" for the pattern.
  const selected: Ignore = ignore({ ignoreCase: false }).add(patternText + DIRECTORIES_SELECT_NOTHING);
  const excluded: Ignore = ignore({ ignoreCase: false }).add(options.hubignore ?? '');
  return (path: string): boolean => {
    // Directories are not files; `ignore` would also throw on invalid paths, which must not stop a sync.
    if (path.endsWith('/') || !ignore.isPathValid(path) || path.split('/').some((segment) => segment === '.' || segment === '..'))
      return false;
    return selected.ignores(path) && !excluded.ignores(path);
  };
}
