/*
 * A stand-in for libnvidia-ml.so.1 with the prototypes and struct layouts of nvml.h, so that the
 * koffi binding (out parameters, string buffers, structs, 64-bit values, a missing symbol, field
 * values) is exercised on a machine without a GPU. Three GPUs; GPU 1's temperature sensor is
 * broken and it has no memory temperature. Deliberately lacks nvmlDeviceGetCurrentClocksEventReasons
 * (pre-R535 drivers only have the ThrottleReasons name).
 *
 * Hangs on demand, like a wedged driver: while the file named by FAKE_NVML_HANG_FILE exists, a call
 * whose function matches one of its words sleeps until the file is gone or no longer matches. Words:
 * `*` (every call), a function name (`nvmlDeviceGetTemperature`), either with `@N` for GPU N only
 * (`*@0`, `nvmlDeviceSetFanSpeed_v2@0`). fakeNvmlHungCalls() says how many calls are asleep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct { int index; unsigned fan[2]; unsigned limit_mw; } device_t;
typedef device_t *nvmlDevice_t;
typedef struct {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef union {
  double dVal;
  unsigned int uiVal;
  unsigned long ulVal;
  unsigned long long ullVal;
  signed long long sllVal;
  signed int siVal;
  unsigned short usVal;
} nvmlValue_t;
typedef struct {
  unsigned int fieldId;
  unsigned int scopeId;
  long long timestamp;
  long long latencyUsec;
  int valueType; /* nvmlValueType_t */
  int nvmlReturn;
  nvmlValue_t value;
} nvmlFieldValue_t;

#define DEVICES 3
static device_t devices[DEVICES] = {{0, {40, 41}, 250000}, {1, {55, 56}, 320000}, {2, {60, 61}, 450000}};
static int initialized = 0;
static int hung_calls = 0;

/* Does the hang file hold a word matching this call? Read on every call, so tests flip it live. */
static int hang_requested(const char *fn, int gpu) {
  const char *path = getenv("FAKE_NVML_HANG_FILE");
  if (!path) return 0;
  FILE *file = fopen(path, "r");
  if (!file) return 0;
  char word[128];
  int match = 0;
  while (!match && fscanf(file, "%127s", word) == 1) {
    char *at = strchr(word, '@');
    if (at) {
      *at = 0;
      if (gpu < 0 || atoi(at + 1) != gpu) continue;
    }
    match = strcmp(word, "*") == 0 || strcmp(word, fn) == 0;
  }
  fclose(file);
  return match;
}

static void maybe_hang(const char *fn, int gpu) {
  if (!hang_requested(fn, gpu)) return;
  __atomic_add_fetch(&hung_calls, 1, __ATOMIC_SEQ_CST);
  while (hang_requested(fn, gpu)) usleep(5000);
  __atomic_sub_fetch(&hung_calls, 1, __ATOMIC_SEQ_CST);
}

int fakeNvmlHungCalls(void) { return __atomic_load_n(&hung_calls, __ATOMIC_SEQ_CST); }

#define HANG(d) maybe_hang(__func__, (d) ? (d)->index : -1)
#define CHECK(d) do { HANG(d); if (!initialized) return 1; if (!(d)) return 2; } while (0)

int nvmlInit_v2(void) { initialized = 1; return 0; }
int nvmlShutdown(void) { initialized = 0; return 0; }
int nvmlSystemGetDriverVersion(char *v, unsigned len) { snprintf(v, len, "595.71.05"); return 0; }
int nvmlDeviceGetCount_v2(unsigned *count) {
  maybe_hang(__func__, -1);
  *count = DEVICES;
  return initialized ? 0 : 1;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t *d) {
  maybe_hang(__func__, (int)i);
  if (!initialized) return 1;
  if (i >= DEVICES) return 2;
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
  static const char *names[DEVICES] = {
      "NVIDIA GeForce RTX 2080 SUPER", "NVIDIA GeForce RTX 4080 SUPER", "NVIDIA RTX A6000"};
  snprintf(name, len, "%s", names[d->index]);
  return 0;
}
int nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci) {
  CHECK(d);
  memset(pci, 0, sizeof *pci);
  pci->bus = d->index == 0 ? 0x0c : d->index == 1 ? 0x01 : 0x41;
  snprintf(pci->busId, sizeof pci->busId, "00000000:%02X:00.0", pci->bus);
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "0000:%02X:00.0", pci->bus);
  return 0;
}
int nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned *t) {
  CHECK(d);
  if (sensor != 0) return 2;
  if (d->index == 1) return 999;
  *t = d->index == 0 ? 47 : 52;
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
/* NVML_FI_DEV_MEMORY_TEMP (82): GPU 0 as an unsigned int, GPU 2 as a signed long long (the value
 * type is the driver's choice), GPU 1 NOT_SUPPORTED in the field's own return code. */
int nvmlDeviceGetFieldValues(nvmlDevice_t d, int count, nvmlFieldValue_t *values) {
  CHECK(d);
  for (int i = 0; i < count; i++) {
    nvmlFieldValue_t *v = &values[i];
    v->timestamp = 1764237600000000LL;
    v->latencyUsec = 0;
    if (v->fieldId != 82 || d->index == 1) {
      v->nvmlReturn = 3;
      continue;
    }
    v->nvmlReturn = 0;
    if (d->index == 0) {
      v->valueType = 1;
      v->value.uiVal = 62;
    } else {
      v->valueType = 4;
      v->value.sllVal = 71;
    }
  }
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
