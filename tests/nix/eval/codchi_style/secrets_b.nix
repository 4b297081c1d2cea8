# ... and described again in another (Codchi joins the descriptions as lines).
{
  codchi.secrets.env.GITLAB_TOKEN.description = "Create it at https://gitlab.example.com/-/user_settings.";
  codchi.secrets.env."app.db-password" = { };
}
