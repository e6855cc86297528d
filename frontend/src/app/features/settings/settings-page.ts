import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { SessionState } from '../../core/auth/session-state.ts';

/** Users and invites (administrators only) and integrations, as tabs. */
@Component({
  selector: 'app-settings-page',
  imports: [MatTabsModule, RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <header class="page-header"><h1>Settings</h1></header>
    <nav mat-tab-nav-bar [tabPanel]="panel" mat-stretch-tabs="false" aria-label="Settings sections">
      @for (tab of tabs(); track tab.path) {
        <a
          mat-tab-link
          [routerLink]="tab.path"
          routerLinkActive
          #active="routerLinkActive"
          [active]="active.isActive"
        >
          {{ tab.label }}
        </a>
      }
    </nav>
    <mat-tab-nav-panel #panel>
      <div class="tab-body"><router-outlet /></div>
    </mat-tab-nav-panel>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SettingsPage {
  private readonly session = inject(SessionState);
  protected tabs() {
    const all = [
      { path: 'users', label: 'Users', admin: true },
      { path: 'invites', label: 'Invites', admin: true },
      { path: 'integrations', label: 'Integrations', admin: false },
    ];
    return all.filter((tab) => !tab.admin || this.session.isAdmin());
  }
}
