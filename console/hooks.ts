// What every screen needs from its surroundings: the admin API (from context, so tests hand in their own), data
// loaded from it (optionally kept live by polling, one request at a time), and a clock for countdowns.
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type AdminApi } from './api/client';

export const ApiContext = createContext<AdminApi | undefined>(undefined);

export function useApi(): AdminApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('the console was rendered without an ApiContext provider');
  return api;
}

/** Any thrown value as an ApiError (a bug in the console still says what to do next, never shows a stack). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(
    `the console failed: ${error instanceof Error ? error.message : String(error)}`,
    'reload the page; if it happens again, report it with what you did',
    'failed',
    0,
  );
}

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: ApiError;
  readonly loading: boolean;
  /** Loads again now (after an action changed what the screen shows). */
  reload(): void;
}

/**
 * Loads `load(api)` when `key` changes; with `everyMs`, again that long after each answer (live screens). A newer
 * load wins over an older one still in flight, so a screen never shows stale data after a filter changed.
 */
export function useLoad<T>(load: (api: AdminApi) => Promise<T>, key: string, everyMs?: number): Loaded<T> {
  const api = useApi();
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const run = useCallback(() => {
    const mine = ++generation.current;
    clearTimeout(timer.current);
    setState((previous) => ({ ...previous, loading: true }));
    loadRef
      .current(api)
      .then(
        (data) => mine === generation.current && setState({ data, loading: false }),
        (error: unknown) =>
          mine === generation.current && setState((previous) => ({ data: previous.data, error: asApiError(error), loading: false })),
      )
      .finally(() => {
        if (mine === generation.current && everyMs) timer.current = setTimeout(run, everyMs);
      });
  }, [api, key, everyMs]);

  useEffect(() => {
    run();
    return () => {
      generation.current++;
      clearTimeout(timer.current);
    };
  }, [run]);

  return { ...state, reload: run };
}

/** The current time, ticking every second while a countdown is shown. */
export function useNow(active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const interval = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(interval);
  }, [active]);
  return now;
}

/** Runs one action at a time: `busy` while it runs, its error kept until the next run. */
export function useAction(): {
  busy: boolean;
  error: ApiError | undefined;
  run<T>(action: () => Promise<T>): Promise<T | undefined>;
  clear(): void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const run = useCallback(async <T>(action: () => Promise<T>) => {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (caught) {
      setError(asApiError(caught));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(undefined) };
}
