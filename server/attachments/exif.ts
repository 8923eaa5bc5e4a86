/**
 * Where a photo was taken is removed before it is kept (docs/architecture.md §12). A phone
 * writes the place into every photo's EXIF; a visitor sending a picture of a damaged parcel
 * would hand over their home's coordinates without knowing it, and a warning they would have
 * to read and act on protects fewer people than removing the place does. So the GPS block of
 * the EXIF data is wiped in place: its entries and values become zeros and the block counts
 * no entries. Everything else stays, above all the orientation, so a photo is not shown on its
 * side, and the file keeps its size and layout (no image data is decoded or re-encoded).
 *
 * Found where each format keeps EXIF: JPEG's APP1 segment, PNG's `eXIf` chunk (its CRC made
 * again), WebP's `EXIF` chunk, and in HEIC/AVIF the `Exif\0\0` item (found by its header, as the
 * item lies in the media data). An XMP packet in a JPEG that names a GPS position is dropped.
 */

const GPS_IFD_TAG = 0x8825;
/** Bytes per value of each TIFF field type (1 BYTE … 12 DOUBLE). */
const TYPE_BYTES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8];
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const XMP_HEADER = new TextEncoder().encode("http://ns.adobe.com/xap/1.0/\0");

/**
 * The bytes with any EXIF GPS position wiped (a copy; `bytes` is left as it was). Other types
 * come back as they are, and images without a position unchanged.
 *
 * @example
 * const kept = withoutLocation(bytes, "image/jpeg");
 */
export function withoutLocation(bytes: Uint8Array, type: string): Uint8Array {
  const wipe = WIPERS[type];
  if (!wipe) return bytes;
  return wipe(bytes.slice());
}

/** Each image format that can carry EXIF, and how its GPS block is found (in a copy). */
const WIPERS: Record<string, (b: Uint8Array) => Uint8Array> = {
  "image/jpeg": jpeg,
  "image/png": (b) => (png(b), b),
  "image/webp": (b) => (webp(b), b),
  "image/heic": (b) => (scanForExif(b), b),
  "image/avif": (b) => (scanForExif(b), b),
};

/** Wipes the GPS block of the TIFF structure at `start` (EXIF is one), if there is one. */
function wipeGps(b: Uint8Array, start: number, end: number): void {
  if (start + 8 > end) return;
  const little = b[start] === 0x49 && b[start + 1] === 0x49;
  if (!little && !(b[start] === 0x4d && b[start + 1] === 0x4d)) return;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  if (u16(start + 2) !== 42) return;
  const ifd0 = start + u32(start + 4);
  if (ifd0 + 2 > end) return;
  let gps = -1;
  for (let i = 0, n = u16(ifd0); i < n; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > end) return;
    if (u16(entry) === GPS_IFD_TAG) gps = start + u32(entry + 8);
  }
  if (gps < start || gps + 2 > end) return;
  const count = u16(gps);
  if (gps + 2 + count * 12 > end) return;
  for (let i = 0; i < count; i++) {
    const entry = gps + 2 + i * 12;
    const size = (TYPE_BYTES[u16(entry + 2)] ?? 0) * u32(entry + 4);
    if (size > 4) {
      const at = start + u32(entry + 8);
      if (at >= start && at + size <= end) b.fill(0, at, at + size);
    }
  }
  // The entries (tags, values held inline) go too; the block now counts none.
  b.fill(0, gps, gps + 2 + count * 12);
}

function startsWith(b: Uint8Array, at: number, prefix: ArrayLike<number>): boolean {
  if (at + prefix.length > b.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

/** JPEG: the segments before the image data, EXIF's APP1 wiped, an XMP APP1 with GPS left out. */
function jpeg(b: Uint8Array): Uint8Array {
  const drop: [number, number][] = [];
  let at = 2;
  while (at + 4 <= b.length && b[at] === 0xff) {
    const marker = b[at + 1]!;
    if (marker === 0xda || marker === 0xd9) break; // the image data begins
    const length = (b[at + 2]! << 8) | b[at + 3]!;
    const end = at + 2 + length;
    if (marker === 0xe1 && startsWith(b, at + 4, EXIF_HEADER)) wipeGps(b, at + 10, end);
    if (marker === 0xe1 && startsWith(b, at + 4, XMP_HEADER)) {
      const packet = new TextDecoder().decode(b.subarray(at + 4, end));
      if (/GPS(Latitude|Longitude)/.test(packet)) drop.push([at, end]);
    }
    at = end;
  }
  if (drop.length === 0) return b;
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const [start, end] of drop) {
    parts.push(b.subarray(from, start));
    from = end;
  }
  parts.push(b.subarray(from));
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** PNG: the `eXIf` chunk's TIFF wiped and its CRC made again. */
function png(b: Uint8Array): void {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 8; at + 12 <= b.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...b.subarray(at + 4, at + 8));
    const end = at + 8 + length;
    if (end + 4 > b.length) return;
    if (type === "eXIf") {
      wipeGps(b, at + 8, end);
      view.setUint32(end, crc32(b.subarray(at + 4, end)));
    }
    if (type === "IDAT" || type === "IEND") return;
    at = end + 4;
  }
}

/** WebP: the `EXIF` chunk (its TIFF, or `Exif\0\0` and then the TIFF). */
function webp(b: Uint8Array): void {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 12; at + 8 <= b.length; ) {
    const type = String.fromCharCode(...b.subarray(at, at + 4));
    const length = view.getUint32(at + 4, true);
    const data = at + 8;
    const end = Math.min(b.length, data + length);
    if (type === "EXIF") wipeGps(b, startsWith(b, data, EXIF_HEADER) ? data + 6 : data, end);
    at = data + length + (length % 2);
  }
}

/** HEIC and AVIF keep EXIF as an item in the media data: found by its `Exif\0\0` header. */
function scanForExif(b: Uint8Array): void {
  for (let at = b.indexOf(0x45); at !== -1; at = b.indexOf(0x45, at + 1)) {
    if (!startsWith(b, at, EXIF_HEADER)) continue;
    const tiff = at + 6;
    const magic = b[tiff] === 0x49 ? [0x49, 0x49, 42, 0] : [0x4d, 0x4d, 0, 42];
    if (startsWith(b, tiff, magic)) wipeGps(b, tiff, b.length);
  }
}

let CRC_TABLE: Uint32Array | undefined;

/** PNG's CRC-32 (ISO 3309), of a chunk's type and data. */
function crc32(bytes: Uint8Array): number {
  CRC_TABLE ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
