import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { SessionState } from '../auth/session-state.ts';
import { csrfInterceptor, readCsrfCookie } from './csrf.interceptor.ts';

describe('csrfInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([csrfInterceptor])), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    document.cookie = 'skyy_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
  });
  afterEach(() => backend.verify());

  it('sends the skyy_csrf cookie as x-csrf-token on writes to the API', async () => {
    document.cookie = 'skyy_csrf=from-cookie; path=/';
    const done = firstValueFrom(http.post('/api/v1/hosts', {}));
    const request = backend.expectOne('/api/v1/hosts');
    expect(request.request.headers.get('x-csrf-token')).toBe('from-cookie');
    request.flush({});
    await done;
  });

  it('falls back to the token from the sign-in answer when the cookie is missing', async () => {
    TestBed.inject(SessionState).signedIn({
      user: {
        id: '00000000-0000-4000-8000-000000000001',
        username: 'ada',
        email: null,
        role: 'admin',
        customerId: null,
        disabled: false,
        createdAt: '2026-11-27T00:00:00.000Z',
        updatedAt: '2026-11-27T00:00:00.000Z',
        lastLoginAt: null,
        passwordChangedAt: '2026-11-27T00:00:00.000Z',
      },
      csrfToken: 'from-login',
    });
    const done = firstValueFrom(http.delete('/api/v1/hosts/x'));
    const request = backend.expectOne('/api/v1/hosts/x');
    expect(request.request.headers.get('x-csrf-token')).toBe('from-login');
    request.flush(null);
    await done;
  });

  it('leaves reads and other sites alone', async () => {
    document.cookie = 'skyy_csrf=secret; path=/';
    const read = firstValueFrom(http.get('/api/v1/hosts'));
    const get = backend.expectOne('/api/v1/hosts');
    expect(get.request.headers.has('x-csrf-token')).toBe(false);
    get.flush({});
    const elsewhere = firstValueFrom(http.post('https://example.net/hook', {}));
    const post = backend.expectOne('https://example.net/hook');
    expect(post.request.headers.has('x-csrf-token')).toBe(false);
    post.flush({});
    await Promise.all([read, elsewhere]);
  });

  it('reads the cookie among others, URL-decoded', () => {
    expect(readCsrfCookie('a=1; skyy_csrf=abc%3D%3D; b=2')).toBe('abc==');
    expect(readCsrfCookie('a=1')).toBeNull();
  });
});
