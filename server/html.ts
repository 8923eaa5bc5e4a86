/**
 * Escapes text for HTML element content and attribute values: every page and mail the server
 * writes goes through this one function.
 *
 * @example
 * escapeHtml('<b>"hi"</b>'); // "&lt;b&gt;&quot;hi&quot;&lt;/b&gt;"
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
