import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { withoutLocation } from "./exif.ts";
import { sniffType } from "./sniff.ts";

/**
 * EXIF as a phone writes it (little-endian TIFF): IFD0 with the orientation (6: turn right) and
 * a pointer to the GPS block; the GPS block with 52°22'12.3"N 4°53'42.6"E as rationals stored
 * after the entries. Built here field by field from the TIFF 6.0 / EXIF 2.32 layout.
 */
function exifTiff(): Uint8Array {
  const b = new Uint8Array(160);
  const v = new DataView(b.buffer);
  b.set([0x49, 0x49]);
  v.setUint16(2, 42, true);
  v.setUint32(4, 8, true);
  // IFD0 at 8: two entries.
  v.setUint16(8, 2, true);
  v.setUint16(10, 0x0112, true); // Orientation, SHORT, 1, value 6
  v.setUint16(12, 3, true);
  v.setUint32(14, 1, true);
  v.setUint16(18, 6, true);
  v.setUint16(22, 0x8825, true); // GPSInfo, LONG, 1, offset 38
  v.setUint16(24, 4, true);
  v.setUint32(26, 1, true);
  v.setUint32(30, 38, true);
  v.setUint32(34, 0, true); // no next IFD
  // GPS IFD at 38: four entries, then the next-IFD pointer at 38 + 2 + 48 = 88.
  v.setUint16(38, 4, true);
  const entry = (i: number, tag: number, type: number, count: number, value: number) => {
    const at = 40 + i * 12;
    v.setUint16(at, tag, true);
    v.setUint16(at + 2, type, true);
    v.setUint32(at + 4, count, true);
    v.setUint32(at + 8, value, true);
  };
  entry(0, 1, 2, 2, 0x4e); // GPSLatitudeRef "N"
  entry(1, 2, 5, 3, 92); // GPSLatitude → 3 rationals at 92
  entry(2, 3, 2, 2, 0x45); // GPSLongitudeRef "E"
  entry(3, 4, 5, 3, 116); // GPSLongitude → 3 rationals at 116
  const rationals = (at: number, values: [number, number][]) =>
    values.forEach(([n, d], i) => {
      v.setUint32(at + i * 8, n, true);
      v.setUint32(at + i * 8 + 4, d, true);
    });
  rationals(92, [
    [52, 1],
    [22, 1],
    [1230, 100],
  ]);
  rationals(116, [
    [4, 1],
    [53, 1],
    [4260, 100],
  ]);
  return b;
}

/** Whether the latitude's seconds (1230/100) are still anywhere in the file. */
function holdsLatitude(bytes: Uint8Array): boolean {
  const needle = Buffer.from([0xce, 0x04, 0, 0, 100, 0, 0, 0]);
  return Buffer.from(bytes).includes(needle);
}

const ORIENTATION_ENTRY = Buffer.from([0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0]);

function jpegWith(app1: Uint8Array): Uint8Array {
  const length = app1.length + 2;
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe1,
    length >> 8,
    length & 0xff,
    ...app1,
    // The start of the image data: never looked into.
    0xff,
    0xda,
    0,
    8,
    1,
    1,
    0,
    0,
    0x3f,
    0,
    0xd2,
    0xcf,
    0x20,
    0xff,
    0xd9,
  ]);
}

const EXIF = [...new TextEncoder().encode("Exif"), 0, 0];

describe("removing where a photo was taken", () => {
  it("wipes a JPEG's GPS block and keeps its orientation, its size and its type", async () => {
    const photo = jpegWith(new Uint8Array([...EXIF, ...exifTiff()]));
    expect(holdsLatitude(photo)).toBe(true);
    const kept = withoutLocation(photo, "image/jpeg");
    expect(holdsLatitude(kept)).toBe(false);
    expect(Buffer.from(kept).includes(ORIENTATION_ENTRY)).toBe(true);
    expect(kept.length).toBe(photo.length);
    expect((await sniffType(kept)).type).toBe("image/jpeg");
    expect(holdsLatitude(photo)).toBe(true); // the upload's own bytes are left alone
  });

  it("drops a JPEG's XMP packet that names a position", () => {
    const xmp = new TextEncoder().encode(
      'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:Description exif:GPSLatitude="52,22.205N"/></x:xmpmeta>',
    );
    const photo = jpegWith(xmp);
    const kept = withoutLocation(photo, "image/jpeg");
    expect(new TextDecoder().decode(kept)).not.toContain("GPSLatitude");
    expect([...kept.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xda]);
  });

  it("wipes a PNG's eXIf chunk and makes its CRC again", () => {
    const tiff = exifTiff();
    const chunk = new Uint8Array(12 + tiff.length);
    const v = new DataView(chunk.buffer);
    v.setUint32(0, tiff.length);
    chunk.set(new TextEncoder().encode("eXIf"), 4);
    chunk.set(tiff, 8);
    v.setUint32(8 + tiff.length, crc32(chunk.subarray(4, 8 + tiff.length)));
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    const iend = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
    const image = new Uint8Array([...signature, ...chunk, ...iend]);

    const kept = withoutLocation(image, "image/png");
    expect(holdsLatitude(kept)).toBe(false);
    const data = kept.subarray(8 + 4, 8 + 8 + tiff.length);
    const stored = new DataView(kept.buffer, kept.byteOffset).getUint32(8 + 8 + tiff.length);
    expect(stored).toBe(crc32(data));
    expect(Buffer.from(kept).includes(ORIENTATION_ENTRY)).toBe(true);
  });

  it("wipes a WebP's EXIF chunk and a HEIC's Exif item", () => {
    const tiff = exifTiff();
    const webp = new Uint8Array(12 + 8 + tiff.length);
    const v = new DataView(webp.buffer);
    webp.set(new TextEncoder().encode("RIFF"), 0);
    v.setUint32(4, webp.length - 8, true);
    webp.set(new TextEncoder().encode("WEBPEXIF"), 8);
    v.setUint32(16, tiff.length, true);
    webp.set(tiff, 20);
    expect(holdsLatitude(withoutLocation(webp, "image/webp"))).toBe(false);

    // The item as HEIC stores it: a 4-byte offset to the TIFF header, "Exif\0\0", the TIFF.
    const heic = new Uint8Array([
      0,
      0,
      0,
      0x18,
      0x66,
      0x74,
      0x79,
      0x70,
      0,
      0,
      0,
      6,
      ...EXIF,
      ...tiff,
    ]);
    expect(holdsLatitude(withoutLocation(heic, "image/heic"))).toBe(false);
  });

  it("leaves a photo without a position, and other files, as they were", () => {
    const tiff = exifTiff();
    new DataView(tiff.buffer).setUint16(8, 1, true); // IFD0 holds the orientation only
    const photo = jpegWith(new Uint8Array([...EXIF, ...tiff]));
    expect(withoutLocation(photo, "image/jpeg")).toEqual(photo);
    const pdf = new TextEncoder().encode("%PDF-1.7 Exif\0\0II*\0");
    expect(withoutLocation(pdf, "application/pdf")).toEqual(pdf);
  });
});
