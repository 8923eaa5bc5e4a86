/**
 * A locale tag's language (`nl-BE` → `nl`, `pt_BR` → `pt`), `en` when there is none: what the
 * server's own words (mail, texts) are chosen by.
 *
 * @example
 * languageOf("nl-BE"); // "nl"
 */
export const languageOf = (locale: string | undefined) =>
  (locale ?? "en").toLowerCase().split(/[-_]/)[0] || "en";

/**
 * The words of `locale`'s language from a table, English when it has none.
 *
 * @example
 * const w = wordsIn(WORDS, conversation.context.locale);
 */
export function wordsIn<W>(table: Record<string, W> & { en: W }, locale: string | undefined): W {
  return table[languageOf(locale)] ?? table.en;
}
