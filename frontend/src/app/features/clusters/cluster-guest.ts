import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import {
  clusterDriftSchema,
  clusterGuestDetailSchema,
  type ClusterDrift,
  type ClusterGuestDetail,
} from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { Api } from '../../core/http/api.ts';
import { ApiError } from '../../core/http/api-error.ts';
import { Icon } from '../../shared/icon.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { bytes } from './cluster-inventory.ts';
import { explainTag, guestDrift } from './guest-drift.ts';

/**
 * One VM or container as the last sync found it (config, disks, NICs, GPUs and who holds them,
 * Skyy's identity tags) and its drift against the host file that declares it. The guest comes
 * from the stored inventory; the drift is planned live, so it loads (or fails) on its own.
 */
@Component({
  selector: 'app-cluster-guest',
  imports: [RouterLink, MatButtonModule, Icon, DateTimePipe],
  templateUrl: './cluster-guest.html',
  styles: `
    .restart {
      color: var(--mat-sys-error);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClusterGuestPage {
  private readonly api = inject(Api);
  protected readonly session = inject(SessionState);
  protected readonly explainTag = explainTag;
  protected readonly bytes = bytes;

  readonly id = input.required<string>();
  readonly vmid = input.required<string>();

  protected readonly detail = signal<ClusterGuestDetail | null>(null);
  /** 404: the last sync did not find this VMID (deleted, or not synced yet). */
  protected readonly missing = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly drift = signal<ClusterDrift | null>(null);
  protected readonly driftError = signal<string | null>(null);

  protected readonly state = computed(() => {
    const detail = this.detail();
    const drift = this.drift();
    return detail && drift ? guestDrift(detail.guest, drift) : null;
  });

  constructor() {
    effect(() => {
      const base = `/clusters/${this.id()}`;
      const vmid = this.vmid();
      this.detail.set(null);
      this.drift.set(null);
      this.api.get(`${base}/guests/${vmid}`, clusterGuestDetailSchema).then(
        (detail) => {
          this.detail.set(detail);
          this.missing.set(false);
          this.error.set(null);
        },
        (error: unknown) => {
          const failure = ApiError.from(error);
          this.missing.set(failure.status === 404);
          this.error.set(failure.message);
        },
      );
      this.api.get(`${base}/drift`, clusterDriftSchema).then(
        (drift) => {
          this.drift.set(drift);
          this.driftError.set(null);
        },
        (error: unknown) => this.driftError.set(ApiError.from(error).message),
      );
    });
  }
}
