/**
 * The bench's command line: which sections run, whether the tracked docs/BENCHMARKS.md is rewritten, and the help
 * that says so. Kept apart from run.ts (and free of its imports' side effects) so the arguments are understood, and
 * `--help` answered, before anything starts.
 */
import { ENVIRONMENT } from './settings';

/** The sections, in the order they run and appear; each name is also its command-line argument. */
export const SECTIONS = {
  verifier: 'Verifier',
  bundles: 'Bundles',
  incremental: 'Incremental sync',
  'large-repository': '1 push into 2,000 models',
  storage: 'Storage',
  git: 'Bulk sync over git',
  threshold: 'REST vs git by changed models',
  verification: 'Verification',
  'bounded-memory': 'Bounded memory',
  search: 'Search',
  download: 'Model download',
} as const;
export type SectionName = keyof typeof SECTIONS;

/** The tracked document, rewritten only with {@link WRITE_DOCS}. */
export const TRACKED_DOCUMENT = 'docs/BENCHMARKS.md';
/** Where every run writes the document it regenerated (gitignored). */
export const UNTRACKED_DOCUMENT = '.bench/BENCHMARKS.md';
const WRITE_DOCS = '--write-docs';
const HELP = ['--help', '-h'];

/** What the command line asks for. */
export type BenchArguments =
  { readonly help: true } | { readonly help: false; readonly sections: ReadonlySet<SectionName>; readonly writeDocs: boolean };

/** The command line understood, or an error naming what is wrong and what is valid (nothing has started then). */
export function parseArguments(args: readonly string[]): BenchArguments {
  if (args.some((arg) => HELP.includes(arg))) return { help: true };
  const names = Object.keys(SECTIONS) as SectionName[];
  const sectionArgs = args.filter((arg) => arg !== WRITE_DOCS);
  const unknown = sectionArgs.filter((arg) => !names.includes(arg as SectionName));
  if (unknown.length > 0)
    throw new Error(
      `unknown bench argument(s) ${unknown.join(', ')}; choose sections from: ${names.join(', ')}, and options from: ${WRITE_DOCS}, --help`,
    );
  return {
    help: false,
    sections: new Set(sectionArgs.length > 0 ? (sectionArgs as SectionName[]) : names),
    writeDocs: args.includes(WRITE_DOCS),
  };
}

/** Where a run writes the regenerated document: always the untracked copy, the tracked one only when asked. */
export function documentPaths(writeDocs: boolean): readonly string[] {
  return writeDocs ? [UNTRACKED_DOCUMENT, TRACKED_DOCUMENT] : [UNTRACKED_DOCUMENT];
}

/** The text `npm run bench -- --help` prints. */
export function helpText(): string {
  const width = Math.max(...Object.keys(SECTIONS).map((name) => name.length));
  const environmentWidth = Math.max(...ENVIRONMENT.map((variable) => variable.name.length));
  return [
    'Usage: npm run bench -- [section ...] [--write-docs] [--help]',
    '',
    'Measures the hub against the Bitbucket Cloud simulator, dynalite and local-aws-sqs. Without sections, all run.',
    '',
    'Sections (name: title in the table):',
    ...Object.entries(SECTIONS).map(([name, title]) => `  ${name.padEnd(width)}  ${title}`),
    '',
    'Options:',
    `  ${WRITE_DOCS}  also rewrite ${TRACKED_DOCUMENT} (a partial run replaces only its sections' rows there)`,
    `  --help, -h    print this and exit`,
    '',
    'Environment:',
    ...ENVIRONMENT.map((variable) => `  ${variable.name.padEnd(environmentWidth)}  ${variable.meaning}`),
    '',
    'Output:',
    '  stdout: the table of the rows measured; stderr: progress, and every missed target.',
    `  ${UNTRACKED_DOCUMENT} (untracked): the regenerated document, every run; a partial run takes the other rows`,
    `    from ${TRACKED_DOCUMENT}.`,
    `  ${TRACKED_DOCUMENT}: only with ${WRITE_DOCS}. Its notes come from bench/notes.md.`,
    '',
  ].join('\n');
}
