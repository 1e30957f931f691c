/**
 * Adding and removing a repository in the order the sync's write fence relies on (`sync/repository-fence.ts`):
 * the configuration is the fence, so removal deletes it before sweeping what was written, and adding sweeps what
 * an earlier generation's late work left before the new generation's configuration appears.
 */
import { newRepositoryGeneration, type RepositoryConfig } from './repository-config';

/** What adding and removing needs from the repository store and the model store. */
export interface RepositoryLifecyclePorts {
  readonly repositories: {
    addRepository(config: RepositoryConfig): Promise<void>;
    removeRepository(uuid: string): Promise<void>;
  };
  readonly models: {
    /** Deletes every stored item of the repository; returns how many. */
    deleteRepository(uuid: string): Promise<number>;
  };
}

/**
 * Adds a repository under a new generation. Models left by an earlier generation (a removal with `--keep-models`,
 * or work that outlived a removal) are deleted first: the new generation's initial sync rebuilds them, and no
 * late write of the old one can survive (its fence sees the new generation and undoes it).
 */
export async function addRepository(
  ports: RepositoryLifecyclePorts,
  config: Omit<RepositoryConfig, 'generation'>,
  now: Date = new Date(),
): Promise<RepositoryConfig> {
  const added: RepositoryConfig = { ...config, generation: newRepositoryGeneration(now) };
  await ports.models.deleteRepository(config.uuid);
  await ports.repositories.addRepository(added);
  return added;
}

/**
 * Removes a repository: its configuration and sync state first (from then on the verifier refuses its pushes, the
 * worker skips its messages, and in-flight work undoes each write it makes), then its models unless kept.
 * Returns the number of model items deleted, or undefined when they are kept.
 */
export async function removeRepository(
  ports: RepositoryLifecyclePorts,
  uuid: string,
  options: { keepModels?: boolean } = {},
): Promise<number | undefined> {
  await ports.repositories.removeRepository(uuid);
  return options.keepModels ? undefined : ports.models.deleteRepository(uuid);
}
