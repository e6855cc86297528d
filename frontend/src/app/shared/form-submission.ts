import { signal } from '@angular/core';
import type { FormGroup } from '@angular/forms';
import type { z } from 'zod';
import { ApiError } from '../core/http/api-error.ts';
import { applyFieldErrors, controlError, zodFieldErrors, type FieldError } from './field-errors.ts';

/**
 * One form's way from "Submit" to the server and back: it validates with the API's own zod
 * schema, sends, and puts every complaint where the user looks for it. An error whose path
 * names a field stands under that field; one that names no field of this form stands above
 * the buttons as "path: message" (`otherErrors`); a failure about no field at all is `error`.
 * `<app-form-errors>` shows the last two.
 *
 * ```ts
 * protected readonly submission = new FormSubmission(this.form);
 * async submit() {
 *   this.submission.begin();
 *   const body = this.submission.parse(customerCreateSchema, this.form.getRawValue());
 *   if (body) await this.submission.send(() => this.customers.create(body));
 * }
 * ```
 */
export class FormSubmission {
  /** True while the request runs: the submit button is disabled. */
  readonly busy = signal(false);
  /** A failure that belongs to no field (server down, conflict, wrong password). */
  readonly error = signal<string | null>(null);
  /** Errors whose path names no control of this form. */
  readonly otherErrors = signal<FieldError[]>([]);

  constructor(
    private readonly form: FormGroup,
    /** Maps a dotted error path to this form's control name; by default its first segment. */
    private readonly controlFor?: (path: string) => string | null,
  ) {}

  /**
   * Starts a submit: shows every field's own validation (touched) and forgets the last
   * attempt's messages. Returns whether the form's own validators pass.
   */
  begin(): boolean {
    this.form.markAllAsTouched();
    this.error.set(null);
    this.otherErrors.set([]);
    return this.form.valid;
  }

  /** The body parsed with `schema`, or undefined after putting each issue where it belongs. */
  parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> | undefined {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    this.place(zodFieldErrors(parsed.error));
    return undefined;
  }

  /** A check of the form's own (the two passwords differ), shown like any other field error. */
  reject(path: string, message: string): void {
    this.place([{ path, message }]);
  }

  /**
   * Runs the request with the form busy. A problem+json answer's field errors go onto their
   * fields; without any, `describe` words the failure (default: the server's own message).
   * Resolves true when the request succeeded.
   */
  async send(
    request: () => Promise<unknown>,
    describe: (problem: ApiError) => string = (problem) => problem.message,
  ): Promise<boolean> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await request();
      return true;
    } catch (error) {
      const problem = ApiError.from(error);
      this.place(problem.fieldErrors);
      if (!problem.fieldErrors.length) this.error.set(describe(problem));
      return false;
    } finally {
      this.busy.set(false);
    }
  }

  /** The message under a field (for its mat-error). */
  errorOf(name: string): string | null {
    return controlError(this.form.get(name));
  }

  private place(errors: FieldError[]): void {
    this.otherErrors.set(applyFieldErrors(this.form, errors, this.controlFor));
  }
}
