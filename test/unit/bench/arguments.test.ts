import { documentPaths, helpText, parseArguments, SECTIONS, TRACKED_DOCUMENT, UNTRACKED_DOCUMENT } from '../../../bench/arguments';
import { ENVIRONMENT } from '../../../bench/settings';

describe('the bench command line', () => {
  it('runs every section when none is named, and only the named ones otherwise', () => {
    // Act
    const all = parseArguments([]);
    const some = parseArguments(['bounded-memory', 'bundles']);

    // Assert
    expect(all).toEqual({ help: false, sections: new Set(Object.keys(SECTIONS)), writeDocs: false });
    expect(some).toEqual({ help: false, sections: new Set(['bounded-memory', 'bundles']), writeDocs: false });
  });

  it('rewrites the tracked docs/BENCHMARKS.md only with --write-docs, and always writes the untracked copy', () => {
    // Act
    const asked = parseArguments(['bounded-memory', '--write-docs']);
    const notAsked = parseArguments(['bounded-memory']);

    // Assert
    expect(asked).toEqual({ help: false, sections: new Set(['bounded-memory']), writeDocs: true });
    expect(documentPaths(true)).toEqual([UNTRACKED_DOCUMENT, TRACKED_DOCUMENT]);
    expect(notAsked).toMatchObject({ writeDocs: false });
    expect(documentPaths(false)).toEqual(['.bench/BENCHMARKS.md']);
  });

  it('refuses an unknown section or option, naming the valid ones', () => {
    // Act and assert
    expect(() => parseArguments(['verifier', 'bounded'])).toThrow(
      /unknown bench argument\(s\) bounded; choose sections from: verifier, bundles/,
    );
    expect(() => parseArguments(['--write-doc'])).toThrow(/--write-doc; .*options from: --write-docs, --help/);
  });

  it('answers --help (or -h) before anything else, whatever else is named', () => {
    // Act and assert
    expect(parseArguments(['--help'])).toEqual({ help: true });
    expect(parseArguments(['verifier', '-h', 'no-such-section'])).toEqual({ help: true });
  });

  it('lists every section with its title, every environment variable, the option and where the outputs go', () => {
    // Act
    const help = helpText();

    // Assert
    for (const [name, title] of Object.entries(SECTIONS)) expect(help).toMatch(new RegExp(`^  ${name} +${title}$`, 'm'));
    for (const name of ['BENCH_RTT_MS', 'BENCH_AWS_RTT_MS', 'BENCH_RUNS', 'BENCH_VERIFY_MODELS', 'FETCH_CONCURRENCY'])
      expect(help).toContain(name);
    for (const variable of ENVIRONMENT) expect(help).toContain(variable.name);
    expect(help).toContain('--write-docs');
    expect(help).toContain('.bench/BENCHMARKS.md (untracked)');
    expect(help).toContain('docs/BENCHMARKS.md: only with --write-docs');
  });
});
