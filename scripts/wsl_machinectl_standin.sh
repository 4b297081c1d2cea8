#!/bin/sh
# Test stand-in for systemd's `machinectl shell [-q] [--setenv=N=V…] USER@ [CMD ARGS…]` (installed
# into the WSL test images by scripts/wsl_test_images.sh; no systemd runs in the simulator). It runs
# argv as USER in a fresh environment (TERM, the --setenv variables and su's HOME/USER/SHELL) on a
# new pseudo-terminal, as the real one does: the command's stdout and stderr both arrive through it
# (CRLF line ends), input is echoed, and machinectl itself exits 0 whatever the command's exit code
# (as the real one has: systemd issues 5042, 4215, 6628). The terminal comes from util-linux
# `script`, which exits 0 unless asked otherwise.
[ "$1" = shell ] || { echo "machinectl (test stand-in): only 'shell' is supported" >&2; exit 1; }
shift
quote() { # quote VALUE: VALUE as one single-quoted sh word, and a blank
  v=$(printf '%s' "$1" | sed "s/'/'\\\\''/g"; echo .)
  printf "'%s' " "${v%.}"
}
vars=""
while [ $# -gt 0 ]; do
  case $1 in
    -q) shift ;;
    --setenv=*) vars="$vars$(quote "${1#--setenv=}")"; shift ;;
    *) break ;;
  esac
done
user=${1%@}
shift
[ -n "$user" ] || user=root
[ $# -gt 0 ] || set -- /bin/sh -l
cmd=""
for a in "$@"; do cmd="$cmd$(quote "$a")"; done
inner="cd \"\$HOME\" 2>/dev/null; exec env $vars$cmd"
env -i PATH=/usr/local/bin:/usr/bin:/bin TERM="${TERM:-dumb}" SHELL=/bin/sh \
  script -q -c "su -s /bin/sh -c $(quote "$inner")-- $user" /dev/null
exit 0
