import { HttpErrorResponse } from '@angular/common/http';
import { FormControl, FormGroup, Validators } from '@angular/forms';
import { hostCreateSchema } from '@skyy/contracts';
import { FormSubmission } from './form-submission.ts';

/** What the API answers a rejected write with: problem+json, optionally with field errors. */
function problem(status: number, title: string, errors?: { path: string; message: string }[]) {
  return new HttpErrorResponse({
    status,
    statusText: title,
    error: { type: 'https://skyy.dev/problems/x', title, status, ...(errors ? { errors } : {}) },
  });
}

describe('FormSubmission', () => {
  const hostForm = () =>
    new FormGroup({
      hostname: new FormControl('', { nonNullable: true, validators: Validators.required }),
      ipAddress: new FormControl('', { nonNullable: true }),
      settings: new FormControl('{}', { nonNullable: true }),
    });
  // The host form's mapping: anything under settings belongs to its one JSON field.
  const hostControlFor = (path: string) => (path.startsWith('settings') ? 'settings' : path);

  it('puts the schema’s issues on their fields and gives back nothing to send', () => {
    const form = hostForm();
    const submission = new FormSubmission(form);
    expect(submission.begin()).toBe(false);
    expect(form.controls.hostname.touched).toBe(true);
    const body = submission.parse(hostCreateSchema, { hostname: 'bad host!', ipAddress: '999.1.1.1' });
    expect(body).toBeUndefined();
    expect(submission.errorOf('hostname')).toBe('not a valid hostname');
    expect(submission.errorOf('ipAddress')).toBe('expected an IPv4 or IPv6 address');
    expect(submission.otherErrors()).toEqual([]);
    expect(submission.error()).toBeNull();
  });

  it('gives back the parsed body when the schema accepts it', () => {
    const submission = new FormSubmission(hostForm());
    const body = submission.parse(hostCreateSchema, { hostname: 'puma-proxmox-009', ipAddress: '10.0.0.9' });
    expect(body).toMatchObject({ hostname: 'puma-proxmox-009', ipAddress: '10.0.0.9' });
  });

  it('puts the server’s field errors on the right fields and the unknown ones above the buttons', async () => {
    const form = hostForm();
    const submission = new FormSubmission(form, hostControlFor);
    const sent = await submission.send(() =>
      Promise.reject(
        problem(422, 'Unprocessable', [
          { path: 'hostname', message: 'a host with this hostname exists' },
          { path: 'settings.storage.os_disk.device', message: 'expected a device path like /dev/sda' },
          { path: 'clusterId', message: 'cluster does not exist' },
        ]),
      ),
    );
    expect(sent).toBe(false);
    expect(submission.errorOf('hostname')).toBe('a host with this hostname exists');
    expect(submission.errorOf('settings')).toBe(
      'settings.storage.os_disk.device: expected a device path like /dev/sda',
    );
    expect(submission.otherErrors()).toEqual([{ path: 'clusterId', message: 'cluster does not exist' }]);
    // The fields say what is wrong; a generic "Unprocessable" on top would add nothing.
    expect(submission.error()).toBeNull();
  });

  it('shows a failure about no field as the top message, worded by the form if it likes', async () => {
    const submission = new FormSubmission(hostForm());
    await submission.send(() => Promise.reject(problem(409, 'Conflict')));
    expect(submission.error()).toBe('Conflict');
    await submission.send(
      () => Promise.reject(problem(401, 'Unauthorized')),
      (answer) => (answer.status === 401 ? 'The username or password is not right.' : answer.message),
    );
    expect(submission.error()).toBe('The username or password is not right.');
  });

  it('is busy only while the request runs, and a new attempt forgets the last one’s messages', async () => {
    const form = hostForm();
    const submission = new FormSubmission(form);
    await submission.send(() =>
      Promise.reject(problem(422, 'Unprocessable', [{ path: 'nowhere', message: 'odd' }])),
    );
    expect(submission.otherErrors()).toHaveLength(1);

    let finish: () => void = () => undefined;
    const running = submission.send(() => new Promise<void>((resolve) => (finish = resolve)));
    expect(submission.busy()).toBe(true);
    finish();
    expect(await running).toBe(true);
    expect(submission.busy()).toBe(false);

    submission.error.set('The server cannot be reached.');
    form.controls.hostname.setValue('puma-proxmox-001');
    expect(submission.begin()).toBe(true);
    expect(submission.error()).toBeNull();
    expect(submission.otherErrors()).toEqual([]);
  });

  it('shows a check of the form’s own under its field', () => {
    const submission = new FormSubmission(hostForm());
    submission.reject('settings', 'Not valid JSON');
    expect(submission.errorOf('settings')).toBe('Not valid JSON');
    expect(submission.otherErrors()).toEqual([]);
  });
});
