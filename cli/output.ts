// How the CLI prints: results on standard output (tables or one JSON document), everything else on standard error.
/** Where the CLI writes: standard output for results, standard error for progress and warnings. */
export interface CliOutput {
  write(chunk: string | Uint8Array): unknown;
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
  const cells = rows.map((row) => row.map((cell) => (cell === undefined || cell === null || cell === '' ? '-' : String(cell))));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((header) => header.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

/** The first 7 characters of a commit hash, as Bitbucket shows them. */
export function shortCommit(hash: string | undefined | null): string | undefined {
  return hash ? hash.slice(0, 7) : undefined;
}
