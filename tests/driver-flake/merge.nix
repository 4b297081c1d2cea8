# A minimal module merge: attribute sets merge recursively, lists concatenate, other values take
# the definition of highest priority (lowest number; later wins on ties). mkIf and mkMerge are
# pushed down into attribute sets, so a condition is read only at a leaf and may use the config.
let
  isType = t: v: builtins.isAttrs v && (v._type or null) == t;
  isPlainAttrs = v: builtins.isAttrs v && !(v ? _type) && !(v ? outPath);
  wrapIf = condition: content: { _type = "if"; inherit condition content; };

  # One definition → definitions that are plain attribute sets or leaves (maybe tagged).
  push = def:
    if isType "merge" def then builtins.concatLists (map push def.contents)
    else if isType "if" def then
      map
        (d: if isPlainAttrs d then builtins.mapAttrs (_: wrapIf def.condition) d
        else wrapIf def.condition d)
        (push def.content)
    else [ def ];

  # The value of a leaf definition with its conditions resolved, or null when one is off.
  unwrap = def: if isType "if" def then (if def.condition then unwrap def.content else null) else def;
  priority = def: if isType "override" def then def.priority else 100;
  content = def: if isType "override" def then content def.content else def;

  mergeDefs = defs:
    let pushed = builtins.concatLists (map push defs); in
    if pushed != [ ] && builtins.all isPlainAttrs pushed then mergeAttrs pushed
    else
      let
        active = builtins.filter (d: d != null) (map unwrap pushed);
        values = map content active;
        best = builtins.foldl' (acc: d: if acc == null || priority d <= priority acc then d else acc)
          null
          active;
      in
      if active == [ ] then null
      else if builtins.all isPlainAttrs values then mergeAttrs values
      else if builtins.all builtins.isList values then builtins.concatLists values
      else content best;

  mergeAttrs = sets:
    let names = builtins.attrNames (builtins.foldl' (a: s: a // s) { } sets); in
    # Attributes whose definitions are all switched off stay, as null: dropping them would
    # force every condition just to list the names.
    builtins.listToAttrs (map
      (name: {
        inherit name;
        value = mergeDefs (map (s: s.${name}) (builtins.filter (s: s ? ${name}) sets));
      })
      names);
in
{
  # Merges whole module configs (attribute sets, possibly wrapped in mkIf/mkMerge).
  mergeConfigs = defs: let r = mergeDefs defs; in if r == null then { } else r;
}
