/**
 * The Node.js options the worker runs with. Node 24's default young generation for a 1,024 MB function is large
 * enough that a 10,000-model git sync peaked at 538 MiB, over the 512 MB the worker is held to (on Node 20 it
 * was 314 MiB); with 16 MiB semi-spaces the same sync peaks at 466 MiB, at the cost of more, shorter scavenges.
 * The bench runs the worker bundle with the same options (bench/sync-world.ts), so its figures are the function's.
 */
export const WORKER_NODE_OPTIONS = '--max-semi-space-size=16';
