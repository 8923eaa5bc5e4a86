/** @jsxRuntime classic */
/** @jsx h */
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (the pragma above)
import { h } from "preact";

/** Inline icons: decorative only, the buttons carry the names. */
const icon = (d: string, stroke?: boolean) => (
  <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" class={stroke ? "x" : undefined}>
    <path d={d} />
  </svg>
);

export const ChatIcon = () =>
  icon("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
export const CloseIcon = () => icon("M6 6l12 12M18 6 6 18", true);
export const SendIcon = () => icon("M3 20.5 21.5 12 3 3.5V10l12 2-12 2z");
