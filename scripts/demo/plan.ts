// The VMs the demo changes between its hourly snapshots, shared by change-inventory.ts (which
// changes them) and peek-hourly.ts (which shows their hourly rows). Names and sizes are stable:
// the simulator's inventory depends only on its flags and seed (test/vcsim/README.md), and the
// demo starts it with `-dc 1 -cluster 2 -host 2 -vm 40`. VM i of a cluster sits in pool
// [Tin Bronze Silver Gold Resources Tin Bronze Silver Gold App][i mod 10].
export const DEMO_VMS = {
  /** DC0_C0's Tin pool, powered on: powered off after the first hour. */
  powerOff: 'DC0_C0_VM15',
  /** DC0_C0's Bronze pool: vCPU and RAM doubled after the first hour. */
  resize: 'DC0_C0_VM21',
  /** DC0_C0's Silver pool: moved to that cluster's Gold pool after the second hour. */
  move: { vm: 'DC0_C0_VM27', cluster: 'DC0_C0', to: 'Gold' },
  /** DC0_C1's Gold pool: destroyed after the second hour. */
  destroy: 'DC0_C1_VM3',
  /** Created in DC0_C1's Tin pool after the third hour. */
  create: { vm: 'demo-web-01', cluster: 'DC0_C1', pool: 'Tin', numCPU: 2, memoryMB: 4096 },
} as const;
