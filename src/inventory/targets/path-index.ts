// A compact record of the paths a layer writes that vigil keeps nothing else of (the image's
// ordinary files and folders): 8 bytes a path instead of the path itself, so that the memory of
// reading an image grows with the files kept, not with the image's entry count. It answers
// "did this layer maybe write this path?": a yes can be a hash collision (about one in 2^53 per
// question), so a caller treats a yes as "cannot tell", never as a certain answer.

/** A path's 53-bit hash: two 32-bit FNV-1a hashes (http://www.isthe.com/chongo/tech/comp/fnv/) of its UTF-16 code units, with different offsets. */
export function hashPath(relativePath: string): number {
  let high = 0x811c9dc5;
  let low = 0x050c5d1f;
  for (let index = 0; index < relativePath.length; index++) {
    const unit = relativePath.charCodeAt(index);
    high = Math.imul(high ^ unit, 0x01000193);
    low = Math.imul(low ^ unit, 0x01000193) ^ (low >>> 15);
  }
  // 32 bits of one and 21 of the other: an integer a double holds exactly.
  return (high >>> 0) * 0x200000 + (low >>> 11);
}

/** Paths added one by one, then sealed into a sorted array and searched. */
export interface PathIndex {
  add(relativePath: string): void;
  /** Whether the path may have been added (always true when it was). */
  mayHold(relativePath: string): boolean;
  /** How many paths were added. */
  readonly size: number;
}

export function newPathIndex(): PathIndex {
  let hashes = new Float64Array(1024);
  let count = 0;
  let sorted = true;
  const seal = (): void => {
    if (sorted) return;
    hashes = hashes.slice(0, count).sort();
    sorted = true;
  };
  return {
    add(relativePath) {
      if (count === hashes.length) {
        const grown = new Float64Array(hashes.length * 2);
        grown.set(hashes);
        hashes = grown;
      }
      hashes[count++] = hashPath(relativePath);
      sorted = false;
    },
    mayHold(relativePath) {
      seal();
      const wanted = hashPath(relativePath);
      let low = 0;
      let high = count - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const value = hashes[middle] ?? 0;
        if (value === wanted) return true;
        if (value < wanted) low = middle + 1;
        else high = middle - 1;
      }
      return false;
    },
    get size() {
      return count;
    },
  };
}
