import { runDemo } from '../../../local/demo';

describe('npm start -- --demo', () => {
  it('replicates the real models pushed to a simulated repository, and shows each webhook answer', async () => {
    // Act
    const lines: string[] = [];
    const { models } = await runDemo((line) => lines.push(line));
    // Assess: the second push modified, renamed, deleted and added an invalid file: 4 models remain.
    const output = lines.join('\n');
    expect(models).toBe(4);
    expect(output).toContain('webhook answered 202 queued');
    expect(output).toContain('The same delivery replayed: 202 duplicate');
    expect(output).toContain('A delivery signed with a wrong secret: 401 invalid signature');
    expect(output).toMatch(/models\/renamed\/large-mongodb-schema-design-patterns\.hck\.json +326798 B/);
    expect(output).toMatch(/models\/broken\.hck\.json .* invalid: /);
    expect(output).toMatch(
      /sync +synced +synced \{"added":2,"updated":1,"removed":2,"renamed":0,"invalid":1,"tooLarge":0,"missing":0,"skipped":0\}/,
    );
    expect(output).toMatch(/GET \/repositories: acme\/data-models synced at [0-9a-f]{7}, 4 models/);
    expect(output).toContain('- entity Pet in models/renamed/large-mongodb-schema-design-patterns.hck.json');
    expect(output).toMatch(
      /GET content of models\/renamed\/large-mongodb-schema-design-patterns\.hck\.json: 326798 B exact \(SHA-256 checked\), \d+ B on the wire \(br\)/,
    );
    // scratch/ is listed in the repository's .hubignore.
    expect(output).not.toContain('scratch/draft.hck.json');
  }, 60_000);
});
