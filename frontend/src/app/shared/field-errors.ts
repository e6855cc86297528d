import type { AbstractControl, FormGroup } from '@angular/forms';
import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

/** zod issues as dotted paths, the same shape as the server's problem+json `errors`. */
export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path
      .map((key) => (typeof key === 'number' ? `[${key}]` : String(key)))
      .join('.')
      .replace(/\.\[/g, '['),
    message: issue.message,
  }));
}

/**
 * Puts each error on the form control it belongs to (shown beside the field by mat-error) and
 * returns the ones that have no control, to show above the buttons. `controlFor` maps a
 * dotted path to a control name, e.g. `settings.storage.…` → `settings`.
 */
export function applyFieldErrors(
  form: FormGroup,
  errors: FieldError[],
  controlFor: (path: string) => string | null = (path) => path.split(/[.[]/)[0] ?? null,
): FieldError[] {
  const unplaced: FieldError[] = [];
  const messages = new Map<AbstractControl, string[]>();
  for (const error of errors) {
    const name = controlFor(error.path);
    const control = name === null ? null : form.get(name);
    if (!control) {
      unplaced.push(error);
      continue;
    }
    const detail = name === error.path ? error.message : `${error.path}: ${error.message}`;
    messages.set(control, [...(messages.get(control) ?? []), detail]);
  }
  for (const [control, list] of messages) {
    control.setErrors({ ...(control.errors ?? {}), server: list.join('; ') });
    control.markAsTouched();
  }
  return unplaced;
}

/** The message to show under a field: its server/zod message, or Angular's `required`. */
export function controlError(control: AbstractControl | null): string | null {
  const errors = control?.errors;
  if (!errors) return null;
  if (typeof errors['server'] === 'string') return errors['server'];
  if (errors['required']) return 'Required';
  return 'Invalid value';
}
