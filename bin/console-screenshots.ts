/**
 * `npm run screenshots:console`: pictures of the console's main screens (Dashboard, Repositories, Events, Models,
 * and Repositories at a phone's width) in docs/screenshots/, for the README. It starts the local hub and the
 * Bitbucket simulator, sets the hub up through the console as an admin would (local/console-driver.ts), and
 * photographs each screen in Debian's Chromium. Nothing here asserts: the browser tests do.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchChromium } from '../local/chromium';
import { openTab, setUpAcme, SYNC_TIMEOUT_MS } from '../local/console-driver';
import { consoleLoginUrl, startConsoleWorld } from '../local/console-world';
import { ensureConsoleBuilt } from './build-console';

const OUT = resolve(__dirname, '..', 'docs', 'screenshots');

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await ensureConsoleBuilt();
  const world = await startConsoleWorld();
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const shot = async (name: string) => {
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
      process.stdout.write(`docs/screenshots/${name}.png\n`);
    };
    await setUpAcme(page, world, consoleLoginUrl(world));
    // The initial syncs ended (setUpAcme waited for them): clear them from Long actions for clean pictures.
    const dismiss = page.getByRole('button', { name: /^Dismiss / });
    while ((await dismiss.count()) > 0) await dismiss.first().click();

    await openTab(page, 'Dashboard');
    await page.getByRole('heading', { name: 'Recent commit activity' }).waitFor();
    await shot('dashboard');
    await openTab(page, 'Repositories');
    await page.getByRole('table', { name: 'Repositories' }).getByRole('link', { name: 'acme/data-models' }).waitFor();
    await shot('repositories');
    await openTab(page, 'Events');
    await page.getByRole('table', { name: 'Events' }).waitFor();
    await shot('events');

    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 1 });
    const phonePage = await phone.newPage();
    await phonePage.context().addCookies(await context.cookies());
    await phonePage.goto(page.url().replace(/#.*$/, '#/repositories'));
    await phonePage.getByRole('link', { name: 'acme/data-models' }).waitFor();
    await phonePage.screenshot({ path: join(OUT, 'repositories-phone.png') });
    process.stdout.write('docs/screenshots/repositories-phone.png\n');

    // Last: the Models screen needs the read API (the read-api branch) behind the admin routes.
    await openTab(page, 'Models');
    await page.getByLabel('Repository', { exact: true }).selectOption(world.repositories.dataModels.uuid);
    await page.getByRole('navigation', { name: 'Models by folder' }).getByRole('link').first().click();
    await page.getByRole('list', { name: 'Entities' }).waitFor({ timeout: SYNC_TIMEOUT_MS });
    await shot('models');
  } finally {
    await browser.close();
    await world.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots:console: ${(error as Error).message}\n`);
  process.exit(1);
});
