// A model's git blob id, computable from its bytes however they were fetched (REST or git), so stored models can
// be compared with a tree's entries without downloading them again.
import { createHash } from 'node:crypto';

/** Git's object id of a blob with these bytes: hex sha1 of `blob <size>\0` followed by the bytes. */
export function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`, 'utf8').update(bytes).digest('hex');
}
