/**
 * Ends a jest run with one plain line, `Tests: N passed, N failed`, which CI reads to count the tests that ran
 * (jest's own summary says "N passed, N total"). Printed when the process exits, so it is the last line.
 * Before it, every skipped test is listed by file and full title: a skip must say why (its title carries the
 * reason, see test/support/shared-reference.ts), and a run shows what it did not check.
 */
class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const skipped = results.testResults.flatMap((file) =>
      file.testResults
        .filter((test) => test.status === 'pending' || test.status === 'skipped' || test.status === 'todo')
        .map((test) => `  ${file.testFilePath.slice(this.rootDir.length + 1)}: ${test.fullName}`),
    );
    const lines = skipped.length > 0 ? `Skipped: ${skipped.length} test(s)\n${skipped.join('\n')}\n` : '';
    const line = `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed\n`;
    process.once('exit', () => process.stderr.write(lines + line));
  }
}

module.exports = SummaryReporter;
