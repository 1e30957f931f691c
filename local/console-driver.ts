// The admin's steps in the console, as a person takes them (by labels, roles and visible text), shared by the
// browser tests and the screenshot script. Each step waits for the page to show its outcome (Playwright's
// auto-waiting locators), never for a length of time.
import type { Locator, Page } from 'playwright-core';
import type { ConsoleWorld } from './console-world';

/** Long enough for an initial sync of the simulated repositories on a busy 2-core machine. */
export const SYNC_TIMEOUT_MS = 60_000;

/** Opens the one-time login URL; resolves on the Dashboard. */
export async function logIn(page: Page, loginUrl: string): Promise<void> {
  await page.goto(loginUrl);
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
}

/** Goes to a tab of the console's navigation. */
export async function openTab(page: Page, name: 'Dashboard' | 'Git Provider' | 'Repositories' | 'Events' | 'Models'): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

/** "+ setup Git Provider" → Bitbucket Cloud; resolves once the webhook URL and the add flow are shown. */
export async function startProviderSetup(page: Page): Promise<void> {
  await openTab(page, 'Git Provider');
  await page.getByRole('button', { name: '+ setup Git Provider' }).click();
  await page.getByLabel('Provider', { exact: true }).selectOption('bitbucket-cloud');
  await page.getByLabel('Webhook URL', { exact: true }).waitFor();
}

/** In the add flow: the token, the workspace typed, its repositories listed. */
export async function listWorkspace(page: Page, token: string, workspace: string): Promise<Locator> {
  await page.getByLabel('Bitbucket access token').fill(token);
  await page.getByLabel('Workspace', { exact: true }).fill(workspace);
  await page.getByRole('button', { name: 'List repositories' }).click();
  const list = page.getByRole('list', { name: `Repositories of ${workspace}` });
  await list.waitFor();
  return list;
}

/** The row of a repository in the Added results or Long actions. */
export function followedSync(page: Page, repository: string, action: string): Locator {
  return page.getByRole('region', { name: 'Long actions' }).locator('li', { hasText: `${repository} · ${action}` });
}

/** Ticks repositories (filtering the list by `filter` first), adds them, and waits for each initial sync to finish. */
export async function addRepositories(page: Page, filter: string, fullNames: readonly string[]): Promise<void> {
  await page.getByLabel('Filter', { exact: true }).fill(filter);
  for (const fullName of fullNames) await page.getByRole('checkbox', { name: new RegExp(`^${fullName.replace('/', '\\/')}\\b`) }).check();
  await page.getByRole('button', { name: `Add ${fullNames.length} repositories` }).click();
  for (const fullName of fullNames)
    await followedSync(page, fullName, 'Initial sync')
      .getByText(/^finished: synced/)
      .waitFor({ timeout: SYNC_TIMEOUT_MS });
}

/** Picks an item of a repository's actions menu on the Repositories tab. */
export async function repositoryAction(page: Page, repository: string, item: string): Promise<void> {
  await openTab(page, 'Repositories');
  await page.getByRole('button', { name: `Actions for ${repository}` }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

/** The whole setup of the screenshots: provider, two repositories of acme synced, one push replicated. */
export async function setUpAcme(page: Page, world: ConsoleWorld, loginUrl: string): Promise<string> {
  await logIn(page, loginUrl);
  await startProviderSetup(page);
  await listWorkspace(page, world.workspaceToken, 'acme');
  await addRepositories(page, 'models', ['acme/data-models', 'acme/billing-models']);
  const commit = await world.push(1);
  await openTab(page, 'Repositories');
  await page
    .getByRole('row', { name: /acme\/data-models/ })
    .getByText(commit.slice(0, 7))
    .waitFor({ timeout: SYNC_TIMEOUT_MS });
  return commit;
}
