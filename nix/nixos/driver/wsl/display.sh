# The display of GUI apps. The host's choice (@displayVar@, passed on by `codchi exec`): ":<n>" for
# VcXsrv, which listens on the Windows host, reached from WSL's NAT network as the default
# gateway (127.0.0.1 when there is none), or a whole DISPLAY value. Without it: WSLg (its X socket
# as :0, its Wayland socket). Sound: WSLg's PulseAudio server.
if [ -n "${@displayVar@-}" ]; then
  case "$@displayVar@" in
    :*)
      codchi_x_host=$(@ip@ route show default 2>/dev/null |
        @awk@ '$1 == "default" && $2 == "via" { print $3; exit }')
      DISPLAY="${codchi_x_host:-127.0.0.1}$@displayVar@"
      unset codchi_x_host
      ;;
    *) DISPLAY="$@displayVar@" ;;
  esac
  export DISPLAY
  # X apps must not pick WSLg's Wayland instead.
  unset WAYLAND_DISPLAY
elif [ -d /mnt/wslg ]; then
  if [ -z "${DISPLAY-}" ]; then export DISPLAY=:0; fi
  if [ -z "${WAYLAND_DISPLAY-}" ] && [ -S /mnt/wslg/runtime-dir/wayland-0 ]; then
    export WAYLAND_DISPLAY=/mnt/wslg/runtime-dir/wayland-0
  fi
fi
if [ -z "${PULSE_SERVER-}" ] && [ -S /mnt/wslg/PulseServer ]; then
  export PULSE_SERVER=unix:/mnt/wslg/PulseServer
fi
