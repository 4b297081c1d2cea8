# Older Codchi: the welcome text and extra text, next to an init script.
{
  codchi.welcome.text = "Hello from acme!";
  codchi.welcome.extraText = ''
    Run `make setup` in ~/app first.
  '';
  codchi.initScript = ''
    echo first
  '';
}
