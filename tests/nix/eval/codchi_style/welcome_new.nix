# Newer Codchi: only codchi.initScript (and an extra line of welcome from another module).
{
  codchi.initScript = ''
    git clone https://example.invalid/acme/app ~/app
  '';
  codchi.welcome.extraText = "Docs: ~/app/README.md";
}
