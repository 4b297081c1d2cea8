# A secret described in one module ...
{
  codchi.secrets.env.GITLAB_TOKEN.description = ''
    Access token with read_api scope.
  '';
}
