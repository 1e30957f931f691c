// The CLI's error vocabulary is the admin layer's (shared with the admin API): CliError is its AdminError, whose
// exit code is 1 (failure) or 2 (usage error).
export { AdminError as CliError, explainError, usageError } from '../shared/admin/errors';
