import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { firewallPageSchema, type Firewall } from '@skyy/contracts';
import { Api } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { TimeAgoPipe } from '../../shared/time.ts';

/** The pfSense firewalls, one per site, from config.yaml or the API. */
@Component({
  selector: 'app-firewall-list',
  imports: [RouterLink, TimeAgoPipe],
  template: `
    <header class="page-header"><h1>Firewall</h1></header>
    <p class="subtitle">
      One pfSense per site: the public IPs mapped 1:1 to VMs, planned from your networking file and applied
      through the pfSense API.
    </p>
    @if (error()) {
      <p class="form-error" role="alert">{{ error() }}</p>
    }
    <div class="table-scroll">
      <table class="simple" aria-label="Firewalls">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Site</th>
            <th scope="col">API</th>
            <th scope="col">Networking file</th>
            <th scope="col">Defined in</th>
          </tr>
        </thead>
        <tbody>
          @for (firewall of firewalls(); track firewall.id) {
            <tr>
              <td>
                <a [routerLink]="['/firewall', firewall.id]">{{ firewall.name }}</a>
              </td>
              <td>{{ firewall.site }}</td>
              <td class="mono">{{ firewall.apiUrl }}</td>
              <td>
                @if (firewall.networking; as networking) {
                  {{ networking.name }}
                  <span class="muted">uploaded {{ networking.updatedAt | timeAgo }}</span>
                } @else {
                  {{ firewall.networkingFile ?? '—' }}
                }
              </td>
              <td>{{ firewall.source === 'config' ? 'config.yaml' : 'the API' }}</td>
            </tr>
          } @empty {
            <tr>
              <td colspan="5" class="empty">
                {{
                  loaded()
                    ? 'No firewalls yet: add them under firewalls: in config.yaml or through the API.'
                    : 'Loading…'
                }}
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FirewallList {
  private readonly api = inject(Api);
  protected readonly firewalls = signal<Firewall[]>([]);
  protected readonly loaded = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    this.api
      .get('/firewalls', firewallPageSchema, { limit: 500 })
      .then(
        (page) => this.firewalls.set(page.items),
        (error: unknown) => this.error.set(errorMessage(error)),
      )
      .finally(() => this.loaded.set(true));
  }
}
