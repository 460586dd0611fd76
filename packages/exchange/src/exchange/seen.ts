/**
 * A bounded record of recently seen message ids (duplicate suppression). When full, the oldest
 * id is forgotten: a duplicate arriving after `capacity` newer messages is not recognised, which
 * the path check and the hop limit still stop from looping.
 */
export class SeenSet {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}

  /** True if `id` was seen before; otherwise records it and returns false. */
  check(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    return false;
  }

  forget(id: string): void {
    this.ids.delete(id);
  }
}
