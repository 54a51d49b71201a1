// The local order book the page keeps from book.<market> messages, and the checksum that proves it
// equal to the engine's. Pure: no DOM, no socket. The rules are docs/topics.md's (channel book.<market>)
// and protocol's BookChecksum: top 25 levels per side, "bid1px:bid1qty:ask1px:ask1qty:bid2px:...",
// exact wire strings, missing levels skipped, CRC32 of the UTF-8 bytes as an unsigned 32-bit integer.

export const CHECKSUM_DEPTH = 25;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32 (IEEE, as java.util.zip.CRC32) of a string's UTF-8 bytes, unsigned. */
export function crc32(text) {
  let c = 0xFFFFFFFF;
  for (const b of new TextEncoder().encode(text)) c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >>> 8);
  return (c ^ 0xFFFFFFFF) >>> 0;
}

/** A quantity string that means "no level": "0", "0.0000", "0e0"… */
function isZero(qty) {
  return Number(qty) === 0;
}

/**
 * One side, best first, as [priceString, qtyString, priceNumber] entries. Kept sorted by binary
 * search, so applying a level costs O(log n) to find plus the array move, and the checksum's top 25
 * are the first entries.
 */
class Side {
  constructor(descending) {
    this.descending = descending;
    this.levels = [];
  }

  /** Index of the price, or -(insertion point) - 1. */
  find(price) {
    let lo = 0, hi = this.levels.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1, p = this.levels[mid][2];
      if (p === price) return mid;
      if (this.descending ? p > price : p < price) lo = mid + 1; else hi = mid - 1;
    }
    return -lo - 1;
  }

  apply(px, qty) {
    const price = Number(px);
    if (!Number.isFinite(price)) throw new Error(`not a price: ${px}`);
    const at = this.find(price);
    if (isZero(qty)) {
      if (at >= 0) this.levels.splice(at, 1);
    } else if (at >= 0) {
      this.levels[at] = [px, qty, price];
    } else {
      this.levels.splice(-at - 1, 0, [px, qty, price]);
    }
  }
}

export class LocalBook {
  /** A book from a snapshot message. */
  constructor(snapshot) {
    this.bids = new Side(true);
    this.asks = new Side(false);
    this.u = snapshot.u;
    this.ts = snapshot.ts;
    for (const [px, qty] of snapshot.bids) this.bids.apply(px, qty);
    for (const [px, qty] of snapshot.asks) this.asks.apply(px, qty);
  }

  /**
   * Where a delta stands relative to this book: "next" (U == u + 1: apply it), "stale" (all of it
   * is already in the book, u <= this.u: drop it) or "gap" (events in between are missing).
   */
  follows(delta) {
    if (delta.U === this.u + 1) return 'next';
    if (delta.u <= this.u) return 'stale';
    return 'gap';
  }

  /** Applies a delta that follows (see follows()). Levels are absolute; a zero quantity removes. */
  apply(delta) {
    for (const [px, qty] of delta.bids) this.bids.apply(px, qty);
    for (const [px, qty] of delta.asks) this.asks.apply(px, qty);
    this.u = delta.u;
    this.ts = delta.ts;
  }

  /** The string the checksum covers. */
  checksumString() {
    const parts = [], bids = this.bids.levels, asks = this.asks.levels;
    for (let i = 0; i < CHECKSUM_DEPTH; i++) {
      if (i < bids.length) parts.push(bids[i][0], bids[i][1]);
      if (i < asks.length) parts.push(asks[i][0], asks[i][1]);
    }
    return parts.join(':');
  }

  checksum() {
    return crc32(this.checksumString());
  }
}
