import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';

/** The GPU area: the fleet, the agents that report it, and the config they run with, as tabs. */
@Component({
  selector: 'app-gpus-page',
  imports: [MatTabsModule, RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <header class="page-header"><h1>GPUs</h1></header>
    <nav mat-tab-nav-bar [tabPanel]="panel" mat-stretch-tabs="false" aria-label="GPU sections">
      @for (tab of tabs; track tab.path) {
        <a
          mat-tab-link
          [routerLink]="tab.path"
          routerLinkActive
          [routerLinkActiveOptions]="{ exact: tab.exact }"
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
export class GpusPage {
  protected readonly tabs = [
    { path: '/gpus', label: 'Fleet', exact: true },
    { path: '/gpus/agents', label: 'Agents', exact: false },
    { path: '/gpus/config', label: 'Config', exact: false },
  ];
}
