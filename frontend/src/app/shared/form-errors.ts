import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { FormSubmission } from './form-submission.ts';

/** Above a form's buttons: the errors that belong to no field of it, then the failure message. */
@Component({
  selector: 'app-form-errors',
  template: `
    @for (problem of submission().otherErrors(); track problem.path) {
      <p class="form-error" role="alert">{{ problem.path }}: {{ problem.message }}</p>
    }
    @if (submission().error()) {
      <p class="form-error" role="alert">{{ submission().error() }}</p>
    }
  `,
  // No box of its own: the messages stay items of the form's grid, as if written there.
  styles: `
    :host {
      display: contents;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FormErrors {
  readonly submission = input.required<FormSubmission>();
}
