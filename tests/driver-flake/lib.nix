# The few lib functions test modules use, without nixpkgs. Properties (mkIf, mkDefault, mkForce)
# are kept as tagged values and resolved by merge.nix.
rec {
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkDefault = content: { _type = "override"; priority = 1000; inherit content; };
  mkForce = content: { _type = "override"; priority = 50; inherit content; };
  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
  mkOption = attrs: attrs // { _type = "option"; };
  mkEnableOption = name: mkOption { default = false; description = "Whether to enable ${name}."; };
  types = builtins.listToAttrs (map (n: { name = n; value = n; })
    [ "str" "bool" "int" "lines" "path" "package" "attrs" "anything" ]) // {
    listOf = t: "listOf";
    attrsOf = t: "attrsOf";
    submodule = m: "submodule";
    nullOr = t: "nullOr";
  };
  optional = c: x: if c then [ x ] else [ ];
  optionals = c: xs: if c then xs else [ ];
  optionalString = c: s: if c then s else "";
  optionalAttrs = c: a: if c then a else { };
  attrNames = builtins.attrNames;
  concatStringsSep = builtins.concatStringsSep;
  mapAttrsToList = f: a: map (n: f n a.${n}) (builtins.attrNames a);
}
