// How the CLI prints: results on standard output (tables or one JSON document), everything else on standard error.
/** Where the CLI writes: standard output for results, standard error for progress and warnings. */
export interface CliOutput {
  write(chunk: string | Uint8Array): unknown;
}

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts sequences that set the window title or
 * clear the screen, BEL, CR, backspace…), DEL, C1 controls and the bidirectional overrides that reorder what is
 * shown. Model paths, model names and failure reasons come from repositories anyone may push to.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The text with every terminal control shown as an escape (`\x1b`, `\u202e`), so human output shows what a value
 * holds and cannot drive the terminal. `keepLines` leaves line breaks and tabs as they are (messages of several
 * lines); a table cell escapes them too. JSON output is never escaped: it stays exact.
 */
export function printable(text: string, options: { keepLines?: boolean } = {}): string {
  return text.replace(TERMINAL_CONTROLS, (char) => {
    if (options.keepLines && (char === '\n' || char === '\t')) return char;
    const code = char.charCodeAt(0);
    if (char === '\n') return '\\n';
    if (char === '\t') return '\\t';
    if (char === '\r') return '\\r';
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** An output for people (standard error): everything written to it is made {@link printable}, lines kept. */
export function printableOutput(out: CliOutput): CliOutput {
  return {
    write: (chunk) => out.write(printable(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'), { keepLines: true })),
  };
}

/** Writes one JSON document (the `--json` contract for scripts). */
export function printJson(out: CliOutput, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Renders rows as an aligned text table with a header line; `-` stands for missing values. The last column is not
 * padded, so long reasons do not drag trailing spaces.
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined | null>>): string {
  const cells = rows.map((row) => row.map((cell) => (cell === undefined || cell === null || cell === '' ? '-' : printable(String(cell)))));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((header) => header.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}
