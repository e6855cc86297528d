import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';

@Component({
  selector: 'app-not-found',
  imports: [RouterLink, MatButtonModule],
  template: `
    <header class="page-header"><h1>Page not found</h1></header>
    <p>There is no page at this address. It may have been moved, or the link is mistyped.</p>
    <a mat-flat-button routerLink="/">Go to the start page</a>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotFound {}
