/**
 * Generated Hackolade-like models for the search section: 100 entities of 20 attributes each (some nested, some
 * described), in 5 containers, serialised like Hackolade Studio. Deterministic (seeded per model), with names drawn
 * from a small vocabulary so that queries hit many models, and one marker attribute per model that only it holds.
 */
const WORDS = [
  'customer',
  'order',
  'invoice',
  'payment',
  'address',
  'product',
  'shipment',
  'account',
  'ledger',
  'contract',
  'vendor',
  'employee',
  'department',
  'warehouse',
  'inventory',
  'price',
  'discount',
  'currency',
  'region',
  'country',
  'status',
  'channel',
  'campaign',
  'session',
  'device',
  'profile',
  'review',
  'rating',
  'category',
  'supplier',
  'booking',
  'ticket',
  'policy',
  'claim',
  'premium',
  'patient',
  'visit',
  'doctor',
  'lab',
  'result',
] as const;
const SUFFIXES = ['id', 'code', 'name', 'date', 'amount', 'type', 'number', 'flag', 'text', 'count'] as const;
const TYPES = ['string', 'numeric', 'date', 'boolean', 'objectId', 'document', 'array'] as const;
const TARGETS = [
  { dbVendor: 'MongoDB', appTarget: 'MONGODB' },
  { dbVendor: 'AWS DynamoDB', appTarget: 'DYNAMODB' },
  { dbVendor: 'Polyglot', appTarget: 'Polyglot' },
  { dbVendor: 'PostgreSQL', appTarget: 'POSTGRESQL' },
] as const;

export const ENTITIES_PER_MODEL = 100;
export const ATTRIBUTES_PER_ENTITY = 20;

/** The attribute only model `n` holds (a query for it must look at every model before it). */
export const markerName = (n: number) => `marker_${String(n).padStart(5, '0')}`;

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Model `n` of the search section: about 0.5 MB of JSON, 2,105 indexable objects. */
export function searchModel(n: number): Buffer {
  const next = random(n + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const guid = () => `${hex(next, 8)}-${hex(next, 4)}-4${hex(next, 3)}-a${hex(next, 3)}-${hex(next, 12)}`;
  const buckets = Array.from({ length: 5 }, (_, b) => ({
    name: `${pick(WORDS)} area ${b}`,
    type: 'bucket',
    GUID: guid(),
    isActivated: true,
  }));
  const attribute = (e: number, a: number): Record<string, unknown> => {
    const name = e === 0 && a === 0 ? markerName(n) : `${pick(WORDS)}_${pick(SUFFIXES)}`;
    const type = pick(TYPES);
    return {
      name,
      hackoladeMeta: {},
      isActivated: true,
      type,
      GUID: guid(),
      ...(a % 5 === 0 ? { description: `The ${name.replace('_', ' ')} as the ${pick(WORDS)} team records it.` } : {}),
      ...(type === 'document'
        ? { properties: [{ name: `${pick(WORDS)}_${pick(SUFFIXES)}`, type: 'string', GUID: guid(), error: {} }] }
        : {}),
      error: {},
    };
  };
  const collections = Array.from({ length: ENTITIES_PER_MODEL }, (_, e) => ({
    collectionName: `${capitalized(pick(WORDS))}${capitalized(pick(WORDS))}${e}`,
    type: 'object',
    properties: Array.from({ length: ATTRIBUTES_PER_ENTITY }, (_, a) => attribute(e, a)),
    isActivated: true,
    GUID: guid(),
    bucketId: buckets[e % buckets.length]!.GUID,
  }));
  const model = {
    modelName: `Generated model ${n}`,
    collections,
    buckets,
    relationships: [],
    views: [],
    ...TARGETS[n % TARGETS.length],
    GUID: guid(),
  };
  return Buffer.from(JSON.stringify(model, null, 4));
}

function hex(next: () => number, digits: number): string {
  let text = '';
  for (let i = 0; i < digits; i++) text += Math.floor(next() * 16).toString(16);
  return text;
}

function capitalized(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}
