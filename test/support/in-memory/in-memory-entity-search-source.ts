/**
 * Entity search's source over the in-memory model store, held to the same contract as the DynamoDB adapter
 * (`entity-search-source.contract.ts`), so search domain tests need no dynalite.
 */
import {
  searchableModel,
  type EntitySearchSource,
  type SearchRepository,
  type SearchableModel,
} from '../../../shared/domain/read/search-entities';
import { SearchableEntityIndex } from '../../../shared/models/entity-index-search';
import type { InMemoryModelStore } from './in-memory-model-store';

export class InMemoryEntitySearchSource implements EntitySearchSource {
  /** Index loads asked for (models), so tests can see what a search read. */
  readonly loads: string[] = [];

  constructor(
    private readonly models: InMemoryModelStore,
    private readonly repositories: () => Promise<readonly SearchRepository[]>,
  ) {}

  listRepositories(): Promise<readonly SearchRepository[]> {
    return this.repositories();
  }

  async listModels(repositoryUuid: string): Promise<readonly SearchableModel[]> {
    return (await this.models.listModels(repositoryUuid)).map(searchableModel);
  }

  /** As the real source: an index only for the very version listed, none once that version is gone. */
  async loadIndexes(repositoryUuid: string, models: readonly SearchableModel[]): Promise<Array<SearchableEntityIndex | undefined>> {
    return Promise.all(
      models.map(async (model) => {
        this.loads.push(model.path);
        const stored = await this.models.getEntityIndex(repositoryUuid, model.path);
        if (!stored?.index || stored.record.version !== model.version) return undefined;
        return new SearchableEntityIndex(stored.index);
      }),
    );
  }
}
