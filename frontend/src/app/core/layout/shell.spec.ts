import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { EMPTY } from 'rxjs';
import { aUser } from '../../../testing/fixtures.ts';
import { SessionState } from '../auth/session-state.ts';
import { LiveEvents } from '../events/live-events.ts';
import { Shell } from './shell.ts';

describe('Shell', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    Object.defineProperty(TestBed.inject(LiveEvents), 'events$', { value: EMPTY });
  });

  const navLabels = async () => {
    const fixture = TestBed.createComponent(Shell);
    await fixture.whenStable();
    const element: HTMLElement = fixture.nativeElement;
    return [...element.querySelectorAll('nav a[mat-list-item]')].map((a) => a.textContent?.trim());
  };

  it('shows a customer user only their deployments', async () => {
    TestBed.inject(SessionState).signedIn({ user: aUser('customer'), csrfToken: null });
    expect(await navLabels()).toEqual(['My deployments']);
  });

  it('shows staff every area, with the signed-in name in the account menu', async () => {
    TestBed.inject(SessionState).signedIn({ user: aUser('viewer', { username: 'grace' }), csrfToken: null });
    const fixture = TestBed.createComponent(Shell);
    await fixture.whenStable();
    const element: HTMLElement = fixture.nativeElement;
    expect(element.querySelectorAll('nav a[mat-list-item]').length).toBe(12);
    expect(element.querySelector('.account')?.textContent).toContain('grace');
  });
});
