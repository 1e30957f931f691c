// Errors the way the CLI gives them: what went wrong, then what to do next. Never a stack trace.
/** What went wrong and what to do next (an ApiError, or an error object of an answer). */
export interface Problem {
  readonly message: string;
  readonly hint?: string;
}

export function ErrorNotice({ error, onDismiss }: { error: Problem | null | undefined; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div class="notice notice-error" role="alert">
      <p class="notice-message">{error.message}</p>
      {error.hint && (
        <p class="notice-hint">
          <strong>Next:</strong> {error.hint}
        </p>
      )}
      {onDismiss && (
        <button type="button" class="link-button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

/** The CLI's progress notes of a finished action (the `messages` of the answer). */
export function Messages({ messages, label }: { messages: readonly string[] | undefined; label: string }) {
  if (!messages || messages.length === 0) return null;
  return (
    <ul class="messages" aria-label={label}>
      {messages.map((message, index) => (
        <li key={index}>{message}</li>
      ))}
    </ul>
  );
}
