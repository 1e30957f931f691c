/**
 * The behaviour the read API relies on from the model catalog (`ModelCatalog` of shared/domain/read/ports.ts), as
 * one suite run against DynamoDbModelStore on dynalite and against the in-memory store, so the fake stays faithful.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCatalog } from '../../../shared/domain/read/ports';
import { ModelBodyNotStoredError } from '../../../shared/domain/sync/errors';
import { decodeModelBody } from '../../../shared/models/model-body-codec';
import type { ModelStoreUnderTest } from './model-store.contract';

const FIXTURE = readFileSync(join(__dirname, '../../fixtures/hackolade-models/medium-dynamodb-book.hck.json'));
const newRepo = () => `{${randomUUID()}}`;

export function modelCatalogContract(store: () => ModelCatalog & Pick<ModelStoreUnderTest, 'putModel' | 'recordTooLarge'>): void {
  const paths = ['b.hck.json', 'a/z.hck.json', 'A.hck.json', 'a/b c#%+.hck.json', 'é/x.hck.json', '中.hck.json', 'a.hck.json'];

  it('pages through the records in path order, after a path, under a prefix, and counts them', async () => {
    const s = store();
    const repo = newRepo();
    for (const path of paths) await s.putModel({ repositoryUuid: repo, path, commit: 'c1', bytes: Buffer.from('{}') });

    const walked: string[] = [];
    let afterPath: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await s.listModelPage(repo, { afterPath, limit: 3 });
      walked.push(...page.records.map((record) => record.path));
      if (!page.more) break;
      afterPath = page.records.at(-1)?.path;
    }

    expect(walked).toEqual(['A.hck.json', 'a.hck.json', 'a/b c#%+.hck.json', 'a/z.hck.json', 'b.hck.json', 'é/x.hck.json', '中.hck.json']);
    const underA = await s.listModelPage(repo, { prefix: 'a/', limit: 10 });
    expect(underA.records.map((record) => record.path)).toEqual(['a/b c#%+.hck.json', 'a/z.hck.json']);
    expect(underA.more).toBe(false);
    expect((await s.listModelPage(repo, { prefix: 'a/', afterPath: 'a/b c#%+.hck.json', limit: 10 })).records.map((r) => r.path)).toEqual([
      'a/z.hck.json',
    ]);
    expect(await s.countModels(repo)).toBe(paths.length);
    expect(await s.countModels(newRepo())).toBe(0);
    expect(await s.listModelPage(newRepo(), { limit: 10 })).toEqual({ records: [], more: false });
  });

  it('finds a long path under its prefix, though its sort key keeps only its first bytes', async () => {
    const s = store();
    const repo = newRepo();
    const long = `${'書'.repeat(400)}/deep.hck.json`;
    await s.putModel({ repositoryUuid: repo, path: long, commit: 'c1', bytes: Buffer.from('{}') });
    await s.putModel({ repositoryUuid: repo, path: `${'書'.repeat(400)}.hck.json`, commit: 'c1', bytes: Buffer.from('{}') });

    const page = await s.listModelPage(repo, { prefix: `${'書'.repeat(400)}/`, limit: 10 });

    expect(page.records.map((record) => record.path)).toEqual([long]);
  });

  it('gives a stored model with its bytes as stored, which decode to the exact original', async () => {
    const s = store();
    const repo = newRepo();
    await s.putModel({ repositoryUuid: repo, path: 'm.hck.json', commit: 'c1', bytes: FIXTURE });
    await s.recordTooLarge({ repositoryUuid: repo, path: 'big.hck.json', commit: 'c1', size: 40_000_000 });

    const model = await s.getStoredModel(repo, 'm.hck.json');

    expect(model!.body.equals(FIXTURE)).toBe(true);
    expect(decodeModelBody(model!.stored.bytes, model!.stored.encoding).equals(FIXTURE)).toBe(true);
    expect(model!.record).toMatchObject({ path: 'm.hck.json', size: FIXTURE.byteLength, status: 'valid' });
    expect(await s.getStoredModel(repo, 'absent.hck.json')).toBeUndefined();
    await expect(s.getStoredModel(repo, 'big.hck.json')).rejects.toBeInstanceOf(ModelBodyNotStoredError);
  });
}
