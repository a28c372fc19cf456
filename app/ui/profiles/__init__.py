"""Connection profiles in the UI: the dialog to add, edit, test, delete and switch profiles."""
