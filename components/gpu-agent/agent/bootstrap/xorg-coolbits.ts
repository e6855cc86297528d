/**
 * The legacy fan path (drivers before R520, where NVML cannot set fan speeds): nvidia-settings
 * needs an X server with the Coolbits option on every GPU, even on a headless server. This writes
 * the xorg.conf for systemd/xorg-headless.service: one Device and Screen per GPU, no monitor
 * needed (AllowEmptyInitialConfiguration), Coolbits 4 (manual fan control).
 */

export interface XorgGpu {
  index: number;
  /** As nvidia-smi / NVML report it: `00000000:0C:00.0` (hex). */
  pciBusId: string;
}

/** `00000000:0C:00.0` → `PCI:12:0:0`; Xorg wants decimal bus:device:function (and the domain as `@dom` when not 0). */
export function xorgBusId(pciBusId: string): string {
  const match = /^(?:([0-9a-f]{4,8}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(pciBusId.trim());
  if (!match) throw new Error(`not a PCI bus id: ${pciBusId}`);
  const [, domain = '0', bus = '0', device = '0', fn = '0'] = match;
  const d = Number.parseInt(domain, 16);
  return `PCI:${Number.parseInt(bus, 16)}${d ? `@${d}` : ''}:${Number.parseInt(device, 16)}:${Number.parseInt(fn, 10)}`;
}

export function xorgConfig(gpus: readonly XorgGpu[], coolbits = 4): string {
  if (gpus.length === 0) throw new Error('no GPUs: nothing to configure');
  const sorted = [...gpus].sort((a, b) => a.index - b.index);
  const layout = sorted
    .map(
      (gpu, i) =>
        `    Screen ${i} "screen${gpu.index}"${i > 0 ? ` RightOf "screen${sorted[i - 1]?.index ?? 0}"` : ''}`,
    )
    .join('\n');
  const sections = sorted.map(
    (gpu) => `Section "Device"
    Identifier "gpu${gpu.index}"
    Driver "nvidia"
    BusID "${xorgBusId(gpu.pciBusId)}"
    Option "Coolbits" "${coolbits}"
    Option "AllowEmptyInitialConfiguration" "true"
EndSection

Section "Screen"
    Identifier "screen${gpu.index}"
    Device "gpu${gpu.index}"
    Option "Coolbits" "${coolbits}"
    Option "AllowEmptyInitialConfiguration" "true"
EndSection
`,
  );
  return `# Written by gpu-agent xorg-config for systemd/xorg-headless.service (fan control on drivers before R520).
Section "ServerLayout"
    Identifier "skyy-headless"
${layout}
EndSection

Section "ServerFlags"
    Option "AutoAddGPU" "false"
    Option "BlankTime" "0"
EndSection

${sections.join('\n')}`;
}
