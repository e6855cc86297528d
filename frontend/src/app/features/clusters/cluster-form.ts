import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { clusterCreateSchema, clusterUpdateSchema, type Cluster } from '@skyy/contracts';
import { errorMessage } from '../../core/http/api-error.ts';
import { FormErrors } from '../../shared/form-errors.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { ClustersApi } from './clusters-api.ts';

const controlFor = (path: string) =>
  path.startsWith('tls.') ? path.replace('tls.', 'tls') : (path.split(/[.[]/)[0] ?? path);

@Component({
  selector: 'app-cluster-form',
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
  template: `
    <header class="page-header">
      <h1>{{ id() ? 'Edit ' + (loaded()?.name ?? 'cluster') : 'Add a cluster' }}</h1>
    </header>
    <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <mat-form-field>
        <mat-label>Name</mat-label>
        <input matInput formControlName="name" required autocomplete="off" />
        <mat-error>{{ submission.errorOf('name') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Type</mat-label>
        <mat-select formControlName="type">
          <mat-option value="proxmox">Proxmox VE</mat-option>
          <mat-option value="ceph">Ceph</mat-option>
          <mat-option value="nomad">Nomad</mat-option>
        </mat-select>
        <mat-error>{{ submission.errorOf('type') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Site</mat-label>
        <input matInput formControlName="site" autocomplete="off" />
        <mat-error>{{ submission.errorOf('site') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>API URL</mat-label>
        <input
          matInput
          formControlName="apiUrl"
          placeholder="https://pve1.example.net:8006"
          autocomplete="off"
        />
        <mat-error>{{ submission.errorOf('apiUrl') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>API token id</mat-label>
        <input matInput formControlName="tokenId" placeholder="skyy@pve!command" autocomplete="off" />
        <mat-error>{{ submission.errorOf('tokenId') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>API token secret</mat-label>
        <input matInput type="password" formControlName="tokenSecret" autocomplete="new-password" />
        <mat-hint>
          {{
            loaded()?.tokenSecret?.set
              ? 'A secret is set; leave empty to keep it.'
              : 'Stored encrypted, or write env:NAME'
          }}
        </mat-hint>
        <mat-error>{{ submission.errorOf('tokenSecret') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>TLS fingerprint (SHA-256)</mat-label>
        <input matInput formControlName="tlsfingerprint" autocomplete="off" />
        <mat-error>{{ submission.errorOf('tlsfingerprint') }}</mat-error>
      </mat-form-field>
      <mat-checkbox formControlName="tlsinsecure"
        >Do not verify the certificate (not recommended)</mat-checkbox
      >
      <app-form-errors [submission]="submission" />
      <div class="form-actions">
        <button mat-flat-button type="submit" [disabled]="submission.busy()">
          {{ id() ? 'Save changes' : 'Add cluster' }}
        </button>
        <a mat-button [routerLink]="id() ? ['/clusters', id()] : ['/clusters']">Cancel</a>
      </div>
    </form>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClusterForm {
  private readonly clusters = inject(ClustersApi);
  private readonly router = inject(Router);
  readonly id = input<string>();
  protected readonly form = inject(FormBuilder).nonNullable.group({
    name: ['', Validators.required],
    type: ['proxmox'],
    site: [''],
    apiUrl: [''],
    tokenId: [''],
    tokenSecret: [''],
    tlsfingerprint: [''],
    tlsinsecure: [false],
  });
  protected readonly submission = new FormSubmission(this.form, controlFor);
  protected readonly loaded = signal<Cluster | null>(null);

  constructor() {
    effect(() => {
      const id = this.id();
      if (!id) return;
      this.clusters.get(id).then(
        (cluster) => {
          this.loaded.set(cluster);
          this.form.setValue({
            name: cluster.name,
            type: cluster.type,
            site: cluster.site ?? '',
            apiUrl: cluster.apiUrl ?? '',
            tokenId: cluster.tokenId ?? '',
            tokenSecret: '',
            tlsfingerprint: cluster.tls.fingerprint ?? '',
            tlsinsecure: cluster.tls.insecure,
          });
        },
        (error: unknown) => this.submission.error.set(errorMessage(error)),
      );
    });
  }

  protected async submit(): Promise<void> {
    this.submission.begin();
    const v = this.form.getRawValue();
    const body = {
      name: v.name.trim(),
      type: v.type,
      site: v.site.trim() || null,
      apiUrl: v.apiUrl.trim() || null,
      tokenId: v.tokenId.trim() || null,
      // Editing without typing a secret keeps the stored one.
      ...(v.tokenSecret ? { tokenSecret: v.tokenSecret } : this.id() ? {} : { tokenSecret: null }),
      tls: {
        caFile: this.loaded()?.tls.caFile ?? null,
        fingerprint: v.tlsfingerprint.trim() || null,
        insecure: v.tlsinsecure,
      },
    };
    const id = this.id();
    const data = this.submission.parse(id ? clusterUpdateSchema : clusterCreateSchema, body);
    if (!data) return;
    await this.submission.send(async () => {
      const saved = id
        ? await this.clusters.update(id, data)
        : await this.clusters.create(clusterCreateSchema.parse(body));
      await this.router.navigate(['/clusters', saved.id]);
    });
  }
}
