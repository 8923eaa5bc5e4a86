import PostalMime from "postal-mime";

/**
 * RFC 3676 `format=flowed` decoding that respects quote depth. A flowed line (one ending in a
 * space) joins the next only when both have the same number of `>` marks (§4.5: a change of
 * depth makes the flowed line fixed); the marks and the space stuffing of the joined line are
 * removed (§4.2, §4.4), and the `-- ` signature line never flows.
 *
 * @example
 * decodeFlowed("> Hi \n> there\nHello", false); // "> Hi there\nHello"
 */
export function decodeFlowed(text: string, delSp: boolean): string {
  const out: string[] = [];
  let open: { depth: number; text: string } | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const depth = /^>*/.exec(raw)![0].length;
    let line = raw.slice(depth);
    if (line.startsWith(" ")) line = line.slice(1);
    const flows = line.endsWith(" ") && line !== "-- ";
    const piece = flows && delSp ? line.slice(0, -1) : line;
    if (open && open.depth === depth) open.text += piece;
    else {
      if (open) out.push(render(open));
      open = { depth, text: piece };
    }
    if (!flows) {
      out.push(render(open));
      open = null;
    }
  }
  if (open) out.push(render(open));
  return out.join("\n");
}

function render(line: { depth: number; text: string }): string {
  return line.depth > 0 ? `${">".repeat(line.depth)} ${line.text}` : line.text;
}

interface FlowedDecoder {
  decodeFlowedText(text: string, delSp: boolean): string;
}

/**
 * postal-mime 4 joins a quoted flowed line with the unquoted line after it (so a whole
 * Thunderbird reply reads as one quote); its MIME nodes decode flowed text through this one
 * method, which we replace with `decodeFlowed`. `flowed.test.ts` checks it on a real message,
 * so an upgrade that moves the method fails there, not in production.
 */
export function fixFlowedDecoding(): void {
  const root = (new PostalMime() as unknown as { root: object }).root;
  const node = Object.getPrototypeOf(root) as FlowedDecoder;
  if (typeof node.decodeFlowedText !== "function") return;
  node.decodeFlowedText = decodeFlowed;
}
