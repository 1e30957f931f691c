// The read API's answers the Models screen shows (docs/CONSUMERS.md), reached through the admin API's read proxy
// (`/gateway/admin/v1/read/…` = `/gateway/api/v1/…` with the admin's session), since a browser cannot sign SigV4.
// Only the fields the console shows; the read API's own types live with it.

/** Where the console reads models: the read API's routes below the admin session. */
export const READ_BASE_PATH = '/gateway/admin/v1/read';

export interface ModelViewJson {
  readonly path: string;
  readonly commit: string;
  readonly syncedAt: string;
  readonly size: number;
  readonly sha256: string | null;
  readonly blobId: string | null;
  readonly status: string;
  readonly modelName: string | null;
  readonly dbVendor: string | null;
  readonly appTarget: string | null;
  readonly dbVersion: string | number | null;
  readonly counts: { containers: number; entities: number; relationships: number; views: number } | null;
  readonly parseError?: string;
}

/** GET …/repositories/{uuid}/models?prefix=&limit=&cursor= */
export interface ModelPageJson {
  readonly repository: { readonly uuid: string; readonly fullName: string };
  readonly models: readonly ModelViewJson[];
  readonly nextCursor: string | null;
}

/** GET …/repositories/{uuid}/model?path= */
export interface ModelDetailsJson {
  readonly model: ModelViewJson & { readonly entityNames: readonly string[] };
}

/** One object found by GET …/search?q= (docs/CONSUMERS.md). */
export interface SearchHitJson {
  readonly repository: { readonly uuid: string; readonly fullName: string };
  readonly model: { readonly path: string; readonly name?: string; readonly vendor?: string; readonly target?: string };
  /** container, entity or attribute */
  readonly kind: string;
  readonly name: string;
  readonly type?: string;
  readonly description?: string;
  /** Names from the container down to the object. */
  readonly pathInModel: readonly string[];
}

/** GET …/search?q= */
export interface SearchResultsJson {
  readonly hits: readonly SearchHitJson[];
  readonly nextCursor: string | null;
  /** Models passed over that have no index yet (their next sync indexes them). */
  readonly notIndexed?: number;
  readonly truncated?: boolean;
}
