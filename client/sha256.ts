// SHA-256 in the shape @smithy/signature-v4 takes, on node:crypto: the typed client signs with it, and the local
// runtime checks signatures with it, so neither needs a second hashing package.
import { createHash, createHmac } from 'node:crypto';

/** What the signer hands to a hash: text or bytes. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 (an HMAC when given a key) in the shape the signer takes. */
export class Sha256 {
  private readonly hash;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

function bytesOf(data: SourceData): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}
