import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { aUser } from '../../../testing/fixtures.ts';
import { SessionState } from '../auth/session-state.ts';
import { sessionExpiryInterceptor } from './session-expiry.interceptor.ts';

describe('sessionExpiryInterceptor', () => {
  let navigate: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    navigate = vi.fn(() => Promise.resolve(true));
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([sessionExpiryInterceptor])),
        provideHttpClientTesting(),
        { provide: Router, useValue: { url: '/hosts/abc?tab=yaml', navigate } },
      ],
    });
  });

  async function answer401(): Promise<void> {
    const http = TestBed.inject(HttpClient);
    const call = firstValueFrom(http.get('/api/v1/hosts'));
    TestBed.inject(HttpTestingController)
      .expectOne('/api/v1/hosts')
      .flush({ title: 'Unauthorized', status: 401 }, { status: 401, statusText: 'Unauthorized' });
    await expect(call).rejects.toBeTruthy();
  }

  it('sends a signed-in user whose session ended to sign in, remembering the page', async () => {
    const session = TestBed.inject(SessionState);
    session.signedIn({ user: aUser('operator'), csrfToken: 't' });
    await answer401();
    expect(session.user()).toBeNull();
    expect(navigate).toHaveBeenCalledWith(['/login'], {
      queryParams: { returnTo: '/hosts/abc?tab=yaml', expired: 1 },
    });
  });

  it('does nothing special when nobody was signed in (the sign-in page handles its own 401)', async () => {
    await answer401();
    expect(navigate).not.toHaveBeenCalled();
  });
});
