/**
 * What entity search relies on from its source, run against the DynamoDB adapter on dynalite and against the
 * in-memory fake: records listed in path order with their index state, and indexes of exactly the versions listed.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntitySearchSource, SearchRepository } from '../../../shared/domain/read/search-entities';
import type { ModelStoreUnderTest } from './model-store.contract';

/** A source over a store the test writes to; `forgetIndex` makes a record look written before indexes were kept. */
export interface SearchSourceWorld {
  readonly source: EntitySearchSource;
  readonly models: ModelStoreUnderTest;
  readonly repositories: SearchRepository[];
  forgetIndex(repositoryUuid: string, path: string): Promise<void>;
}

const FIXTURE = readFileSync(join(__dirname, '../../fixtures/hackolade-models/medium-dynamodb-book.hck.json'));
const model = (entity: string) => Buffer.from(JSON.stringify({ collections: [{ collectionName: entity, properties: [{ name: 'id' }] }] }));

export function entitySearchSourceContract(world: () => SearchSourceWorld): void {
  it('lists repositories, and records in path order with what search needs and their index state', async () => {
    const w = world();
    const repo = `{${randomUUID()}}`;
    w.repositories.push({ uuid: repo, fullName: 'acme/models' });
    await w.models.putModel({ repositoryUuid: repo, path: 'b/book.hck.json', commit: 'c1', bytes: FIXTURE });
    await w.models.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes: model('A') });
    await w.models.putModel({ repositoryUuid: repo, path: 'broken.hck.json', commit: 'c1', bytes: Buffer.from('{') });
    await w.models.recordTooLarge({ repositoryUuid: repo, path: 'huge.hck.json', commit: 'c1', size: 40_000_000 });
    await w.models.putModel({ repositoryUuid: repo, path: 'legacy.hck.json', commit: 'c1', bytes: model('L') });
    await w.forgetIndex(repo, 'legacy.hck.json');

    expect(await w.source.listRepositories()).toContainEqual({ uuid: repo, fullName: 'acme/models' });
    const listed = await w.source.listModels(repo);
    expect(listed.map((m) => [m.path, m.index])).toEqual([
      ['a.hck.json', 'indexed'],
      ['b/book.hck.json', 'indexed'],
      ['broken.hck.json', 'none'],
      ['huge.hck.json', 'none'],
      ['legacy.hck.json', 'missing'],
    ]);
    expect(listed[1]).toMatchObject({ dbVendor: 'AWS DynamoDB', appTarget: 'DYNAMODB', version: expect.any(String) });
    expect(await w.source.listModels(`{${randomUUID()}}`)).toEqual([]);
  });

  it('loads the index of exactly the version listed, never a later version’s', async () => {
    const w = world();
    const repo = `{${randomUUID()}}`;
    await w.models.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes: model('First') });
    await w.models.putModel({ repositoryUuid: repo, path: 'b.hck.json', commit: 'c1', bytes: FIXTURE });
    await w.models.putModel({ repositoryUuid: repo, path: 'empty.hck.json', commit: 'c1', bytes: Buffer.from('{}') });
    const first = await w.source.listModels(repo);
    const [a, b, empty] = await w.source.loadIndexes(repo, first);
    expect(a!.hit(a!.find('first', 'prefix', { limit: 5 })[0]!)).toMatchObject({ kind: 'entity', name: 'First', path: ['First'] });
    expect(b!.size).toBeGreaterThan(10);
    expect(empty!.size).toBe(0);
    // Read again (a warm source answers from its cache): the same.
    expect((await w.source.loadIndexes(repo, first)).map((index) => index?.size)).toEqual([a!.size, b!.size, 0]);

    await w.models.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c2', bytes: model('Second') });
    await w.models.deleteModel(repo, 'b.hck.json');
    // The listed versions are gone: their indexes are none, or (from a cache) still exactly theirs, never the new one's.
    const stale = await w.source.loadIndexes(repo, first.slice(0, 2));
    expect(stale[0] === undefined || stale[0].find('second', 'substring', { limit: 5 }).length === 0).toBe(true);
    expect(stale[0] === undefined || stale[0].find('first', 'substring', { limit: 5 }).length === 1).toBe(true);
    expect([undefined, b!.size]).toContain(stale[1]?.size);
    const [second] = await w.source.loadIndexes(repo, await w.source.listModels(repo));
    expect(second!.find('second', 'substring', { limit: 5 })).toHaveLength(1);
    expect(second!.find('first', 'substring', { limit: 5 })).toHaveLength(0);
  });
}
