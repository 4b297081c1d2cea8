# Sets an option nobody declares: evaluation must fail (the stand-ins have no catch-all).
{
  codchi.welcome.colour = "blue";
}
