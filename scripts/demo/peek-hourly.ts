// The demo's look into the database: the hourly rows (vm_hourly_stats) of the VMs it resized and
// moved, before and after the change, and how few stored spans stand behind all hourly rows.
// Uses better-sqlite3 (already a dependency) so the demo needs no sqlite3 CLI.
//
// Usage: tsx scripts/demo/peek-hourly.ts <db.sqlite3>
import Database from 'better-sqlite3';
import { formatTime } from '../../src/cli/parse-time.js';
import { DEMO_VMS } from './plan.js';

interface HourlyRow {
  name: string;
  snapshot_time: number;
  resource_pool: string;
  tier: string | null;
  vcpu_count: number;
  ram_gb: number;
  powered_on: number;
}

/** Plain aligned columns: eight rows stay eight lines (vctp's tables rule off every row). */
function printColumns(lines: (string | number)[][]): void {
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
  for (const line of lines) console.log(`  ${line.map((cell, i) => String(cell).padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

const file = process.argv[2];
if (!file) throw new Error('usage: peek-hourly.ts <db.sqlite3>');
const db = new Database(file, { readonly: true, fileMustExist: true });
try {
  const names = [DEMO_VMS.resize, DEMO_VMS.move.vm];
  const rows = db
    .prepare(
      `SELECT name, snapshot_time, resource_pool, tier, vcpu_count, ram_gb, powered_on
         FROM vm_hourly_stats WHERE name IN (${names.map(() => '?').join(', ')})
        ORDER BY name, snapshot_time`,
    )
    .all(...names) as HourlyRow[];
  printColumns([
    ['name', 'snapshot (UTC)', 'pool', 'tier', 'vCPU', 'RAM GB', 'on'],
    ...rows.map((r) => [r.name, formatTime(r.snapshot_time), r.resource_pool, r.tier ?? '-', r.vcpu_count, r.ram_gb, r.powered_on]),
  ]);
  const counts = db
    .prepare('SELECT (SELECT count(*) FROM vm_hourly_stats) AS hourly, (SELECT count(*) FROM vm_spans) AS spans')
    .get() as { hourly: number; spans: number };
  console.log(`  ${counts.hourly} hourly rows in vm_hourly_stats, stored as ${counts.spans} spans in vm_spans`);
} finally {
  db.close();
}
