import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, inject, type OnDestroy } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDividerModule } from '@angular/material/divider';
import { MatListModule } from '@angular/material/list';
import { MatMenuModule } from '@angular/material/menu';
import { MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { JobNotifier } from '../../features/jobs/job-notifier.ts';
import { Icon } from '../../shared/icon.ts';
import { AuthApi } from '../auth/auth-api.ts';
import { homeFor } from '../auth/guards.ts';
import { SessionState } from '../auth/session-state.ts';
import { navFor } from './nav-items.ts';
import { Theme, type ThemeChoice } from './theme.ts';

/** The frame around every signed-in page: navigation by area, theme, account menu. */
@Component({
  selector: 'app-shell',
  imports: [
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
    MatSidenavModule,
    MatToolbarModule,
    MatListModule,
    MatButtonModule,
    MatMenuModule,
    MatTooltipModule,
    MatDividerModule,
    Icon,
  ],
  templateUrl: './shell.html',
  styleUrl: './shell.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Shell implements OnDestroy {
  private readonly auth = inject(AuthApi);
  private readonly router = inject(Router);
  private readonly notifier = inject(JobNotifier);
  protected readonly session = inject(SessionState);
  protected readonly theme = inject(Theme);

  /** Below 960 px the navigation slides over the page and closes after each choice. */
  protected readonly compact = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 959.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  protected readonly groups = computed(() => navFor(this.session.role()));
  protected readonly home = computed(() => homeFor(this.session.role()));
  protected readonly themeChoices: { value: ThemeChoice; label: string }[] = [
    { value: 'system', label: 'Match the system' },
    { value: 'light', label: 'Light' },
    { value: 'dark', label: 'Dark' },
  ];
  protected readonly themeIcon = computed(() =>
    this.theme.choice() === 'dark'
      ? 'dark_mode'
      : this.theme.choice() === 'light'
        ? 'light_mode'
        : 'brightness_auto',
  );

  constructor() {
    this.notifier.start();
  }

  ngOnDestroy(): void {
    this.notifier.stop();
  }

  protected async logout(): Promise<void> {
    this.notifier.stop();
    await this.auth.logout().catch(() => undefined);
    await this.router.navigateByUrl('/login');
  }
}
