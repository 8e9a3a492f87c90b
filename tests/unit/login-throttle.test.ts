import { describe, expect, it } from "vitest";
import { loginBlockedFor, recordLoginFailure, recordLoginSuccess } from "@/lib/auth/login-throttle";

describe("login throttle", () => {
  it("blocks an address after 10 failures within 15 minutes, until the oldest leaves the window", () => {
    const email = `a-${Math.random()}@example.com`;
    const start = 1_000_000_000_000;
    for (let i = 0; i < 9; i++) recordLoginFailure(email, start + i * 1000);
    expect(loginBlockedFor(email, start + 9_000)).toBeNull();
    recordLoginFailure(email, start + 9_000);
    expect(loginBlockedFor(email.toUpperCase(), start + 10_000)).toBe(15 * 60 - 10);
    expect(loginBlockedFor(email, start + 15 * 60_000 + 1)).toBeNull();
  });

  it("a success clears the count", () => {
    const email = `b-${Math.random()}@example.com`;
    for (let i = 0; i < 9; i++) recordLoginFailure(email);
    recordLoginSuccess(email);
    recordLoginFailure(email);
    expect(loginBlockedFor(email)).toBeNull();
  });
});
