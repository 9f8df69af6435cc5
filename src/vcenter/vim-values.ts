// The JavaScript shape of vim25 values as the SAX value parser produces them, plus small readers
// that turn a parsed value into the type a caller expects without trusting the wire blindly.

/** A managed object reference: `<obj type="VirtualMachine">vm-42</obj>`. */
export class MoRef {
  constructor(
    readonly type: string,
    readonly value: string,
  ) {}

  toString(): string {
    return `${this.type}:${this.value}`;
  }
}

/**
 * A data object. `$type` holds the xsi:type when the wire carried one (polymorphic values such as
 * property values, events and faults); untyped nested objects have none.
 */
export interface VimObject {
  $type?: string;
  [field: string]: VimValue | undefined;
}

export type VimValue = string | number | boolean | null | MoRef | VimObject | VimValue[];

export function isMoRef(value: unknown): value is MoRef {
  return value instanceof MoRef;
}

export function isVimObject(value: unknown): value is VimObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof MoRef);
}

export function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Numbers arrive typed (xsd:int/long) inside property values but as text in untyped fields. */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function asBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return null;
}

export function asMoRef(value: unknown): MoRef | null {
  return value instanceof MoRef ? value : null;
}

export function asObject(value: unknown): VimObject | null {
  return isVimObject(value) ? value : null;
}

/** A repeated field is an array once it repeats; a single occurrence may arrive bare. */
export function asArray(value: VimValue | undefined): VimValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** xsd:dateTime text to unix seconds (whole seconds, floor); null when absent or unparsable. */
export function dateTimeToUnix(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

export function unixToDateTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}
