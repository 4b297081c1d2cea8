# WSL distributions: wsl.conf with systemd, Windows interop, WSLg (or VcXsrv), Windows as the
# default browser and file manager, and the Windows GPU libraries.
{ config, lib, pkgs, ... }:
let
  contract = import ../../../contract.nix;
  cfg = config.codchi.driver.wsl;
  user = config.codchi.driver.user;
  wslLib = "/usr/lib/wsl/lib";
  # The shell code that appends the host's Windows PATH (the variable named by the contract).
  windowsPath = builtins.replaceStrings [ "@windowsPathVar@" ] [ contract.windowsPathVar ]
    (builtins.readFile ./windows_path.sh);
  # The shell code that picks the display: the host's VcXsrv (contract displayVar) or WSLg.
  display = builtins.replaceStrings [ "@displayVar@" "@ip@" "@awk@" ]
    [ contract.displayVar "${pkgs.iproute2}/bin/ip" "${pkgs.gawk}/bin/awk" ]
    (builtins.readFile ./display.sh);
  # The shell code that points DNS at the store's wsl-vpnkit while it runs (contract vpnkit).
  vpnkitDns = builtins.replaceStrings [ "@state@" "@resolv@" "@saved@" ]
    [ contract.vpnkit.stateFile "/etc/resolv.conf" "/run/codchi/resolv.conf.wsl" ]
    (builtins.readFile ./vpnkit_dns.sh);
  mimeTypes = [ "text/html" "x-scheme-handler/http" "x-scheme-handler/https" "inode/directory" "application/pdf" ];
  open = pkgs.makeDesktopItem {
    name = "codchi-windows-open";
    desktopName = "Open on Windows";
    exec = "${pkgs.wslu}/bin/wslview %u";
    noDisplay = true;
    inherit mimeTypes;
  };
in
{
  imports = [ ./network_isolation.nix ./windows_path_services.nix ];

  options.codchi.driver.wsl = {
    clockSync = lib.mkOption {
      type = lib.types.bool;
      default = true;
      internal = true;
      description = "Set the clock from the host's every minute (WSL's lags after the host slept).";
    };
    vpnkitDns = lib.mkOption {
      type = lib.types.bool;
      default = true;
      internal = true;
      description = ''
        While the store runs wsl-vpnkit (config.json `windows.vpnkit`), ask its DNS (gvproxy,
        which resolves through Windows and so through a VPN's name servers) instead of WSL's.
      '';
    };
    windowsHandlers = lib.mkOption {
      type = lib.types.bool;
      default = true;
      internal = true;
      description = "Open web pages, folders and PDFs with the Windows default applications.";
    };
  };

  config = lib.mkIf (config.codchi.driver.name == "wsl") (lib.mkMerge [
    {
      # Read by WSL before anything of NixOS runs, so it must be a real file, not a link.
      environment.etc."wsl.conf" = {
        mode = "0644";
        text = lib.generators.toINI { } {
          automount = {
            enabled = true;
            mountFsTab = false;
            root = "/mnt";
            options = "metadata,uid=${toString contract.user.uid},gid=${toString contract.user.gid}";
          };
          boot.systemd = true;
          interop = {
            enabled = true;
            appendWindowsPath = false;
          };
          network = {
            generateHosts = true;
            generateResolvConf = true;
          };
          user.default = user;
        };
      };
      # WSL writes these two.
      environment.etc.hosts.enable = false;
      environment.etc."resolv.conf".enable = false;
      networking.dhcpcd.enable = false;
      networking.useDHCP = false;

      # Run Windows programs (.exe) from Linux; systemd-binfmt would otherwise drop WSL's entry.
      boot.binfmt.registrations.WSLInterop = {
        magicOrExtension = "MZ";
        interpreter = "/init";
        fixBinary = true;
        wrapInterpreterInShell = false;
      };

      # Units that make no sense (or fail) under WSL.
      systemd.services."serial-getty@ttyS0".enable = false;
      systemd.services."serial-getty@hvc0".enable = false;
      systemd.services."getty@tty1".enable = false;
      systemd.services."autovt@".enable = false;
      systemd.services.systemd-udevd.enable = false;
      systemd.services.systemd-udev-trigger.enable = lib.mkDefault false;

      # WSLg: X11 and Wayland sockets and PulseAudio, unless the host chose VcXsrv (display.sh).
      systemd.tmpfiles.rules = [ "L+ /tmp/.X11-unix - - - - /mnt/wslg/.X11-unix" ];
      environment.extraInit = display;
    }

    {
      # After the env file is sourced (nix/nixos/driver/secrets.nix) and NixOS's own PATH is set.
      environment.extraInit = lib.mkAfter windowsPath;
      # VS Code's `code` in WSL would otherwise ask to install its WSL extension on every call.
      environment.sessionVariables.DONT_PROMPT_WSL_INSTALL = "1";
    }

    (lib.mkIf cfg.clockSync {
      # WSL's VM keeps its clock while Windows sleeps, so it runs behind afterwards (WSL issues
      # 4245, 5324), and systemd-timesyncd does not run in a container. The VM's RTC follows the
      # host's clock: reading it back once a minute fixes every distro of the VM (they share it).
      systemd.services.codchi-clock = {
        description = "Set the clock from the host's (it lags after the host slept)";
        unitConfig.ConditionPathExists = "/dev/rtc0";
        serviceConfig = {
          Type = "oneshot";
          ExecStart = "${pkgs.util-linux}/bin/hwclock --hctosys";
        };
      };
      systemd.timers.codchi-clock = {
        wantedBy = [ "timers.target" ];
        timerConfig = {
          OnBootSec = "10s";
          OnUnitActiveSec = "60s";
          AccuracySec = "5s";
        };
      };
    })

    (lib.mkIf cfg.vpnkitDns {
      # The store publishes wsl-vpnkit's state in the folder all distros of the VM share
      # (nix/container/store/vpnkit.sh); every change of it (and each boot) sets resolv.conf.
      systemd.services.codchi-vpnkit-dns = {
        description = "Use the DNS of the store's wsl-vpnkit while it runs";
        wantedBy = [ "multi-user.target" ];
        serviceConfig.Type = "oneshot";
        script = vpnkitDns;
      };
      systemd.paths.codchi-vpnkit-dns = {
        wantedBy = [ "paths.target" ];
        pathConfig.PathChanged = contract.vpnkit.stateFile;
      };
    })

    (lib.mkIf cfg.windowsHandlers {
      environment.systemPackages = [ pkgs.wslu open ];
      environment.variables.BROWSER = lib.mkDefault "${pkgs.wslu}/bin/wslview";
      xdg.mime.defaultApplications =
        lib.genAttrs mimeTypes (_: lib.mkDefault "codchi-windows-open.desktop");
    })

    (lib.mkIf config.codchi.gpu.enable {
      # Windows' GPU driver, as WSL provides it (libcuda, libd3d12, nvidia-smi, …).
      environment.sessionVariables = {
        LD_LIBRARY_PATH = [ wslLib ];
        GALLIUM_DRIVER = "d3d12";
        LIBVA_DRIVER_NAME = "d3d12";
      };
      environment.extraInit = ''
        case ":$PATH:" in *:${wslLib}:*) ;; *) export PATH="$PATH:${wslLib}" ;; esac
      '';
    })
  ]);
}
