/** Bitbucket Cloud REST API 2.0 client and its errors. */
export {
  BITBUCKET_ENDPOINTS,
  BitbucketClient,
  parseRetryAfter,
  type BitbucketClientOptions,
  type BitbucketClientStats,
  type BitbucketRepositoryInfo,
  type FileChange,
  type FileChangeStatus,
  type RepositoryAddress,
  type RepositoryRef,
} from './bitbucket-client';
export {
  BitbucketAuthError,
  BitbucketDiffTooLargeError,
  BitbucketError,
  BitbucketFileTooLargeError,
  BitbucketNotFoundError,
  BitbucketRateLimitedError,
  BitbucketUnavailableError,
} from './errors';
