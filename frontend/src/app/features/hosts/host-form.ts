import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { hostCreateSchema, hostUpdateSchema, type Host } from '@skyy/contracts';
import { errorMessage } from '../../core/http/api-error.ts';
import { FormErrors } from '../../shared/form-errors.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { splitList } from '../../shared/list-text.ts';
import { ReferenceNames } from '../../shared/reference-names.ts';
import { HostsApi } from './hosts-api.ts';

/** Where a server or zod error path belongs in this form. */
export function hostControlFor(path: string): string {
  if (path === 'settings.os') return 'os';
  if (path === 'settings.gpu') return 'gpu';
  if (path.startsWith('settings')) return 'settings';
  return path.split(/[.[]/)[0] ?? path;
}

/** Create (no id) or edit a host; validated with the API's own schema before it is sent. */
@Component({
  selector: 'app-host-form',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatCheckboxModule,
    MatButtonModule,
    FormErrors,
  ],
  templateUrl: './host-form.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HostForm {
  private readonly hosts = inject(HostsApi);
  private readonly router = inject(Router);
  protected readonly names = inject(ReferenceNames);

  /** Route parameter: absent when creating. */
  readonly id = input<string>();

  protected readonly form = inject(FormBuilder).nonNullable.group({
    hostname: ['', Validators.required],
    ipAddress: ['', Validators.required],
    roles: [''],
    tags: [''],
    os: [''],
    gpu: [false],
    clusterId: [''],
    customerId: [''],
    settings: ['{}'],
  });
  protected readonly submission = new FormSubmission(this.form, hostControlFor);
  protected readonly loaded = signal<Host | null>(null);

  constructor() {
    void this.names.loadClusters();
    void this.names.loadCustomers();
    effect(() => {
      const id = this.id();
      if (!id) return;
      this.hosts.get(id).then(
        (host) => this.fill(host),
        (error: unknown) => this.submission.error.set(errorMessage(error)),
      );
    });
  }

  private fill(host: Host): void {
    this.loaded.set(host);
    const { os, gpu, ...rest } = host.settings;
    this.form.setValue({
      hostname: host.hostname,
      ipAddress: host.ipAddress,
      roles: host.roles.join(', '),
      tags: host.tags.join(', '),
      os: typeof os === 'string' ? os : '',
      gpu: gpu === true || host.gpu,
      clusterId: host.clusterId ?? '',
      customerId: host.customerId ?? '',
      settings: JSON.stringify(rest, null, 2),
    });
  }

  protected async submit(): Promise<void> {
    this.submission.begin();
    const value = this.form.getRawValue();
    let extra: unknown;
    try {
      extra = JSON.parse(value.settings || '{}');
    } catch {
      this.submission.reject('settings', 'Not valid JSON');
      return;
    }
    if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
      this.submission.reject('settings', 'Expected a JSON object');
      return;
    }
    const body = {
      hostname: value.hostname.trim(),
      ipAddress: value.ipAddress.trim(),
      roles: splitList(value.roles),
      tags: splitList(value.tags),
      settings: { ...extra, ...(value.os ? { os: value.os } : {}), gpu: value.gpu },
      clusterId: value.clusterId || null,
      customerId: value.customerId || null,
    };
    const id = this.id();
    const data = this.submission.parse(id ? hostUpdateSchema : hostCreateSchema, body);
    if (!data) return;
    await this.submission.send(async () => {
      const saved = id
        ? await this.hosts.update(id, data)
        : await this.hosts.create(hostCreateSchema.parse(body));
      await this.router.navigate(['/hosts', saved.id]);
    });
  }
}
