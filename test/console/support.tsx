// Renders console components in jsdom against a scripted admin API: each test says what each route answers and
// reads back what the component asked, with which body. Answers resolve at once, so `settle()` (a few rounds of
// Preact's act) is enough to see their effect: no timers, no sleeps.
import { render, type ComponentChildren } from 'preact';
import { act } from 'preact/test-utils';
import type { SessionResponse } from '../../shared/admin/api-types';
import { ApiError, type AdminApi } from '../../console/api/client';
import { ApiContext } from '../../console/hooks';

export type Answer = unknown | ((body: unknown, query?: Record<string, unknown>) => unknown);

export interface ScriptedApi extends AdminApi {
  /** Every call made, as `METHOD /path` with its body (POST/PATCH; a `bytes` GET's request headers) or query (GET). */
  readonly calls: Array<{ route: string; body?: unknown; query?: Record<string, unknown> }>;
  answer(route: string, answer: Answer): void;
}

export const SESSION: SessionResponse = {
  user: 'local user ada',
  via: 'local',
  csrfToken: 'csrf-token-for-tests',
  expiresAt: null,
  hub: { kind: 'local', description: 'local hub (test)' },
};

/** An AdminApi whose routes answer what the test scripted (an ApiError answer is thrown). */
export function scriptedApi(answers: Record<string, Answer> = {}): ScriptedApi {
  const table = new Map(Object.entries(answers));
  const calls: ScriptedApi['calls'] = [];
  const respond = async (route: string, body?: unknown, query?: Record<string, unknown>) => {
    calls.push({ route, body, query });
    if (!table.has(route)) throw new ApiError(`no scripted answer for ${route}`, 'script it in the test', 'not-found', 404);
    const answer = table.get(route);
    const value =
      typeof answer === 'function' ? (answer as (body: unknown, query?: Record<string, unknown>) => unknown)(body, query) : answer;
    if (value instanceof ApiError) throw value;
    return value as never;
  };
  return {
    calls,
    answer: (route, answer) => table.set(route, answer),
    get: (path, query) => respond(`GET ${path}`, undefined, query),
    post: (path, body) => respond(`POST ${path}`, body),
    patch: (path, body) => respond(`PATCH ${path}`, body),
    bytes: (path, query, headers) => respond(`GET ${path}`, headers, query),
    session: async () => SESSION,
  };
}

/** Lets pending answers and the renders they cause happen. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 8; round++) await act(() => Promise.resolve());
}

export interface Rendered {
  readonly container: HTMLElement;
  unmount(): void;
}

/** Renders `children` with `api` as the console's API, and lets its first loads finish. */
export async function renderWith(api: AdminApi, children: ComponentChildren): Promise<Rendered> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  await act(() => {
    render(<ApiContext.Provider value={api}>{children}</ApiContext.Provider>, container);
  });
  await settle();
  return {
    container,
    unmount: () => {
      render(null, container);
      container.remove();
    },
  };
}

/** The element with this accessible text (a button, link or label), failing with what there was instead. */
export function byText<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string, text: string | RegExp): T {
  const candidates = [...root.querySelectorAll<T>(selector)];
  const found = candidates.find((element) => {
    const label = element.getAttribute('aria-label') ?? element.textContent ?? '';
    return typeof text === 'string' ? label.trim() === text : text.test(label);
  });
  if (!found)
    throw new Error(
      `no ${selector} named ${String(text)}; there are: ${candidates.map((element) => JSON.stringify(element.getAttribute('aria-label') ?? element.textContent?.trim())).join(', ')}`,
    );
  return found;
}

/** Clicks an element inside act, then lets the answers it caused arrive. */
export async function click(element: HTMLElement): Promise<void> {
  await act(() => {
    element.click();
  });
  await settle();
}

/** Types into an input as a person does (the value, then an input event), inside act. */
export async function type(input: HTMLInputElement, value: string): Promise<void> {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await settle();
}

/** Presses a key on an element (keydown, bubbling). */
export async function press(element: HTMLElement, key: string, options: KeyboardEventInit = {}): Promise<void> {
  await act(() => {
    element.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...options }));
  });
  await settle();
}

/** Chooses an option of a select (its value, then a change event), inside act. */
export async function choose(select: HTMLSelectElement, value: string): Promise<void> {
  await act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await settle();
}
