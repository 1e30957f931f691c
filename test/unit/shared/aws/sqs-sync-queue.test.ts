/** The retry backoff of failed sync requests (pure; the queue adapter itself is tested in test/integration). */
import { retryBackoffSeconds } from '../../../../shared/aws/sqs-sync-queue';

describe('retryBackoffSeconds', () => {
  it('doubles from its base per receive, up to fifteen minutes', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((count) => retryBackoffSeconds(count))).toEqual([30, 30, 60, 120, 240, 480, 900, 900]);
    expect([1, 2, 3].map((count) => retryBackoffSeconds(count, 5))).toEqual([5, 10, 20]);
  });
});
