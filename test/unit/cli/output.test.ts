import { formatTable, printable, printableOutput } from '../../../cli/output';

describe('printable', () => {
  it('shows every terminal control as an escape and leaves other text alone', () => {
    expect(printable('a\u001b[2Jb\u0007c\u009bd\u202ee\u0000')).toBe('a\\x1b[2Jb\\x07c\\x9bd\\u202ee\\x00');
    expect(printable('données — 模型.hck.json \\ ok')).toBe('données — 模型.hck.json \\ ok');
  });

  it('escapes line breaks in a table cell, keeps them in a message of several lines', () => {
    expect(printable('a\r\nb\tc')).toBe('a\\r\\nb\\tc');
    expect(printable('error: x\u001b\nnext: y\tz', { keepLines: true })).toBe('error: x\\x1b\nnext: y\tz');
  });

  it('escapes every cell of a table, so a forged line break cannot add a row', () => {
    expect(formatTable(['path', 'status'], [['a\nFAKE  valid', 'ok']])).toBe('PATH            STATUS\na\\nFAKE  valid  ok\n');
  });

  it('wraps an output for people', () => {
    const written: string[] = [];
    printableOutput({ write: (chunk) => written.push(String(chunk)) }).write('x\u001b]0;t\u0007\n');
    expect(written).toEqual(['x\\x1b]0;t\\x07\n']);
  });
});
