/*
 * A stand-in for libnvidia-ml.so.1 with the prototypes and struct layouts of nvml.h, so that the
 * koffi binding (out parameters, string buffers, structs, 64-bit values, a missing symbol) is
 * exercised on a machine without a GPU. Two GPUs; GPU 1's temperature sensor is broken.
 * Deliberately lacks nvmlDeviceGetCurrentClocksEventReasons (pre-R535 drivers only have the
 * ThrottleReasons name).
 */
#include <stdio.h>
#include <string.h>

typedef struct { int index; unsigned fan[2]; unsigned limit_mw; } device_t;
typedef device_t *nvmlDevice_t;
typedef struct {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;

static device_t devices[2] = {{0, {40, 41}, 250000}, {1, {55, 56}, 320000}};
static int initialized = 0;

#define CHECK(d) do { if (!initialized) return 1; if (!(d)) return 2; } while (0)

int nvmlInit_v2(void) { initialized = 1; return 0; }
int nvmlShutdown(void) { initialized = 0; return 0; }
int nvmlSystemGetDriverVersion(char *v, unsigned len) { snprintf(v, len, "595.71.05"); return 0; }
int nvmlDeviceGetCount_v2(unsigned *count) { *count = 2; return initialized ? 0 : 1; }
int nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t *d) {
  if (!initialized) return 1;
  if (i > 1) return 2;
  *d = &devices[i];
  return 0;
}
int nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned len) {
  CHECK(d);
  snprintf(uuid, len, "GPU-c0ffee00-0000-4000-8000-00000000000%d", d->index);
  return 0;
}
int nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned len) {
  CHECK(d);
  snprintf(name, len, d->index == 0 ? "NVIDIA GeForce RTX 2080 SUPER" : "NVIDIA GeForce RTX 4080 SUPER");
  return 0;
}
int nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci) {
  CHECK(d);
  memset(pci, 0, sizeof *pci);
  pci->bus = d->index == 0 ? 0x0c : 0x01;
  snprintf(pci->busId, sizeof pci->busId, "00000000:%02X:00.0", pci->bus);
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "0000:%02X:00.0", pci->bus);
  return 0;
}
int nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned *t) {
  CHECK(d);
  if (sensor != 0) return 2;
  if (d->index == 1) return 999;
  *t = 47;
  return 0;
}
int nvmlDeviceGetNumFans(nvmlDevice_t d, unsigned *n) { CHECK(d); *n = 2; return 0; }
int nvmlDeviceGetFanSpeed_v2(nvmlDevice_t d, unsigned fan, unsigned *s) {
  CHECK(d);
  if (fan > 1) return 2;
  *s = d->fan[fan];
  return 0;
}
int nvmlDeviceGetMinMaxFanSpeed(nvmlDevice_t d, unsigned *mn, unsigned *mx) { CHECK(d); *mn = 30; *mx = 100; return 0; }
int nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned *p) { CHECK(d); *p = 111500; return 0; }
int nvmlDeviceGetPowerManagementLimit(nvmlDevice_t d, unsigned *l) { CHECK(d); *l = d->limit_mw; return 0; }
int nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t d, unsigned *mn, unsigned *mx) {
  CHECK(d);
  *mn = 105000;
  *mx = 350000;
  return 0;
}
int nvmlDeviceGetPowerManagementDefaultLimit(nvmlDevice_t d, unsigned *l) { CHECK(d); *l = 250000; return 0; }
int nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) { CHECK(d); u->gpu = 98; u->memory = 41; return 0; }
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  CHECK(d);
  m->total = 8ULL << 30; /* 8 GiB: above 2^32, so a 32-bit mistake would show */
  m->used = 5ULL << 30;
  m->free = 3ULL << 30;
  return 0;
}
int nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned *c) {
  CHECK(d);
  *c = type == 2 ? 7500 : 1905;
  return 0;
}
int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *r) { CHECK(d); *r = 0x4; return 0; }
int nvmlDeviceGetPerformanceState(nvmlDevice_t d, int *p) { CHECK(d); *p = 2; return 0; }
int nvmlDeviceSetFanSpeed_v2(nvmlDevice_t d, unsigned fan, unsigned speed) {
  CHECK(d);
  if (fan > 1 || speed < 30 || speed > 100) return 2;
  d->fan[fan] = speed;
  return 0;
}
int nvmlDeviceSetDefaultFanSpeed_v2(nvmlDevice_t d, unsigned fan) {
  CHECK(d);
  if (fan > 1) return 2;
  d->fan[fan] = 38;
  return 0;
}
int nvmlDeviceSetPowerManagementLimit(nvmlDevice_t d, unsigned mw) {
  CHECK(d);
  if (mw < 105000 || mw > 350000) return 2;
  d->limit_mw = mw;
  return 0;
}
