# codchi.initScript: set-up run once after the machine's first build.
{ lib, ... }:
{
  options.codchi.initScript = lib.mkOption {
    type = lib.types.lines;
    default = "";
    example = ''
      git clone https://github.com/acme/app ~/app
    '';
    description = ''
      A shell script run once, as the machine user in their home, after the machine's first
      build (e.g. to clone repositories). Its output goes to /var/log/codchi/init.log.
      `codchi init --dont-run-init` skips it.
    '';
  };
}
