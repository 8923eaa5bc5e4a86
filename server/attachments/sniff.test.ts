import { describe, expect, it } from "vitest";
import { DEFAULT_TYPES, safeFilename, servedInline } from "./policy.ts";
import { sniffType } from "./sniff.ts";

const bytes = (...parts: Array<number[] | string>) =>
  new Uint8Array(
    parts.flatMap((p) => (typeof p === "string" ? [...new TextEncoder().encode(p)] : p)),
  );
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
const JPEG = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01];

describe("a file's type, from its bytes", () => {
  it("reads images, PDFs and old Office files by their signatures", async () => {
    expect(await sniffType(bytes(PNG, "rest of the image"))).toEqual({
      type: "image/png",
      ext: "png",
    });
    expect((await sniffType(bytes(JPEG, "...."))).type).toBe("image/jpeg");
    expect((await sniffType(bytes("%PDF-1.7\n%\xE2\xE3\n1 0 obj"))).type).toBe("application/pdf");
    const ole = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(504).fill(0)];
    expect((await sniffType(bytes(ole))).type).toBe("application/x-cfb");
  });

  it("calls strict UTF-8 text plain text, emoji and all, and other bytes unknown", async () => {
    expect(await sniffType(bytes("Order 42: the box was damaged 📦\nThanks"))).toEqual({
      type: "text/plain",
      ext: "txt",
    });
    expect((await sniffType(bytes([0xc3, 0x28, 0x41, 0x42]))).type).toBe(
      "application/octet-stream",
    );
    expect((await sniffType(bytes("text", [0], "more"))).type).toBe("application/octet-stream");
  });

  it("finds the page inside a renamed 'image': HTML and SVG are what they are, whatever the name", async () => {
    const page = bytes("\uFEFF  <!DOCTYPE html><html><script>alert(document.cookie)</script>");
    expect(await sniffType(page)).toEqual({ type: "text/html", ext: "html" });
    expect((await sniffType(bytes("<script>fetch('/steal')</script>"))).type).toBe("text/html");
    const svg = bytes(
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    );
    expect(await sniffType(svg)).toEqual({ type: "image/svg+xml", ext: "svg" });
    for (const type of ["text/html", "image/svg+xml"]) {
      expect(DEFAULT_TYPES).not.toContain(type);
      expect(servedInline(type)).toBe(false);
    }
  });

  it("takes a polyglot for what its signature says, so it is only ever served as that", async () => {
    // A JPEG with a page after it: served as image/jpeg with nosniff, a browser never runs it.
    const polyglot = bytes(JPEG, "<html><script>alert(1)</script></html>");
    expect((await sniffType(polyglot)).type).toBe("image/jpeg");
    expect(servedInline("image/jpeg")).toBe(true);
    expect(servedInline("application/pdf")).toBe(false);
  });
});

describe("a file's name", () => {
  it("keeps no path, control or bidi characters, and ends in what the file really is", () => {
    expect(safeFilename("../../etc/passwd\u202Egnp.exe", "pdf")).toBe("passwdgnp.pdf");
    expect(safeFilename("C:\\Users\\ana\\My invoice (1).PDF", "pdf")).toBe("My_invoice_(1).pdf");
    expect(safeFilename("photo.png", "html")).toBe("photo.html");
    expect(safeFilename("...", "txt")).toBe("file.txt");
    expect(safeFilename(`${"x".repeat(300)}.jpg`, "jpg")).toHaveLength(104);
    expect(safeFilename("Rechnung März.pdf", "pdf")).toBe("Rechnung_März.pdf");
  });
});
