/** The last `capacity` event ids, to drop the duplicates Box's at-least-once delivery sends. */
export class RecentIds {
  private readonly ids = new Set<string>();
  /** The same ids in arrival order, as a ring once full (`oldest` is where the next id goes), so adding allocates nothing. */
  private readonly ring: string[] = [];
  private oldest = 0;
  readonly capacity: number;

  constructor(capacity: number, initial: readonly string[] = []) {
    this.capacity = Math.max(1, Math.floor(capacity));
    for (const id of initial.slice(-this.capacity)) this.add(id);
  }

  /** Records `id`; false when it was already seen. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ring.length < this.capacity) {
      this.ring.push(id);
    } else {
      this.ids.delete(this.ring[this.oldest]);
      this.ring[this.oldest] = id;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
    return true;
  }

  /** Oldest first, for saving beside the position: a copy, since a saved checkpoint must not change later. */
  toArray(): string[] {
    return this.oldest === 0 ? this.ring.slice() : this.ring.slice(this.oldest).concat(this.ring.slice(0, this.oldest));
  }
}
