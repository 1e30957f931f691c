/** The git source: a shallow fetch of a branch head over smart HTTP, and what it needs to be wired in. */
export { cloneUrlFrom } from './clone-url';
export { GitFetchError, redactSecrets, type GitFetchFailure } from './errors';
export { fetchHeadSnapshot, isRegularFile, type FetchHeadSnapshotOptions, type GitTreeEntry, type HeadSnapshot } from './git-snapshot';
export { parseLfsPointer, type LfsPointer } from './lfs-pointer';
export { DEFAULT_PACK_BUDGET_MIB, DEFAULT_PACK_LIMITS, packLimitsFor, type PackLimits } from './pack-guard';
export { createUndiciHttp, type GitHttpStats, type UndiciHttp, type UndiciHttpOptions } from './undici-http';
