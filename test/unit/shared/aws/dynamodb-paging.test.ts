import { pages, type ItemPage } from '../../../../shared/aws/dynamodb-paging';

/** The one Query/Scan paging loop, driven by a scripted page source. */
describe('pages', () => {
  const key = (n: number) => ({ pk: { S: `k${n}` } });
  const scripted = (count: number) => {
    const startKeys: Array<string | undefined> = [];
    const fetchPage = async (startKey: Record<string, { S?: string }> | undefined): Promise<ItemPage> => {
      startKeys.push(startKey?.pk?.S);
      const index = startKeys.length;
      return { Items: [key(index)], ...(index < count ? { LastEvaluatedKey: key(index) } : {}) };
    };
    return { startKeys, fetchPage };
  };

  it('follows LastEvaluatedKey from page to page until a page has none', async () => {
    const { startKeys, fetchPage } = scripted(3);
    const seen: string[] = [];
    for await (const page of pages(fetchPage)) seen.push(...(page.Items ?? []).map((item) => item.pk!.S!));
    expect(seen).toEqual(['k1', 'k2', 'k3']);
    expect(startKeys).toEqual([undefined, 'k1', 'k2']);
  });

  it('sends no further request once the caller stops iterating', async () => {
    const { startKeys, fetchPage } = scripted(10);
    for await (const page of pages(fetchPage)) if (page.Items?.[0]?.pk?.S === 'k2') break;
    expect(startKeys).toEqual([undefined, 'k1']);
  });

  it('yields the single page of an unpaginated answer', async () => {
    const { startKeys, fetchPage } = scripted(1);
    const all: ItemPage[] = [];
    for await (const page of pages(fetchPage)) all.push(page);
    expect(all).toHaveLength(1);
    expect(startKeys).toEqual([undefined]);
  });
});
