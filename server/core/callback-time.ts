/**
 * When a callback will come, in words of the visitor's language and in their own time zone: the
 * time an agent scheduled, else the window asked for ("Friday 4 December 2026 at 14:00 – 15:00").
 *
 * @example
 * callbackTime({ timeZone: "Europe/Amsterdam", window, asap: false }, "nl");
 */
export function callbackTime(
  callback: { timeZone: string; window: { from: string; to: string }; scheduledFor?: string },
  locale: string | undefined,
): string {
  const format = new Intl.DateTimeFormat(locale ?? "en", {
    timeZone: callback.timeZone,
    dateStyle: "full",
    timeStyle: "short",
  });
  if (callback.scheduledFor) return format.format(new Date(callback.scheduledFor));
  const time = new Intl.DateTimeFormat(locale ?? "en", {
    timeZone: callback.timeZone,
    timeStyle: "short",
  });
  return `${format.format(new Date(callback.window.from))} – ${time.format(new Date(callback.window.to))}`;
}
