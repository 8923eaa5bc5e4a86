import { useState } from "preact/hooks";
import { ApiError } from "../api.ts";

export interface LoginProps {
  /** Why the agent is here (a session that ended), if there is a reason. */
  notice: string | null;
  login(email: string, password: string): Promise<void>;
}

/** The login form: email and password of an agent of the sites file. */
export function Login({ notice, login }: LoginProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError(null);
    try {
      await login(String(data.get("email") ?? ""), String(data.get("password") ?? ""));
    } catch (failure) {
      setError(
        failure instanceof ApiError
          ? failure.code === "unauthorized"
            ? "Wrong email or password."
            : failure.message
          : "Could not log in. Try again.",
      );
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <form class="login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          omnithread <span class="muted">agent console</span>
        </h1>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <label for="login-email">Email</label>
        <input
          id="login-email"
          name="email"
          type="email"
          autocomplete="username"
          required
          autofocus
        />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
