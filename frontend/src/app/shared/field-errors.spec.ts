import { FormControl, FormGroup } from '@angular/forms';
import { hostCreateSchema } from '@skyy/contracts';
import { applyFieldErrors, controlError, zodFieldErrors } from './field-errors.ts';

describe('field errors', () => {
  const form = () =>
    new FormGroup({
      hostname: new FormControl(''),
      ipAddress: new FormControl(''),
      settings: new FormControl(''),
    });

  it('puts the API schema’s own messages on the fields they belong to', () => {
    const parsed = hostCreateSchema.safeParse({ hostname: 'bad host!', ipAddress: '999.1.1.1' });
    expect(parsed.success).toBe(false);
    const group = form();
    const unplaced = applyFieldErrors(group, zodFieldErrors(parsed.error!));
    expect(unplaced).toEqual([]);
    expect(controlError(group.get('hostname'))).toBe('not a valid hostname');
    expect(controlError(group.get('ipAddress'))).toBe('expected an IPv4 or IPv6 address');
    expect(group.get('hostname')?.touched).toBe(true);
  });

  it('maps nested server paths through the form’s own mapping and keeps the path in the message', () => {
    const group = form();
    const unplaced = applyFieldErrors(
      group,
      [
        { path: 'settings.storage.os_disk.device', message: 'expected a device path like /dev/sda' },
        { path: 'clusterId', message: 'cluster does not exist' },
      ],
      (path) => (path.startsWith('settings') ? 'settings' : path),
    );
    expect(controlError(group.get('settings'))).toBe(
      'settings.storage.os_disk.device: expected a device path like /dev/sda',
    );
    expect(unplaced).toEqual([{ path: 'clusterId', message: 'cluster does not exist' }]);
  });

  it('writes array positions the way the API does', () => {
    const parsed = hostCreateSchema.safeParse({ hostname: 'h', ipAddress: '10.0.0.1', roles: ['ok', ''] });
    expect(zodFieldErrors(parsed.error!)[0]?.path).toBe('roles[1]');
  });
});
