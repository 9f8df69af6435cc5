// PropertyCollector and ViewManager plumbing: container views that are always destroyed, and
// paged RetrievePropertiesEx that always follows the token to the end (servers return fewer
// objects per page than maxObjects asks for) and cancels the token when the caller stops early.
// Destroying and cancelling are clean-up calls: bounded, and skipped once the vCenter stopped
// answering (vim-session.ts); the server drops views and result sets with the session anyway.
import { VctpError } from '../core/errors.js';
import { el, moRefXml, objectsFilterSpec } from './soap-envelope.js';
import { errorText } from './vim-errors.js';
import type { VimSession } from './vim-session.js';
import { asArray, asMoRef, asObject, asString, type MoRef, type VimValue } from './vim-values.js';

export interface ObjectContent {
  obj: MoRef;
  /** Property path -> value, for the paths the server returned. */
  props: Record<string, VimValue>;
  /** Property path -> fault name, for paths the server could not read (missingSet). */
  missing: Record<string, string>;
}

export function toObjectContent(value: VimValue): ObjectContent | null {
  const oc = asObject(value);
  const obj = asMoRef(oc?.['obj']);
  if (!oc || !obj) return null;
  const props: Record<string, VimValue> = {};
  for (const item of asArray(oc['propSet'])) {
    const p = asObject(item);
    const name = asString(p?.['name']);
    const val = p?.['val'];
    if (name !== null && val !== undefined) props[name] = val;
  }
  const missing: Record<string, string> = {};
  for (const item of asArray(oc['missingSet'])) {
    const m = asObject(item);
    const path = asString(m?.['path']);
    const fault = asObject(asObject(m?.['fault'])?.['fault']);
    if (path !== null) missing[path] = fault?.$type ?? 'MethodFault';
  }
  return { obj, props, missing };
}

/** RetrieveProperties of a few known objects (tasks, one VM): small, unpaged. */
export async function retrieveProperties(
  session: VimSession,
  objects: readonly MoRef[],
  type: string,
  pathSet: readonly string[],
): Promise<ObjectContent[]> {
  const pc = session.serviceContent.propertyCollector;
  const result = await session.call('RetrieveProperties', moRefXml('_this', pc) + objectsFilterSpec(objects, type, pathSet));
  return asArray(result).flatMap((v) => toObjectContent(v) ?? []);
}

/** Run `fn` with a ContainerView of `types` below the root folder; the view is destroyed in every path. */
export async function withContainerView<T>(session: VimSession, types: readonly string[], fn: (view: MoRef) => Promise<T>): Promise<T> {
  const { viewManager, rootFolder } = session.serviceContent;
  const created = await session.call(
    'CreateContainerView',
    moRefXml('_this', viewManager) + moRefXml('container', rootFolder) + types.map((t) => el('type', t)).join('') + el('recursive', true),
  );
  const view = asMoRef(created);
  if (!view) throw new VctpError('vcenter', `vCenter ${session.name}: CreateContainerView returned no view`);
  try {
    return await fn(view);
  } finally {
    try {
      await session.call('DestroyView', moRefXml('_this', view), { cleanup: true });
    } catch (error) {
      // The collection's own outcome matters more; the server drops views at logout anyway.
      sessionWarn(session, 'DestroyView failed', error);
    }
  }
}

export interface RetrieveAllOptions {
  /** RetrieveOptions.maxObjects: an upper bound the server may undercut. */
  pageSize: number;
  signal?: AbortSignal | undefined;
  onObject: (content: ObjectContent) => void;
  onPage?: (objectsSoFar: number) => void;
}

/**
 * RetrievePropertiesEx + ContinueRetrievePropertiesEx until no token remains. Each ObjectContent
 * is converted and handed over as its element closes; pages are never accumulated. Returns the
 * number of objects delivered.
 */
export async function retrieveAll(session: VimSession, specSetXml: string, options: RetrieveAllOptions): Promise<number> {
  const pc = session.serviceContent.propertyCollector;
  let count = 0;
  const stream = {
    path: ['returnval', 'objects'],
    onValue: (value: VimValue) => {
      const content = toObjectContent(value);
      if (content) {
        count++;
        options.onObject(content);
      }
    },
  };
  let token: string | null = null;
  try {
    const first = await session.call(
      'RetrievePropertiesEx',
      moRefXml('_this', pc) + specSetXml + `<options>${el('maxObjects', options.pageSize)}</options>`,
      { signal: options.signal, stream },
    );
    token = asString(asObject(first)?.['token']);
    options.onPage?.(count);
    while (token !== null) {
      options.signal?.throwIfAborted();
      const next = await session.call('ContinueRetrievePropertiesEx', moRefXml('_this', pc) + el('token', token), {
        signal: options.signal,
        stream,
      });
      token = asString(asObject(next)?.['token']);
      options.onPage?.(count);
    }
    return count;
  } catch (error) {
    if (token !== null) {
      // Free the server-side result set; without a signal so that an abort does not stop it, and
      // bounded as a clean-up call (a vCenter that stopped answering gets no more than a few seconds).
      await session.call('CancelRetrievePropertiesEx', moRefXml('_this', pc) + el('token', token), { cleanup: true }).catch((cancelError: unknown) => {
        sessionWarn(session, 'CancelRetrievePropertiesEx failed', cancelError);
      });
    }
    throw error;
  }
}

function sessionWarn(session: VimSession, message: string, error: unknown): void {
  session.logger.warn({ err: errorText(error) }, message);
}
