/** A binary min-heap on `t`, ties broken by insertion order so runs are deterministic. */
export class EventHeap<T extends { t: number }> {
  private items: { v: T; n: number }[] = [];
  private counter = 0;
  get size(): number {
    return this.items.length;
  }
  push(v: T): void {
    const items = this.items;
    items.push({ v, n: this.counter++ });
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [items[i], items[p]] = [items[p]!, items[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top?.v;
  }
  private less(a: number, b: number): boolean {
    const x = this.items[a]!;
    const y = this.items[b]!;
    return x.v.t < y.v.t || (x.v.t === y.v.t && x.n < y.n);
  }
}
