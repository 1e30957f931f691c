import { MemoryFs } from '../../../../shared/git/memory-fs';

describe('MemoryFs', () => {
  test('behaves like the node fs calls isomorphic-git relies on, error codes included', async () => {
    const memory = new MemoryFs();
    const fs = memory.promises;
    await fs.mkdir('/repo');
    await expect(fs.mkdir('/repo')).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(fs.mkdir('/missing/child')).rejects.toMatchObject({ code: 'ENOENT' });
    await fs.writeFile('/repo/HEAD', 'ref: refs/heads/main\n', 'utf8');
    await fs.writeFile('/repo/pack', Uint8Array.from([1, 2, 3]));
    expect(await fs.readFile('/repo/HEAD', { encoding: 'utf8' })).toBe('ref: refs/heads/main\n');
    expect(Buffer.from((await fs.readFile('/repo/./pack')) as Buffer)).toEqual(Buffer.from([1, 2, 3]));
    expect((await fs.readdir('/repo')).sort()).toEqual(['HEAD', 'pack']);
    expect((await fs.stat('/repo')).isDirectory()).toBe(true);
    expect((await fs.lstat('/repo/pack')).size).toBe(3);
    await expect(fs.readFile('/repo/none')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.writeFile('/repo/HEAD/x', 'y')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(fs.rmdir('/repo')).rejects.toMatchObject({ code: 'ENOTEMPTY' });
    expect(memory.bytes).toBe(24);
    await fs.unlink('/repo/pack');
    await fs.unlink('/repo/HEAD');
    await fs.rmdir('/repo');
    expect(await fs.readdir('/')).toEqual([]);
  });

  test('clear() drops every file', async () => {
    const memory = new MemoryFs();
    await memory.promises.writeFile('/a', 'abc');
    memory.clear();
    expect(memory.bytes).toBe(0);
    await expect(memory.promises.stat('/a')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
