import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatTabsModule } from '@angular/material/tabs';
import { Router, RouterLink } from '@angular/router';
import type { Host } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { Icon } from '../../shared/icon.ts';
import { ReferenceNames } from '../../shared/reference-names.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { humanKey, ValueTree } from '../../shared/value-tree.ts';
import { HostsApi } from './hosts-api.ts';
import { HostVmDrift } from './host-vm-drift.ts';

/** One host with every field it was imported with, readable, and the YAML it came from. */
@Component({
  selector: 'app-host-detail',
  imports: [RouterLink, MatButtonModule, MatTabsModule, Icon, DateTimePipe, ValueTree, HostVmDrift],
  templateUrl: './host-detail.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HostDetail {
  private readonly hosts = inject(HostsApi);
  private readonly confirm = inject(Confirm);
  private readonly router = inject(Router);
  protected readonly session = inject(SessionState);
  protected readonly names = inject(ReferenceNames);

  readonly id = input.required<string>();
  protected readonly host = signal<Host | null>(null);
  protected readonly error = signal<string | null>(null);

  /** Settings by section (networking, storage, …) with os/gpu already shown among the facts. */
  protected readonly sections = computed(() => {
    const settings = this.host()?.settings ?? {};
    return Object.entries(settings)
      .filter(([key]) => key !== 'os' && key !== 'gpu')
      .map(([key, value]) => ({ key, title: humanKey(key), value }));
  });

  constructor() {
    void this.names.loadClusters();
    void this.names.loadCustomers();
    effect(() => {
      const id = this.id();
      this.hosts.get(id).then(
        (host) => this.host.set(host),
        (error: unknown) => this.error.set(errorMessage(error)),
      );
    });
  }

  protected async remove(host: Host): Promise<void> {
    const yes = await this.confirm.ask({
      title: `Delete ${host.hostname}?`,
      message: 'The host leaves the inventory. Nothing is done to the machine itself.',
      confirmLabel: 'Delete host',
      destructive: true,
    });
    if (!yes) return;
    try {
      await this.hosts.delete(host.id);
      await this.router.navigateByUrl('/hosts');
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }
}
