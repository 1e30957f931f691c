import { AdminError as CliError } from '../../../../shared/admin/errors';
import type { HubContext } from '../../../../shared/admin/hub-context';
import { locateRepository } from '../../../../shared/admin/locate-repository';
import type { BitbucketClient } from '../../../../shared/bitbucket/bitbucket-client';
import type { BitbucketRepositoryInfo } from '../../../../shared/bitbucket/bitbucket-resources';
import { BitbucketNotFoundError } from '../../../../shared/bitbucket/errors';
import type { RepositoryConfig } from '../../../../shared/domain/repository-config';

const added = { uuid: '{11111111-1111-4111-8111-111111111111}', fullName: 'acme/models', workspaceUuid: '{w}' } as RepositoryConfig;
const context = {
  target: { bitbucketApiUrl: 'https://api.bitbucket.example/2.0' },
  findRepository: async () => added,
} as unknown as HubContext;

/** A client whose uuid lookups 404 and whose name lookup finds `byName`. */
function clientFinding(byName: BitbucketRepositoryInfo | undefined): BitbucketClient {
  return {
    getRepository: async (ref: unknown) => {
      if (typeof ref === 'string' && byName) return byName;
      throw new BitbucketNotFoundError('HTTP 404', 'acme/models');
    },
  } as unknown as BitbucketClient;
}

describe('locateRepository: the stored uuid is gone from Bitbucket', () => {
  it('says a repository deleted and created again under its name must be removed and added anew', async () => {
    // Arrange
    const recreated = { uuid: '{22222222-2222-4222-8222-222222222222}', fullName: 'acme/models' } as BitbucketRepositoryInfo;

    // Act
    const error = await locateRepository(context, clientFinding(recreated), 'acme/models').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      message: `Bitbucket's acme/models is another repository (${recreated.uuid}) than the added one (${added.uuid}): it was deleted and created again`,
      hint: 'remove the old one and add the new one: `repo remove acme/models`, then `repo add acme/models` with a token of the new repository',
    });
  });

  it('still points at a transfer when nothing has its name', async () => {
    const error = await locateRepository(context, clientFinding(undefined), 'acme/models').catch((e: unknown) => e);

    expect(error).toMatchObject({ message: expect.stringContaining('(HTTP 404)'), hint: expect.stringMatching(/^transferred/) });
  });
});
