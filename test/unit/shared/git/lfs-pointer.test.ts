import { parseLfsPointer } from '../../../../shared/git/lfs-pointer';

const SHA = '4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393';
const pointer = (text: string) => Buffer.from(text, 'utf8');

describe('parseLfsPointer', () => {
  test('reads the oid and size of a spec pointer', () => {
    expect(parseLfsPointer(pointer(`version https://git-lfs.github.com/spec/v1\noid sha256:${SHA}\nsize 12345\n`))).toEqual({
      sha256: SHA,
      size: 12345,
    });
  });

  test('accepts extension keys and the pre-release version URL', () => {
    const text = `version https://hawser.github.com/spec/v1\next-0-foo sha256:${'1'.repeat(64)}\noid sha256:${SHA}\nsize 0\n`;
    expect(parseLfsPointer(pointer(text))).toEqual({ sha256: SHA, size: 0 });
  });

  test.each([
    ['an empty file', ''],
    ['a model', '{"modelName":"version https://git-lfs.github.com/spec/v1"}\n'],
    ['another version', `version https://example.com/spec/v9\noid sha256:${SHA}\nsize 1\n`],
    ['no size', `version https://git-lfs.github.com/spec/v1\noid sha256:${SHA}\n`],
    ['a short oid', 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n'],
    ['another hash', `version https://git-lfs.github.com/spec/v1\noid md5:${SHA}\nsize 1\n`],
    ['a negative size', `version https://git-lfs.github.com/spec/v1\noid sha256:${SHA}\nsize -1\n`],
    ['CRLF line ends', `version https://git-lfs.github.com/spec/v1\r\noid sha256:${SHA}\r\nsize 1\r\n`],
    ['no final newline', `version https://git-lfs.github.com/spec/v1\noid sha256:${SHA}\nsize 1`],
  ])('is undefined for %s', (_name, text) => {
    expect(parseLfsPointer(pointer(text))).toBeUndefined();
  });

  test('is undefined for content above the 1024-byte pointer limit, even if it starts like one', () => {
    const text = `version https://git-lfs.github.com/spec/v1\noid sha256:${SHA}\nsize 1\nx-pad ${'p'.repeat(1100)}\n`;
    expect(parseLfsPointer(pointer(text))).toBeUndefined();
  });

  test('reads a pointer inside a larger buffer view', () => {
    const whole = Buffer.from(`XXXXversion https://git-lfs.github.com/spec/v1\noid sha256:${SHA}\nsize 7\n`);
    expect(parseLfsPointer(whole.subarray(4))).toEqual({ sha256: SHA, size: 7 });
  });
});
