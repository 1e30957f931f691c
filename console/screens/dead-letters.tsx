// The dead-letter queue on the Events screen (`dlq list` / `dlq redrive`): sync requests that failed five times,
// with the worker's attempts and last reason, and a button to send them back once the cause is fixed.
import { useState } from 'preact/hooks';
import type { DeadLettersResponse, RedriveResponse } from '../../shared/admin/api-types';
import { ErrorNotice, Messages } from '../components/error-notice';
import { shownTime } from '../format';
import { useAction, useApi, useLoad } from '../hooks';

export function DeadLetters() {
  const api = useApi();
  const listing = useLoad((client) => client.get<DeadLettersResponse>('/dlq'), 'dlq');
  const redrive = useAction();
  const [moved, setMoved] = useState<RedriveResponse | undefined>(undefined);
  const messages = listing.data?.messages ?? [];

  const sendBack = async () => {
    const answer = await redrive.run(() => api.post<RedriveResponse>('/dlq/redrive', {}));
    if (answer) {
      setMoved(answer);
      listing.reload();
    }
  };

  return (
    <section aria-labelledby="dlq-title">
      <h2 id="dlq-title">Dead-letter queue</h2>
      <ErrorNotice error={listing.error} />
      {listing.data && messages.length === 0 && (
        <p>
          Empty{listing.data.inFlight > 0 ? ` (${listing.data.inFlight} in flight: list again in a moment)` : ''}: no sync request failed
          five times.
        </p>
      )}
      {messages.length > 0 && (
        <>
          <ul aria-label="Dead letters">
            {messages.map((letter) => (
              <li key={letter.messageId}>
                <strong>{letter.repository ?? '(unknown repository)'}</strong> · {letter.trigger ?? 'sync'} requested{' '}
                {shownTime(letter.requestedAt)} · {letter.attempts} attempts{letter.lastReason ? `, last: ${letter.lastReason}` : ''}
              </li>
            ))}
          </ul>
          <button type="button" disabled={redrive.busy} onClick={() => void sendBack()}>
            Send them back to the sync queue
          </button>
        </>
      )}
      <ErrorNotice error={redrive.error} />
      {moved && <Messages messages={[`${moved.moved} moved back to the sync queue`, ...moved.messages]} label="What the hub did" />}
    </section>
  );
}
