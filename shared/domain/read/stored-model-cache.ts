/**
 * Keeps the last stored models a reader container read, by record version, so the parts of a ranged download (a
 * 32 MiB model without brotli is 8 requests) read and check the body once instead of once per part. A version
 * names one write's bytes for ever, and each request reads the record (consistently) before it asks the cache,
 * so a cached body is never served after a rewrite.
 */
import type { StoredModel } from './ports';

export class StoredModelCache {
  private readonly entries = new Map<string, StoredModel>();
  private bytes = 0;

  /** `maxBytes`: what the cached bodies (original and stored) may hold in all. */
  constructor(private readonly maxBytes: number) {}

  /** The stored model of this repository, path and version, when cached. */
  get(repositoryUuid: string, path: string, version: string): StoredModel | undefined {
    const key = keyOf(repositoryUuid, path, version);
    const model = this.entries.get(key);
    if (model) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, model);
    }
    return model;
  }

  /** Keeps `model` (under its record's version), dropping the least recently used beyond `maxBytes`. */
  set(repositoryUuid: string, model: StoredModel): void {
    const size = sizeOf(model);
    if (size > this.maxBytes) return;
    const key = keyOf(repositoryUuid, model.record.path, model.record.version);
    if (this.entries.has(key)) return;
    this.entries.set(key, model);
    this.bytes += size;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= sizeOf(entry);
    }
  }
}

function keyOf(repositoryUuid: string, path: string, version: string): string {
  return JSON.stringify([repositoryUuid, path, version]);
}

function sizeOf(model: StoredModel): number {
  return model.body.byteLength + (model.stored.bytes === model.body ? 0 : model.stored.bytes.byteLength);
}
