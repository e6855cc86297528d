import { TestBed } from '@angular/core/testing';
import {
  provideRouter,
  Router,
  type ActivatedRouteSnapshot,
  type RouterStateSnapshot,
  UrlTree,
} from '@angular/router';
import { aUser } from '../../../testing/fixtures.ts';
import { AuthApi } from './auth-api.ts';
import { homeFor, requireRole, safeReturnTo, signedIn } from './guards.ts';
import { SessionState } from './session-state.ts';

describe('route guards', () => {
  let needsSetup = false;

  beforeEach(() => {
    needsSetup = false;
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        {
          provide: AuthApi,
          useValue: { restore: () => Promise.resolve(), needsSetup: () => Promise.resolve(needsSetup) },
        },
      ],
    });
  });

  const run = (guard: typeof signedIn, url: string) =>
    TestBed.runInInjectionContext(() =>
      guard({} as ActivatedRouteSnapshot, { url } as RouterStateSnapshot),
    ) as Promise<boolean | UrlTree>;
  const serialize = (result: boolean | UrlTree) =>
    result instanceof UrlTree ? TestBed.inject(Router).serializeUrl(result) : result;

  it('sends a visitor to sign in and back to the page afterwards', async () => {
    expect(serialize(await run(signedIn, '/jobs/42'))).toBe('/login?returnTo=%2Fjobs%2F42');
  });

  it('sends the very first visitor of an empty install to first-run setup', async () => {
    needsSetup = true;
    expect(serialize(await run(signedIn, '/'))).toBe('/setup');
  });

  it('lets a signed-in user in, and keeps viewers out of operator pages', async () => {
    TestBed.inject(SessionState).signedIn({ user: aUser('viewer'), csrfToken: null });
    expect(await run(signedIn, '/hosts')).toBe(true);
    expect(serialize(await run(requireRole('operator'), '/hosts/new'))).toBe('/dashboard');
  });

  it('sends customer users to their deployments instead of staff areas', async () => {
    TestBed.inject(SessionState).signedIn({ user: aUser('customer'), csrfToken: null });
    expect(serialize(await run(requireRole('viewer'), '/hosts'))).toBe('/deployments');
    expect(homeFor('customer')).toBe('/deployments');
  });

  it('only returns to pages of this console', () => {
    expect(safeReturnTo('/hosts?q=a')).toBe('/hosts?q=a');
    expect(safeReturnTo('//evil.example/phish')).toBeNull();
    expect(safeReturnTo('https://evil.example')).toBeNull();
    expect(safeReturnTo(undefined)).toBeNull();
  });
});
