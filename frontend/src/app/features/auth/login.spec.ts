import { provideHttpClient } from '@angular/common/http';
import { settle } from '../../../testing/settle.ts';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { aUser } from '../../../testing/fixtures.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { Login } from './login.ts';

describe('Login page', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
  });

  async function render(returnTo?: string) {
    const fixture = TestBed.createComponent(Login);
    if (returnTo) fixture.componentRef.setInput('returnTo', returnTo);
    await settle(fixture);
    http.expectOne('/api/v1/auth/setup').flush({ needsSetup: false });
    const element: HTMLElement = fixture.nativeElement;
    const type = (label: string, value: string) => {
      const input = element.querySelector<HTMLInputElement>(`input[formcontrolname="${label}"]`)!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    };
    const submit = async () => {
      element.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await settle(fixture);
    };
    return { fixture, element, type, submit };
  }

  it('signs in and goes back to the page the user came from', async () => {
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    const page = await render('/jobs/7');
    page.type('username', 'ada');
    page.type('password', 'correct horse');
    await page.submit();
    const login = http.expectOne('/api/v1/auth/login');
    expect(login.request.body).toEqual({ username: 'ada', password: 'correct horse' });
    login.flush({ user: aUser('operator', { username: 'ada' }), csrfToken: 'csrf-1' });
    await settle(page.fixture);
    expect(TestBed.inject(SessionState).user()?.username).toBe('ada');
    expect(navigate).toHaveBeenCalledWith('/jobs/7');
  });

  it('says so when the password is wrong, without leaving the page', async () => {
    const page = await render();
    page.type('username', 'ada');
    page.type('password', 'wrong');
    await page.submit();
    http
      .expectOne('/api/v1/auth/login')
      .flush({ type: 'x', title: 'Unauthorized', status: 401 }, { status: 401, statusText: 'Unauthorized' });
    await settle(page.fixture);
    expect(page.element.querySelector('[role="alert"]')?.textContent).toContain('not right');
    expect(TestBed.inject(SessionState).user()).toBeNull();
  });

  it('does not call the API with an empty form', async () => {
    const page = await render();
    await page.submit();
    http.expectNone('/api/v1/auth/login');
    expect(page.element.textContent).toContain('Enter your username');
  });
});
