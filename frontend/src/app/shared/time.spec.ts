import { dateTime, timeAgo } from './time.ts';

describe('times', () => {
  const now = Date.parse('2026-11-27T12:00:00.000Z');

  it('says how long ago in words', () => {
    expect(timeAgo('2026-11-27T11:57:00.000Z', now)).toBe('3 minutes ago');
    expect(timeAgo('2026-11-26T12:00:00.000Z', now)).toBe('yesterday');
    expect(timeAgo('2026-11-27T12:00:00.000Z', now)).toBe('now');
    expect(timeAgo(null, now)).toBe('—');
  });

  it('leaves text that is not a time as it is', () => {
    expect(timeAgo('soon', now)).toBe('soon');
    expect(dateTime('soon')).toBe('soon');
    expect(dateTime(undefined)).toBe('—');
  });
});
