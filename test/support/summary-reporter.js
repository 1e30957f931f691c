/**
 * Ends a jest run with one plain line, `Tests: N passed, N failed`, which CI reads to count the tests that ran
 * (jest's own summary says "N passed, N total"). Printed when the process exits, so it is the last line.
 * Before it, the skipped tests, by file: a skip must say why (its title carries the reason, see
 * test/support/shared-reference.ts), and a run shows what it did not check.
 */
class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const lines = results.testResults.flatMap((file) => skippedLines(file.testFilePath.slice(this.rootDir.length + 1), file.testResults));
    const skipped = lines.length > 0 ? `Skipped:\n${lines.join('\n')}\n` : '';
    const line = `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed\n`;
    process.once('exit', () => process.stderr.write(skipped + line));
  }
}

/** One line per stated reason in a file (`(skipped: <reason>)` in a title), one per test without one. */
function skippedLines(file, tests) {
  const byReason = new Map();
  const unexplained = [];
  for (const test of tests.filter((t) => t.status === 'pending' || t.status === 'skipped' || t.status === 'todo')) {
    const reason = /\(skipped: (.*?)\)(?: |$)/i.exec(test.fullName)?.[1];
    if (reason) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    else unexplained.push(`  ${file}: ${test.fullName} (no reason given)`);
  }
  return [...[...byReason].map(([reason, count]) => `  ${file}: ${count} test(s), ${reason}`), ...unexplained];
}

module.exports = SummaryReporter;
