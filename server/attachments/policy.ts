/**
 * Which files a site takes and how they are served (docs/architecture.md §12). The defaults are
 * what a help desk's customers send: photos and screenshots, PDFs, plain text, office documents.
 * Only raster images are ever shown inline; everything else, and anything a browser could run,
 * downloads as a file under a sandboxing CSP.
 */

/** The largest file a site takes unless it says otherwise. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/**
 * The largest file a site may allow: uploads are held in memory while they are checked, and
 * 100 MB is also what Cloudflare's Free and Pro plans let into a worker.
 */
export const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;

/** What one conversation's visitor may send in all, unless the site says otherwise. */
export const DEFAULT_MAX_TOTAL_BYTES = 100 * 1024 * 1024;

/** What a site takes unless it says otherwise. */
export const DEFAULT_TYPES: readonly string[] = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/heic",
  "image/avif",
  "application/pdf",
  "text/plain",
  // Word, Excel, PowerPoint (OOXML, and the older OLE files), and OpenDocument.
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/x-cfb",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.presentation",
];

/** Raster images a browser shows and never runs: the only types served inline. */
const INLINE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);

/** Whether a file of this (sniffed) type may be shown in the page rather than downloaded. */
export const servedInline = (type: string) => INLINE.has(type);

/**
 * A name safe to show and to save under: no path, no control or bidi-override characters, no
 * characters that Windows or a shell treat specially, at most 120 characters, and the extension
 * of what the file really is (a `.png` that is HTML is saved as `.html`).
 *
 * @example
 * safeFilename("../../etc/passwd\u202Egnp.exe", "pdf"); // "passwdgnp.pdf"
 */
export function safeFilename(name: string, ext: string): string {
  const base = (name.split(/[\\/]/).pop() ?? "")
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .replace(/[<>:"|?*\s]+/g, "_")
    .replace(/^[._-]+/, "");
  const stem = base.replace(/\.[^.]*$/, "").slice(0, 100) || "file";
  return `${stem}.${ext}`;
}
