// The demo's look at the read side: what a consumer tool sees through the read API (SigV4-signed, typed client).
import { ModelHubClient } from '../client/model-hub-client';
import type { LocalHub } from './runtime';

/** Lists, searches and downloads through the local read API as a consumer would, printing what it got. */
export async function printReadApi(print: (line: string) => void, hub: LocalHub, repositoryUuid: string): Promise<void> {
  const env = hub.standIns.env;
  const client = new ModelHubClient({
    baseUrl: hub.readApiUrl,
    region: env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  });
  print(`8. Read API at ${hub.readApiUrl} (SigV4, as a consumer tool reads it; docs/CONSUMERS.md):`);
  const [repository] = await client.listRepositories();
  print(
    `   GET /repositories: ${repository?.fullName} ${repository?.status} at ${repository?.syncedCommit?.slice(0, 7)}, ${repository?.modelCount} models`,
  );
  const { hits } = await client.search({ q: 'pet', match: 'prefix', type: 'entity', limit: 5 });
  print(`   GET /search?q=pet&match=prefix&type=entity: ${hits.length} hit(s)`);
  for (const hit of hits) print(`   - ${hit.kind} ${hit.name} in ${hit.model.path}`);
  for await (const model of client.models(repositoryUuid, { prefix: 'models/renamed/' })) {
    const download = await client.download(repositoryUuid, model.path);
    if (!download.notModified)
      print(
        `   GET content of ${model.path}: ${download.bytes.byteLength} B exact (SHA-256 checked), ${download.wireBytes} B on the wire (br)`,
      );
  }
}
