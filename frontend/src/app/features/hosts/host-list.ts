import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import type { Host } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents, STREAM_RECONNECTED } from '../../core/events/live-events.ts';
import { CursorList } from '../../shared/cursor-list.ts';
import { CursorTable } from '../../shared/cursor-table.ts';
import { Icon } from '../../shared/icon.ts';
import { ReferenceNames } from '../../shared/reference-names.ts';
import { TimeAgoPipe } from '../../shared/time.ts';
import { HostsApi } from './hosts-api.ts';

@Component({
  selector: 'app-host-list',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatTableModule,
    MatSortModule,
    CursorTable,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatButtonModule,
    Icon,
    TimeAgoPipe,
  ],
  templateUrl: './host-list.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HostList {
  private readonly hosts = inject(HostsApi);
  protected readonly session = inject(SessionState);
  protected readonly names = inject(ReferenceNames);
  protected readonly list = new CursorList<Host>((query) => this.hosts.list(query), { sort: 'hostname' });
  protected readonly columns = ['hostname', 'ipAddress', 'roles', 'tags', 'gpu', 'cluster', 'updatedAt'];
  protected readonly filters = inject(FormBuilder).nonNullable.group({
    q: [''],
    role: [''],
    tag: [''],
    gpu: [''],
  });

  constructor() {
    void this.list.followFilters(this.filters, inject(DestroyRef));
    void this.names.loadClusters();
    const events = inject(LiveEvents);
    events.on('inventory.changed', () => void this.list.reload());
    events.on(STREAM_RECONNECTED, () => void this.list.reload());
  }
}
