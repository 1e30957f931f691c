// The operator's trail: every admin action of the CLI (add, update, remove, rotate-secret, finish-rotation, sync,
// redrive) goes into the events log with who did it, so `events` answers "who changed this, and when".
import type { AdminActionEvent } from '../domain/logged-event';
import type { AdminRun } from './admin-run';
import type { HubContext } from './hub-context';

/** What an action touched, and anything worth keeping about it (request uuid, mode, pattern…). */
export interface AdminActionFields {
  readonly repository?: { readonly uuid: string; readonly fullName: string };
  readonly [detail: string]: unknown;
}

/**
 * Records an action that has happened. A failure to record is a warning, not an error: the action itself is done,
 * and saying it failed would make the admin repeat it.
 */
export async function recordAdminAction(run: AdminRun, context: HubContext, action: string, fields: AdminActionFields = {}): Promise<void> {
  try {
    const event: AdminActionEvent = {
      ...fields,
      kind: 'admin',
      at: run.now().toISOString(),
      action,
      actor: await context.target.whoAmI(),
      ...(fields.repository ? { repository: { uuid: fields.repository.uuid, fullName: fields.repository.fullName } } : {}),
    };
    await context.events.record(event);
  } catch (error) {
    run.note(`warning: ${action} is done, but could not be recorded in the events log: ${(error as Error).message}`);
  }
}
