// The per-table checksum of `vctp import-sqlite`, computed the same way on both sides: in Node over
// the rows read from the SQLite file (as they are sent), and in SQL by PostgreSQL over the rows it
// stored, inside the import's transaction before COMMIT.
//
// Each row is rendered as one canonical text, a field per column in column order, each ended by ';':
//   NULL            N
//   int, bigint     the decimal integer                     (PostgreSQL: col::text)
//   float           the 8 IEEE-754 bytes, big-endian, hex   (PostgreSQL: encode(float8send(col), 'hex'))
//   text            its UTF-8 byte length, ':', the text    (PostgreSQL: octet_length(col) || ':' || col)
// Floats by their bits, not a decimal rendering: SQLite, Node and PostgreSQL print doubles
// differently, their bits are the same value or not. Lengths make texts containing ';' or ':'
// unambiguous without escaping. The row's hash is the first 64 bits of the MD5 of its UTF-8 bytes;
// the table's checksum is the sum of its rows' hashes modulo 2^64: independent of row order (the
// two databases return rows in different orders), and with the row count, a missing, extra,
// duplicated or altered row shows. Not a defence against someone crafting collisions: a check that
// the copy is exact.
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';
import { ident, type ImportColumn, type ImportTable } from './sqlite-import-tables.js';

export interface TableChecksum {
  rows: number;
  /** 16 hex digits: the sum of the row hashes modulo 2^64. */
  checksum: string;
}

const MASK = (1n << 64n) - 1n;
const floatBytes = Buffer.alloc(8);

function field(type: ImportColumn['type'], value: unknown): string {
  if (value === null) return 'N;';
  switch (type) {
    case 'int':
    case 'bigint':
      return `${value as number};`;
    case 'float':
      floatBytes.writeDoubleBE(value as number);
      return `${floatBytes.toString('hex')};`;
    case 'text':
      return `${Buffer.byteLength(value as string, 'utf8')}:${value as string};`;
  }
}

/** The checksum of rows as they are sent (values already converted to their PostgreSQL column type). */
export class RowDigest {
  private sum = 0n;
  rows = 0;

  constructor(private readonly columns: readonly ImportColumn[]) {}

  add(values: readonly unknown[]): void {
    let text = '';
    for (let c = 0; c < this.columns.length; c++) text += field(this.columns[c]!.type, values[c] ?? null);
    this.sum += createHash('md5').update(text, 'utf8').digest().readBigUInt64BE(0);
    this.rows++;
  }

  result(): TableChecksum {
    return { rows: this.rows, checksum: hex64(this.sum) };
  }
}

function hex64(value: bigint): string {
  return (value & MASK).toString(16).padStart(16, '0');
}

function pgField(column: ImportColumn): string {
  const c = ident(column.name);
  switch (column.type) {
    case 'int':
    case 'bigint':
      return `COALESCE(${c}::text, 'N')`;
    case 'float':
      return `COALESCE(encode(float8send(${c}), 'hex'), 'N')`;
    case 'text':
      return `COALESCE(octet_length(${c})::text || ':' || ${c}, 'N')`;
  }
}

/** The same checksum, computed by PostgreSQL over `table` as it stands in the transaction of `tx`. */
export async function postgresChecksum(tx: SqlExecutor, table: ImportTable): Promise<TableChecksum> {
  const row = table.columns.map((c) => `${pgField(c)} || ';'`).join(' || ');
  // ('x' || 16 hex digits)::bit(64)::bigint is the hash as a signed 64-bit integer: summed exactly
  // as numeric, it is the same sum modulo 2^64 as Node's unsigned one.
  const query: SQL = sql.raw(
    `SELECT COUNT(*)::text AS n, COALESCE(SUM(('x' || left(md5(convert_to(${row}, 'UTF8')), 16))::bit(64)::bigint::numeric), 0)::text AS s ` +
      `FROM ${ident(table.name)}`,
  );
  const [result] = await tx.all<{ n: string; s: string }>(query);
  return { rows: Number(result?.n ?? 0), checksum: hex64(BigInt(result?.s ?? '0')) };
}
