/** The reader's settings: the three tables it reads, the changes table optional, one error naming every problem. */
import { loadReaderConfig } from '../../../../shared/config/reader-config';

describe('loadReaderConfig', () => {
  it('reads the tables, the changes table only when set', () => {
    const base = { REPOSITORIES_TABLE: 'repos', MODELS_TABLE: 'models', EVENTS_TABLE: 'events' };
    expect(loadReaderConfig(base)).toEqual({ repositoriesTable: 'repos', modelsTable: 'models', eventsTable: 'events' });
    expect(loadReaderConfig({ ...base, CHANGES_TABLE: 'changes' }).changesTable).toBe('changes');
  });

  it('names every missing table in one error', () => {
    expect(() => loadReaderConfig({ MODELS_TABLE: 'models' })).toThrow(
      'Invalid configuration: REPOSITORIES_TABLE environment variable is not set; EVENTS_TABLE environment variable is not set',
    );
  });
});
