// The simulator's inventory changes (power, resize, move, destroy, create) live in the product now,
// because `vctp demo` makes them too: src/vcenter/simulator-changes.ts. Re-exported for the tests.
export * from '../../src/vcenter/simulator-changes.js';
