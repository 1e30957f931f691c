import { execFileSync } from 'node:child_process';
import { gitBlobId } from '../../../../shared/models/git-blob-id';

// The reference is git itself: `git hash-object --stdin` over the same bytes.
function gitHashObject(bytes: Buffer): string {
  return execFileSync('git', ['hash-object', '--stdin'], { input: bytes }).toString('utf8').trim();
}

describe('gitBlobId', () => {
  test.each([
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('{"modelName":"orders"}\n')],
    ['utf-8', Buffer.from('modèle — données ✓', 'utf8')],
    ['binary with NULs', Buffer.from([0, 0, 1, 255, 128, 0, 10, 13, 0])],
    ['64 KB', Buffer.alloc(65536, 0x61)],
  ])('equals git hash-object for %s bytes', (_name, bytes) => {
    expect(gitBlobId(bytes)).toBe(gitHashObject(bytes));
  });

  test('is git’s well-known id of the empty blob', () => {
    expect(gitBlobId(Buffer.alloc(0))).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });
});
