import { bodyLimit } from "hono/body-limit";
import { errorBody } from "../../errors.ts";

/** A file field of a multipart call, as an emulated API reads it. */
export interface FormFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/**
 * A multipart call's fields as the emulated APIs take them (a bot's `sendDocument`, a business
 * number's media upload): text fields as strings, files with their bytes. The demo's simulators
 * and the tests' peers both read a form with it.
 *
 * @example
 * bot.handle({ path, body: "", form: await formFields(await request.formData()) });
 */
export async function formFields(form: FormData): Promise<Record<string, FormFile | string>> {
  const fields: Record<string, FormFile | string> = {};
  for (const [name, value] of form) {
    fields[name] =
      typeof value === "string"
        ? value
        : { name: value.name, type: value.type, bytes: new Uint8Array(await value.arrayBuffer()) };
  }
  return fields;
}

/** A multipart body's fields from its bytes and its `Content-Type` (with the boundary). */
export async function multipartFields(
  bytes: Uint8Array,
  contentType: string,
): Promise<Record<string, FormFile | string>> {
  const form = await new Response(new Uint8Array(bytes), {
    headers: { "content-type": contentType },
  }).formData();
  return formFields(form);
}

/** A file a business sends through an emulated API: up to a 10 MB photo, and a little more. */
export const uploadBody = bodyLimit({
  maxSize: 11 * 1024 * 1024,
  onError: (c) => c.json(errorBody("payload_too_large", "Too large"), 413),
});
