"""Small reusable widgets shared by the shell and the module panels."""
