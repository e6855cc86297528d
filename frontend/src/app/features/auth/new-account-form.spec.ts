import { HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { registerRequestSchema, type RegisterRequest } from '@skyy/contracts';
import { settle } from '../../../testing/settle.ts';
import { NewAccountForm } from './new-account-form.ts';

describe('New account form', () => {
  async function render(create: (request: RegisterRequest) => Promise<unknown>) {
    const fixture = TestBed.createComponent(NewAccountForm<typeof registerRequestSchema>);
    fixture.componentRef.setInput('schema', registerRequestSchema);
    fixture.componentRef.setInput('extra', { invite: 'invite-token-1234567890' });
    fixture.componentRef.setInput('email', 'grace@example.net');
    fixture.componentRef.setInput('submitLabel', 'Create account');
    fixture.componentRef.setInput('create', create);
    await settle(fixture);
    const element: HTMLElement = fixture.nativeElement;
    const field = (name: string) => element.querySelector<HTMLInputElement>(`[formcontrolname="${name}"]`)!;
    const type = (name: string, value: string) => {
      field(name).value = value;
      field(name).dispatchEvent(new Event('input'));
    };
    const submit = async () => {
      element.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await settle(fixture);
    };
    return { element, field, type, submit };
  }

  it('says the two passwords differ under the repeat field and sends nothing', async () => {
    const create = vi.fn(() => Promise.resolve());
    const form = await render(create);
    form.type('username', 'grace');
    form.type('password', 'grace has a long password');
    form.type('repeat', 'grace has a long pasword');
    await form.submit();
    expect(form.element.querySelector('mat-error')?.textContent).toContain('The two passwords differ');
    expect(create).not.toHaveBeenCalled();
  });

  it('sends the page’s request with the invited address, and shows the server’s refusal under the field', async () => {
    const create = vi.fn((_request: RegisterRequest) =>
      Promise.reject(
        new HttpErrorResponse({
          status: 409,
          statusText: 'Conflict',
          error: {
            type: 'https://skyy.dev/problems/conflict',
            title: 'Conflict',
            status: 409,
            errors: [{ path: 'username', message: 'this username is taken' }],
          },
        }),
      ),
    );
    const form = await render(create);
    expect(form.field('email').value).toBe('grace@example.net');
    form.type('username', 'grace');
    form.type('password', 'grace has a long password');
    form.type('repeat', 'grace has a long password');
    await form.submit();
    expect(create).toHaveBeenCalledWith({
      invite: 'invite-token-1234567890',
      username: 'grace',
      password: 'grace has a long password',
      email: 'grace@example.net',
    });
    const usernameField = form.field('username').closest('mat-form-field');
    expect(usernameField?.querySelector('mat-error')?.textContent).toContain('this username is taken');
    expect(form.element.querySelector('[role="alert"]')).toBeNull();
  });
});
