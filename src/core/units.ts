// Sizes as exact integers. Aggregation sums vCPU, RAM and disk over samples; summed as floats, the
// order of additions would change the last bits between engines and databases. Summed as integers
// (vCPUs, MiB of RAM, hundredths of a GiB of disk) they are exact, and each average is then one
// division, correctly rounded everywhere (IEEE 754), so both engines give bit-identical numbers.

/** Provisioned disk is kept to 0.01 GiB (about 10 MiB): finer changes are noise, not resizes. */
export function roundDiskGb(gb: number): number {
  return Math.round(gb * 100) / 100;
}

/** A disk size already rounded to 0.01 GiB, as an integer count of hundredths. */
export function diskCentiGb(gb: number): number {
  return Math.round(gb * 100);
}

/** RAM in GiB (memoryMB / 1024, exact in binary) as integer MiB. */
export function ramMb(gb: number): number {
  return Math.round(gb * 1024);
}

export const DISK_UNITS_PER_GB = 100;
export const RAM_UNITS_PER_GB = 1024;
