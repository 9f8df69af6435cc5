// Schema pieces the read API's routes share: query parameters as clients send them (a repeatable
// or comma-separated list, a time in the forms the CLI takes) and the JSON shapes of times, tiers
// and totals as toJsonShape (src/queries/json-shape.ts) gives them.
import { z } from '@hono/zod-openapi';
import { parseTimeBound } from '../../core/time-input.js';

/** `?vcenter=a&vcenter=b` or `?vcenter=a,b`: the names, blanks dropped; absent when none. */
export function listParam(description: string, example: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => {
      if (value === undefined) return undefined;
      const names = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
      return names.length === 0 ? undefined : names;
    })
    .openapi({ description: `${description} (repeat the parameter or separate by commas)`, example });
}

/** A time bound: unix seconds, an ISO 8601 time, or a day YYYY-MM-DD (its 00:00 as a start, 23:59:59 as an end). */
export function timeParam(side: 'start' | 'end', description: string, example: string) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      try {
        return parseTimeBound('', value.trim(), side);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message.trim() });
        return z.NEVER;
      }
    })
    .openapi({ description: `${description}: unix seconds, an ISO 8601 time (UTC unless it says) or a day YYYY-MM-DD`, example });
}

/** A whole number in [min, max] from the query string, `fallback` when absent. */
export function intParam(min: number, max: number, fallback: number, description: string) {
  return z.coerce.number().int().min(min).max(max).default(fallback).openapi({ description, example: fallback });
}

/**
 * A time as JSON gives it: unix seconds and, beside it, `<name>Iso`. nullable: both null when
 * unknown; optional: both absent when not given (`from` and `to` get no Iso sibling when null).
 */
export function timeFields<N extends string>(name: N, description: string, presence: 'nullable' | 'required' | 'optional' = 'nullable') {
  const unixBase = z.number().int();
  const isoBase = z.string();
  const unix = presence === 'nullable' ? unixBase.nullable() : presence === 'optional' ? unixBase.optional() : unixBase;
  const iso = presence === 'nullable' ? isoBase.nullable() : presence === 'optional' ? isoBase.optional() : isoBase;
  const note = presence === 'nullable' ? '; null when unknown' : presence === 'optional' ? '; absent when not given' : '';
  return {
    [name]: unix.openapi({ description: `${description} (unix seconds${note})` }),
    [`${name}Iso`]: iso.openapi({ description: `${description}, ISO 8601 UTC`, example: '2026-04-21T13:00:00Z' }),
  } as unknown as Record<N | `${N}Iso`, z.ZodType>;
}

export const tierSchema = z.enum(['Tin', 'Bronze', 'Silver', 'Gold', 'No tier']).openapi({ description: 'The tier, from the resource pool' });

export const vcenterTotalsSchema = z
  .object({
    vmCount: z.number().int(),
    poweredOnCount: z.number().int(),
    templateCount: z.number().int(),
    srmPlaceholderCount: z.number().int(),
    nodeChargeVmCount: z.number().int(),
    chargeableVmCount: z.number().openapi({ description: 'Prorated over the period on daily and monthly rows' }),
    vcpuTotal: z.number(),
    ramGbTotal: z.number(),
    diskGbTotal: z.number(),
    tinVmCount: z.number(),
    bronzeVmCount: z.number(),
    silverVmCount: z.number(),
    goldVmCount: z.number(),
    untieredVmCount: z.number(),
  })
  .openapi('VcenterTotals');

/** A day in the status shape: YYYY-MM-DD. */
export const dayString = z.string().openapi({ example: '2026-04-20' });
