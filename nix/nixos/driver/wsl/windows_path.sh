# The host's Windows PATH (translated by the host, in the env file as @windowsPathVar@) after the
# machine's own PATH, so NixOS tools win and `code`, `explorer.exe`, `clip.exe` are still found.
# Sourced by every login shell after the env file; a nested shell does not add it twice.
if [ -n "${@windowsPathVar@-}" ]; then
  case ":${PATH-}:" in
    *":${@windowsPathVar@}:"*) ;;
    *) PATH="${PATH:+$PATH:}${@windowsPathVar@}"; export PATH ;;
  esac
fi
