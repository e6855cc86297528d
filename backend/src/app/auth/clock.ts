/**
 * Time as the auth rules see it (session expiry, lockout windows, token expiry). A provider so
 * that tests move time forward instead of sleeping: `vi.spyOn(app.get(Clock), 'now')`.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export const addMs = (date: Date, ms: number): Date => new Date(date.getTime() + ms);
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
