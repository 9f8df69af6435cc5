// An exact sum of safe integers that may itself pass 2^53. A VM's cost units stay far below 2^53
// (src/core/cost.ts checks it), but a vCenter's month of them need not: units are micro-currency x
// MiB x samples, so 5,000 VMs with 8 GiB at 5 per GiB-month sum to ~1.5e17. Such a total is added
// up exactly (as a BigInt once past 2^53, in plain numbers before: the common case costs nothing
// more) and then rounded once to the nearest double, so it does not depend on the order of the
// rows, whichever engine or database wrote them.
export class ExactSum {
  private small = 0;
  private big: bigint | null = null;

  /** Adds a safe integer (the caller's values are checked exact where they are made). */
  add(value: number): void {
    if (this.big !== null) {
      this.big += BigInt(value);
      return;
    }
    const next = this.small + value;
    if (Number.isSafeInteger(next)) this.small = next;
    else this.big = BigInt(this.small) + BigInt(value);
  }

  addBig(value: bigint): void {
    this.big = (this.big ?? BigInt(this.small)) + value;
  }

  /** The sum as the nearest double: exact below 2^53, correctly rounded above. */
  toNumber(): number {
    return this.big === null ? this.small : Number(this.big);
  }
}
