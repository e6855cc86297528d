import { Inject, Injectable } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import type { Executor } from '../../core/database/database.ts';
import { TooManyRequests } from '../../core/errors/problems.ts';
import { CONFIG } from '../../core/tokens.ts';
import { addMs, Clock, MINUTE_MS } from './clock.ts';
import { LoginFailuresRepository } from './login-failures.repository.ts';

export interface ThrottleKeys {
  user: string;
  ip: string;
}

/**
 * Sign-in rate limiting. A username is locked for `lockout_minutes` after `login_max_failures`
 * failures within that period; a client address after four times as many (password spraying
 * over many usernames). While locked, even the right password is refused with a 429.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(LoginFailuresRepository) private readonly repo: LoginFailuresRepository,
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  keys(login: string, ip: string): ThrottleKeys {
    return { user: `user:${login.trim().toLowerCase()}`, ip: `ip:${ip}` };
  }

  private get lockoutMs(): number {
    return this.config.auth.lockout_minutes * MINUTE_MS;
  }

  private limitFor(key: string): number {
    const perUser = this.config.auth.login_max_failures;
    return key.startsWith('ip:') ? perUser * 4 : perUser;
  }

  /** Throws 429 with Retry-After while the username or the address is locked. */
  async assertNotLocked(keys: ThrottleKeys): Promise<void> {
    const now = this.clock.now();
    const rows = await this.repo.find([keys.user, keys.ip]);
    const locked = rows.filter((r) => r.locked_until !== null && r.locked_until > now.toISOString());
    if (locked.length === 0) return;
    const until = Math.max(...locked.map((r) => Date.parse(r.locked_until ?? '')));
    const seconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
    const what = locked.some((r) => r.key === keys.user) ? 'this account' : 'this address';
    throw new TooManyRequests(
      `Too many failed sign-ins for ${what}; try again in ${Math.ceil(seconds / 60)} minute(s).`,
      seconds,
    );
  }

  /** Counts a failure for both keys; returns which of them this failure locked. */
  async recordFailure(keys: ThrottleKeys, tx: Executor): Promise<('user' | 'ip')[]> {
    const now = this.clock.now();
    const windowStart = addMs(now, -this.lockoutMs).toISOString();
    const until = addMs(now, this.lockoutMs).toISOString();
    const locked: ('user' | 'ip')[] = [];
    for (const kind of ['user', 'ip'] as const) {
      const key = keys[kind];
      const row = await this.repo.increment(key, now.toISOString(), windowStart, tx);
      if (row.failures >= this.limitFor(key) && (await this.repo.lock(key, until, tx))) locked.push(kind);
    }
    return locked;
  }

  /** A successful sign-in ends the run of failures for that username (not for the address). */
  async clearUser(keys: ThrottleKeys, tx: Executor): Promise<void> {
    await this.repo.clear(keys.user, tx);
  }

  async forgetStale(tx: Executor): Promise<void> {
    const now = this.clock.now();
    await this.repo.deleteStale(addMs(now, -2 * this.lockoutMs).toISOString(), now.toISOString(), tx);
  }
}
