#!/usr/bin/env bash
# Installs the Skyy Command GPU agent on a GPU host.
#
#   sudo components/gpu-agent/scripts/install.sh [options]
#
#   --server URL        Skyy Command URL: central config and heartbeats (else local config only)
#   --token-file FILE   agent token for the server and for PUT /config (copied, mode 0640)
#   --host NAME         this host as Skyy Command knows it, when that is not its hostname
#                       (the name the agent token was issued for)
#   --listen ADDR       API / metrics address (default 0.0.0.0:9841, for Prometheus)
#   --legacy-x          drivers before R520: headless X server with Coolbits for nvidia-settings fans
#   --dry-run-service   install the service in dry-run (decisions logged, nothing written)
#   --no-start          install but do not enable/start the service
#   --dist DIR          a prebuilt bundle (default: build one from this checkout, or use ../dist)
#   --node PATH         node binary to use (default: node on PATH, else the release's bundled node/bin/node)
#   --root DIR          install under DIR instead of / (packaging, tests); skips useradd and systemctl
#
# Layout: /opt/skyy/gpu-agent (code), /etc/skyy/gpu-agent (gpu_config.yaml, agent.env, token),
# /var/lib/skyy-gpu-agent (config cache), systemd units in /etc/systemd/system.
set -euo pipefail

NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19
SERVICE_GROUP=skyy-gpu-agent

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package_dir="$(cd "$here/.." && pwd)"
root=""
server=""
token_file=""
agent_host=""
listen="0.0.0.0:9841"
legacy_x=0
dry_run_service=0
start=1
dist=""
node_bin=""

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --server) server="${2:?}"; shift 2 ;;
    --token-file) token_file="${2:?}"; shift 2 ;;
    --host) agent_host="${2:?}"; shift 2 ;;
    --listen) listen="${2:?}"; shift 2 ;;
    --legacy-x) legacy_x=1; shift ;;
    --dry-run-service) dry_run_service=1; shift ;;
    --no-start) start=0; shift ;;
    --dist) dist="${2:?}"; shift 2 ;;
    --node) node_bin="${2:?}"; shift 2 ;;
    --root) root="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
# Checked before anything is installed. It ends up unquoted in the unit's argument list, so
# only names a host can have.
if [ -n "$agent_host" ] && ! [[ "$agent_host" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
  die "--host '$agent_host' is not a host name (letters, digits, . _ -)"
fi

if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  die "run as root (the agent writes fan speeds and power limits through NVML), or use --root DIR"
fi

prefix="/opt/skyy/gpu-agent"
etc="/etc/skyy/gpu-agent"
units="/etc/systemd/system"

# --- node ---------------------------------------------------------------------------------------
node_ok() {
  local version major minor
  version="$("$1" -p 'process.versions.node' 2>/dev/null)" || return 1
  major="${version%%.*}"; minor="${version#*.}"; minor="${minor%%.*}"
  [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}
if [ -z "$node_bin" ]; then
  if command -v node >/dev/null 2>&1 && node_ok "$(command -v node)"; then
    node_bin="$(command -v node)"
  elif [ -x "$package_dir/node/bin/node" ] && node_ok "$package_dir/node/bin/node"; then
    # A release tarball may carry its own Node build; it is installed with the agent.
    node_bin="$prefix/node/bin/node"
    bundled_node=1
  elif [ -z "$root" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Node.js from the distribution"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
    node_ok "$(command -v node)" || die "the distribution's Node.js is older than $NODE_MIN_MAJOR.$NODE_MIN_MINOR; install Node $NODE_MIN_MAJOR.$NODE_MIN_MINOR+ (e.g. from nodejs.org) and run again"
    node_bin="$(command -v node)"
  else
    die "Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR not found; install it or pass --node PATH"
  fi
fi
node_ok "${node_bin/#$prefix/$package_dir}" || die "$node_bin is not Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR"

# --- bundle -------------------------------------------------------------------------------------
if [ -z "$dist" ]; then
  if [ -f "$package_dir/dist/gpu-agent.mjs" ]; then
    dist="$package_dir/dist"
  elif [ -d "$package_dir/../../node_modules/tsx" ]; then
    say "building the bundle from this checkout"
    (cd "$package_dir" && "$node_bin" --import tsx scripts/build.ts "$package_dir/dist" >/dev/null)
    dist="$package_dir/dist"
  else
    die "no dist/gpu-agent.mjs and no checkout to build one from; pass --dist DIR"
  fi
fi
[ -f "$dist/gpu-agent.mjs" ] || die "$dist/gpu-agent.mjs missing"

say "installing to $root$prefix"
install -d -m 0755 "$root$prefix" "$root$prefix/local_config"
rm -rf "$root$prefix/dist"
cp -R "$dist" "$root$prefix/dist"
install -m 0644 "$package_dir/package.json" "$root$prefix/package.json"
install -m 0644 "$package_dir/local_config/gpu_config.yaml" "$root$prefix/local_config/gpu_config.yaml"
[ -f "$package_dir/README.md" ] && install -m 0644 "$package_dir/README.md" "$root$prefix/README.md"
if [ "${bundled_node:-0}" = 1 ]; then
  rm -rf "$root$prefix/node"
  cp -R "$package_dir/node" "$root$prefix/node"
fi

# --- service group, config ----------------------------------------------------------------------
# The daemon runs as root (NVML writes need it). The group lets operators read and edit the config
# and read the token without root.
if [ -z "$root" ] && ! getent group "$SERVICE_GROUP" >/dev/null; then
  say "creating system group and user $SERVICE_GROUP"
  groupadd --system "$SERVICE_GROUP"
  useradd --system --gid "$SERVICE_GROUP" --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVICE_GROUP"
fi
group_opt=()
[ -z "$root" ] && group_opt=(-g "$SERVICE_GROUP")

install -d -m 0750 "${group_opt[@]}" "$root$etc"
if [ -f "$root$etc/gpu_config.yaml" ]; then
  say "keeping the existing $etc/gpu_config.yaml"
else
  install -m 0640 "${group_opt[@]}" "$package_dir/local_config/gpu_config.yaml" "$root$etc/gpu_config.yaml"
fi
args="--listen $listen"
[ "$dry_run_service" = 1 ] && args="$args --dry-run"
restore_args=""
if [ -n "$server" ]; then args="$args --server $server"; fi
if [ -n "$agent_host" ]; then
  args="$args --host $agent_host"
fi
if [ -n "$token_file" ]; then
  [ -f "$token_file" ] || die "token file $token_file not found"
  install -m 0640 "${group_opt[@]}" "$token_file" "$root$etc/token"
  args="$args --token-file $etc/token"
fi
if [ "$legacy_x" = 1 ]; then
  args="$args --display :0"
  restore_args="--display :0"
fi
cat > "$root$etc/agent.env" <<ENV
# Arguments of gpu-agent.service (see: gpu-agent run --help). Restart the service after editing.
GPU_AGENT_ARGS=$args
GPU_AGENT_RESTORE_ARGS=$restore_args
ENV
chmod 0640 "$root$etc/agent.env"

# --- systemd ------------------------------------------------------------------------------------
install -d -m 0755 "$root$units"
sed -e "s|/usr/bin/node|$node_bin|g" -e "s|/opt/skyy/gpu-agent|$prefix|g" \
  "$package_dir/systemd/gpu-agent.service" > "$root$units/gpu-agent.service"
if [ "$legacy_x" = 1 ]; then
  install -m 0644 "$package_dir/systemd/xorg-headless.service" "$root$units/xorg-headless.service"
  install -d -m 0755 "$root$units/gpu-agent.service.d"
  printf '[Unit]\nWants=xorg-headless.service\nAfter=xorg-headless.service\n' > "$root$units/gpu-agent.service.d/legacy-x.conf"
  if [ -z "$root" ]; then
    say "writing /etc/X11/xorg-skyy-headless.conf for the detected GPUs"
    "$node_bin" "$prefix/dist/gpu-agent.mjs" xorg-config > /etc/X11/xorg-skyy-headless.conf
  fi
fi

if [ -z "$root" ]; then
  systemctl daemon-reload
  if [ "$start" = 1 ]; then
    [ "$legacy_x" = 1 ] && systemctl enable --now xorg-headless.service
    systemctl enable --now gpu-agent.service
    say "started; logs: journalctl -u gpu-agent -f ; state: curl -s http://127.0.0.1:${listen##*:}/state"
  fi
fi
"${node_bin/#$prefix/$root$prefix}" "$root$prefix/dist/gpu-agent.mjs" validate "$root$etc/gpu_config.yaml" >/dev/null || die "the installed config does not validate"
say "done"
