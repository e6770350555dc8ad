/** The last `capacity` event ids, to drop the duplicates Box's at-least-once delivery sends. */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(
    readonly capacity: number,
    initial: readonly string[] = [],
  ) {
    for (const id of initial.slice(-capacity)) this.ids.add(id);
  }

  /** Records `id`; false when it was already seen. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }

  /** Oldest first, for saving beside the position. */
  toArray(): string[] {
    return [...this.ids];
  }
}
