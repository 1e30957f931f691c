import { Agent, type Dispatcher } from 'undici';
import { createUndiciHttp } from '../../../../shared/git/undici-http';

/** A connection pool that counts what it was asked to send. */
class CountingAgent extends Agent {
  dispatched = 0;

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.dispatched += 1;
    return super.dispatch(options, handler);
  }
}

describe('createUndiciHttp', () => {
  let agent: CountingAgent;
  beforeEach(() => {
    agent = new CountingAgent();
  });
  afterEach(() => agent.destroy());

  test.each([
    ['at', 0],
    ['past', 1],
  ])('a request %s the deadline is refused as deadline, never handed to the connection pool', async (_, late) => {
    const deadline = 1_700_000_000_000;
    const http = createUndiciHttp({ dispatcher: agent, deadline, now: () => deadline + late });
    await expect(http.request({ url: 'http://127.0.0.1:9/acme/repo.git/info/refs?service=git-upload-pack' })).rejects.toMatchObject({
      name: 'GitFetchError',
      reason: 'deadline',
    });
    expect(agent.dispatched).toBe(0);
    expect(http.stats.requests).toBe(0);
  });
});
