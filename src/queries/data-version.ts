// The version of the data the read API answers from: it changes when a job run of any process
// sharing the database ends (src/store/data-version-repository.ts says why that covers every writer).
// `vctp serve` reuses an answer while it is unchanged (src/server/answer-cache.ts). Read it BEFORE
// the data it versions: an answer read after a version is at least as new as that version.
import { readJobRunsVersion } from '../store/data-version-repository.js';
import type { QueryContext } from './context.js';

export async function readDataVersion(ctx: QueryContext): Promise<string> {
  return readJobRunsVersion(ctx.store);
}
