# A standalone/VM flake's use of nixosModules.default (Codchi's "migrating away" page).
{
  codchi.driver.name = "none";
  codchi.secrets.env.TEST.description = "An example secret.";
}
