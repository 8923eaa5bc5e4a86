import { expect } from "vitest";
import { AppError } from "../../server/errors.ts";

/** Awaits a promise that must reject with an AppError of `code` (and a message matching). */
export async function refused(
  promise: Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) expect((error as AppError).message).toMatch(message);
  return error as AppError;
}
