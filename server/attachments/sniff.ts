import { fileTypeFromBuffer } from "file-type/core";

/**
 * What a file is, from its bytes alone (docs/architecture.md §12): never from its name or the type
 * the uploader declared, which are the attacker's to choose. Binary formats by their signatures
 * (`file-type`, Web APIs only, so the edge decides the same); what has none is text when it is
 * strict UTF-8 without NULs, and markup that a browser would run (HTML, SVG, XML with scripts)
 * is told apart from plain text so it is never served as a page.
 */

export interface Sniffed {
  /** The MIME type the bytes are. */
  type: string;
  /** Its usual extension, for the name a download is saved under. */
  ext: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** How much of a text is looked at for markup: enough for a doctype, a BOM and a comment. */
const HEAD = 1024;

function textOf(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Markup a browser would render and run, whatever the file is called. */
function markupOf(head: string): Sniffed | null {
  const start = head
    .replace(/^\uFEFF/, "")
    .trimStart()
    .toLowerCase();
  if (/^<svg[\s>]/.test(start) || (start.startsWith("<?xml") && start.includes("<svg"))) {
    return { type: "image/svg+xml", ext: "svg" };
  }
  if (
    /^<!doctype html|^<html[\s>]|^<head[\s>]|^<body[\s>]|^<script[\s>]|^<iframe[\s>]/.test(start)
  ) {
    return { type: "text/html", ext: "html" };
  }
  if (start.startsWith("<?xml")) return { type: "application/xml", ext: "xml" };
  return null;
}

/**
 * The file's type from its bytes; `application/octet-stream` when nothing is recognised.
 *
 * @example
 * await sniffType(bytes); // { type: "image/png", ext: "png" }
 */
export async function sniffType(bytes: Uint8Array): Promise<Sniffed> {
  const found = await fileTypeFromBuffer(bytes);
  // XML is text: whether it is an SVG (which runs scripts) is told below.
  if (found && found.mime !== "application/xml") return { type: found.mime, ext: found.ext };
  const text = textOf(bytes);
  if (text === null) return { type: "application/octet-stream", ext: "bin" };
  return markupOf(text.slice(0, HEAD)) ?? { type: "text/plain", ext: "txt" };
}
